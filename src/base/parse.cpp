#include "base/parse.h"

#include <stdexcept>

#include "base/config_error.h"

namespace lpusim {

void usage_error(const std::string& msg, const std::string& help) {
  throw ConfigError("usage: " + msg + " (see " + help + ")");
}

namespace {
bool whole_int(const std::string& v, int64_t& out) {
  size_t used = 0;
  try {
    out = std::stoll(v, &used);
  } catch (const std::exception&) {
    return false;
  }
  return !v.empty() && used == v.size();
}
}  // namespace

int64_t parse_int(const std::string& opt, const std::string& v, const std::string& help) {
  int64_t n = 0;
  if (!whole_int(v, n)) usage_error(opt + " expects integers, got '" + v + "'", help);
  return n;
}

int64_t parse_positive_int(const std::string& opt, const std::string& v, const std::string& help) {
  int64_t n = 0;
  if (!whole_int(v, n) || n <= 0) usage_error(opt + " expects a positive integer, got '" + v + "'", help);
  return n;
}

std::string option_value(const std::vector<std::string>& a, size_t& i, const std::string& prefix,
                         const std::string& help) {
  if (i + 1 >= a.size()) usage_error(prefix + a[i] + " needs a value", help);
  return a[++i];
}

std::vector<std::string> split(const std::string& s, char c) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == c) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace lpusim
