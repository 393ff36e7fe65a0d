#include "base/parse.h"

#include "base/config_error.h"

namespace lpusim {

void usage_error(const std::string& msg, const std::string& help) {
  throw ConfigError("usage: " + msg + " (see " + help + ")");
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
