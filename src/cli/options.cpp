#include "cli/options.h"

#include <boost/program_options.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/parse.h"

namespace lpusim {

namespace po = boost::program_options;

// ---- values -----------------------------------------------------------------------------------

bool parse_integer(const std::string& text, int64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, out, 10);
  return r.ec == std::errc() && r.ptr == end;
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, out, std::chars_format::general);
  return r.ec == std::errc() && r.ptr == end && std::isfinite(out);
}

std::vector<std::string> split_list(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  for (std::string f : split(text, sep)) {
    f.erase(0, f.find_first_not_of(" \t\r\n"));
    f.erase(f.find_last_not_of(" \t\r\n") + 1);
    out.push_back(f);
  }
  return out;
}

std::string integer_range_text(int64_t lo, int64_t hi, bool plural) {
  const std::string a = plural ? "" : "a ", an = plural ? "" : "an ", s = plural ? "s" : "";
  if (hi == kNoMax) {
    if (lo == 1) return a + "positive integer" + s;
    if (lo == 0) return a + "non-negative integer" + s;
    if (lo == kNoMin) return an + "integer" + s;
    return an + "integer" + s + " >= " + std::to_string(lo);
  }
  if (lo == kNoMin) return an + "integer" + s + " <= " + std::to_string(hi);
  return an + "integer" + s + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

namespace detail {
std::string got(const std::string& accepts, const std::string& text) {
  return "expects " + accepts + ", got '" + text + "'";
}
std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace detail

std::string Interval::text() const {
  const bool no_lo = std::isinf(lo), no_hi = std::isinf(hi);
  if (no_lo && no_hi) return "a number";
  if (no_hi) {
    if (lo == 0) return open_lo ? "a positive number" : "a non-negative number";
    return std::string("a number ") + (open_lo ? "> " : ">= ") + detail::number_text(lo);
  }
  if (no_lo) return std::string("a number ") + (open_hi ? "< " : "<= ") + detail::number_text(hi);
  return std::string("a number in ") + (open_lo ? "(" : "[") + detail::number_text(lo) + ", " +
         detail::number_text(hi) + (open_hi ? ")" : "]");
}

bool Interval::contains(double x) const {
  if (open_lo ? !(x > lo) : !(x >= lo)) return false;
  if (open_hi ? !(x < hi) : !(x <= hi)) return false;
  return true;
}

Value choice(std::string* target, std::vector<std::string> choices) {
  Value v;
  for (size_t i = 0; i < choices.size(); ++i) v.metavar += (i ? "|" : "") + choices[i];
  v.accepts = "one of " + v.metavar;
  v.help_accepts = false;
  v.set = [target, choices, accepts = v.accepts](const std::string& t) -> std::string {
    if (std::find(choices.begin(), choices.end(), t) == choices.end()) return detail::got(accepts, t);
    *target = t;
    return "";
  };
  v.show = [target] { return *target; };
  return v;
}

Value text(std::string* target, std::string metavar) {
  Value v;
  v.metavar = std::move(metavar);
  v.accepts = "a non-empty value";
  v.help_accepts = false;
  v.set = [target](const std::string& t) -> std::string {
    if (t.empty()) return "expects a non-empty value";
    *target = t;
    return "";
  };
  v.show = [target] { return *target; };
  return v;
}

std::string OptionDecl::synopsis() const {
  std::string s = short_name ? std::string("-") + short_name : display();
  if (!flag) s += " " + value.metavar;
  return s;
}

// ---- declaration ------------------------------------------------------------------------------

CommandLine::CommandLine(std::string command, std::string summary, std::string description)
    : command_(std::move(command)), summary_(std::move(summary)), description_(std::move(description)) {
  flag("help,h", &help_, "prints this help");
}

OptionDecl& CommandLine::declare(const std::string& names, const std::string& help) {
  OptionDecl d;
  const auto comma = names.find(',');
  d.long_name = names.substr(0, comma);
  if (comma != std::string::npos) {
    const std::string s = names.substr(comma + 1);
    if (s.size() != 1) throw std::logic_error("option " + names + ": the short name is one letter");
    d.short_name = s[0];
  }
  if (d.long_name.size() < 1 || find(d.long_name)) throw std::logic_error("option " + names + " declared twice");
  for (const auto& o : options_) {
    if (d.short_name && o.short_name == d.short_name)
      throw std::logic_error("option " + names + ": short name taken by --" + o.long_name);
  }
  d.help = help;
  d.group = group_;
  options_.push_back(std::move(d));
  return options_.back();
}

Option CommandLine::option(const std::string& names, Value value, const std::string& help) {
  OptionDecl& d = declare(names, help);
  d.default_text = value.show ? value.show() : "";
  d.value = std::move(value);
  return Option(d);
}

Option CommandLine::flag(const std::string& names, bool* target, const std::string& help) {
  OptionDecl& d = declare(names, help);
  d.flag = target;
  return Option(d);
}

void CommandLine::operand(const std::string& metavar, std::string* target, const std::string& help) {
  operands_.push_back(OperandDecl{metavar, help, target, nullptr, 1});
}

void CommandLine::operands(const std::string& metavar, std::vector<std::string>* target, size_t min,
                           const std::string& help) {
  if (!operands_.empty() && operands_.back().many) throw std::logic_error(metavar + " after a variadic operand");
  operands_.push_back(OperandDecl{metavar, help, nullptr, target, min});
}

Option CommandLine::refine(const std::string& long_name) {
  for (auto& o : options_) {
    if (o.long_name == long_name) return Option(o);
  }
  throw std::logic_error("option --" + long_name + " is not declared");
}

void CommandLine::group(const std::string& heading) { group_ = heading; }
void CommandLine::usage_form(const std::string& line) { forms_.push_back(line); }
void CommandLine::epilog(const std::string& text) { epilog_ = text; }

const OptionDecl* CommandLine::find(const std::string& long_name) const {
  for (const auto& o : options_) {
    if (o.long_name == long_name) return &o;
  }
  return nullptr;
}

bool CommandLine::names_option(const std::string& word) const {
  if (word.rfind("--", 0) == 0) return find(word.substr(2, word.find('=') - 2)) != nullptr;
  if (word.size() < 2 || word[0] != '-') return false;
  for (const auto& o : options_) {
    if (o.short_name && o.short_name == word[1]) return true;
  }
  return false;
}

void CommandLine::usage(const std::string& msg) const {
  const std::string cmd = command_.empty() ? "" : command_ + " ";
  usage_error((command_.empty() ? "" : command_ + ": ") + msg, "lpusim " + cmd + "--help");
}

// ---- parse ------------------------------------------------------------------------------------

void CommandLine::parse(const std::vector<std::string>& args) {
  po::options_description desc;
  for (const auto& o : options_) {
    const std::string names = o.long_name + (o.short_name ? std::string(",") + o.short_name : "");
    if (o.flag) {
      desc.add_options()(names.c_str(), "");  // takes no value
    } else {
      desc.add_options()(names.c_str(), po::value<std::string>(), "");
    }
  }
  namespace st = po::command_line_style;
  // GNU style without abbreviations (`--gen` is not `--generate`) and without grouped short flags.
  const int style = st::unix_style & ~st::allow_guessing & ~st::allow_sticky;
  po::parsed_options parsed(&desc);
  try {
    parsed = po::command_line_parser(args).options(desc).style(style).run();
  } catch (const po::unknown_option& e) {
    const std::string name = e.get_option_name();
    usage("unknown option '" + name.substr(0, name.find('=')) + "'");
  } catch (const po::invalid_command_line_syntax& e) {
    if (e.kind() == po::invalid_syntax::missing_parameter) usage(e.get_option_name() + " needs a value");
    if (e.kind() == po::invalid_syntax::extra_parameter) usage(e.get_option_name() + " takes no value");
    usage(e.what());
  } catch (const po::error& e) {
    usage(e.what());
  }

  std::vector<std::string> words;
  for (const po::option& o : parsed.options) {
    if (o.string_key.empty()) {  // an operand
      words.insert(words.end(), o.value.begin(), o.value.end());
      continue;
    }
    const OptionDecl* d = find(o.string_key);
    if (!d) usage("unknown option '" + o.string_key + "'");
    if (!given_.insert(d->long_name).second && !d->repeatable) usage(d->display() + " is given more than once");
    if (d->flag) {
      *d->flag = true;
      continue;
    }
    const std::string v = o.value.empty() ? std::string() : o.value[0];
    // `--seq --jobs 2`: the next word is an option of this command, not the value of --seq.
    if (o.original_tokens.size() == 2 && names_option(v)) usage(d->display() + " needs a value");
    const std::string err = d->value.set(v);
    if (!err.empty()) usage(d->display() + " " + err);
  }
  if (help_) return;

  // Operands: the single ones in order, the variadic one takes the rest.
  std::string expected;
  for (const auto& op : operands_) expected += (expected.empty() ? "" : " ") + op.metavar + (op.many ? "..." : "");
  expected = expected.empty() ? "takes no operands" : "expected " + expected;
  size_t i = 0;
  for (size_t k = 0; k < operands_.size(); ++k) {
    const auto& op = operands_[k];
    if (op.one) {
      if (i >= words.size()) usage("missing " + op.metavar + ": " + expected);
      *op.one = words[i++];
    } else {
      // The single operands after the variadic one take the last words.
      const size_t after = operands_.size() - 1 - k;
      const size_t left = words.size() - std::min(i, words.size());
      const size_t n = left > after ? left - after : 0;
      if (n < op.min) usage("missing " + op.metavar + ": " + expected);
      op.many->assign(words.begin() + static_cast<std::ptrdiff_t>(i),
                      words.begin() + static_cast<std::ptrdiff_t>(i + n));
      i += n;
    }
  }
  if (i < words.size()) usage("unexpected argument '" + words[i] + "': " + expected);

  for (const auto& o : options_) {
    if (o.required && !given(o.long_name)) usage(o.display() + " is required");
    if (!given(o.long_name)) continue;
    for (const auto& n : o.needs) {
      if (!given(n)) usage(o.display() + " needs --" + n);
    }
    for (const auto& n : o.conflicts) {
      if (given(n)) usage(o.display() + " cannot be combined with --" + n);
    }
  }
}

// ---- help -------------------------------------------------------------------------------------

namespace {

constexpr size_t kHelpColumn = 30, kWidth = 100;

// Appends `text` word-wrapped at kWidth, every line indented by `indent`; the first line starts at `col`.
void wrap(std::string& out, const std::string& text, size_t indent, size_t col) {
  std::istringstream paras(text);
  std::string para;
  bool first_para = true;
  while (std::getline(paras, para)) {
    if (!first_para) {
      out += "\n";
      col = 0;
      if (!para.empty()) {
        out += std::string(indent, ' ');
        col = indent;
      }
    }
    first_para = false;
    // A paragraph that starts with two blanks (a command line, an example) is kept as it is.
    if (para.rfind("  ", 0) == 0) {
      out += para;
      col += para.size();
      continue;
    }
    std::istringstream words(para);
    std::string w;
    bool first = true;
    while (words >> w) {
      if (!first && col + 1 + w.size() > kWidth) {
        out += "\n" + std::string(indent, ' ');
        col = indent;
      } else if (!first) {
        out += " ";
        ++col;
      }
      out += w;
      col += w.size();
      first = false;
    }
  }
  out += "\n";
}

void item(std::string& out, const std::string& name, const std::string& help) {
  std::string line = "  " + name;
  if (help.empty()) {
    out += line + "\n";
    return;
  }
  if (line.size() + 2 > kHelpColumn) {
    out += line + "\n";
    line.clear();
  }
  out += line + std::string(kHelpColumn - line.size(), ' ');
  wrap(out, help, kHelpColumn, kHelpColumn);
}

}  // namespace

std::string CommandLine::synopsis() const {
  std::string s = command_;
  for (const auto& op : operands_) s += " " + op.metavar + (op.many ? "..." : "");
  bool optional = false;
  for (const auto& o : options_) {
    if (o.required) {
      s += " " + o.synopsis();
    } else if (o.long_name != "help") {
      optional = true;
    }
  }
  if (optional) s += " [options]";
  return s;
}

std::string CommandLine::help() const {
  std::string out = "usage: lpusim " + synopsis() + "\n";
  for (const auto& f : forms_) out += "       lpusim " + f + "\n";
  if (!description_.empty()) {
    out += "\n";
    wrap(out, description_, 0, 0);
  }
  if (!operands_.empty()) {
    out += "\noperands:\n";
    for (const auto& op : operands_) {
      std::string h = op.help;
      if (op.many && op.min > 0) h += " [at least " + std::to_string(op.min) + "]";
      item(out, op.metavar + (op.many ? "..." : ""), h);
    }
  }
  std::vector<std::string> groups;
  for (const auto& o : options_) {
    if (std::find(groups.begin(), groups.end(), o.group) == groups.end()) groups.push_back(o.group);
  }
  for (const auto& g : groups) {
    out += "\n" + (g.empty() ? std::string("options") : g) + ":\n";
    for (const auto& o : options_) {
      if (o.group != g) continue;
      std::string name = o.short_name ? std::string("-") + o.short_name + ", --" + o.long_name : "--" + o.long_name;
      if (!o.flag) name += " " + o.value.metavar;
      std::vector<std::string> notes;
      if (!o.flag && o.value.help_accepts) notes.push_back(o.value.accepts);
      if (o.required) notes.push_back("required");
      if (!o.default_text.empty()) notes.push_back("default " + o.default_text);
      for (const auto& n : o.needs) notes.push_back("with --" + n);
      std::string h = o.help;
      if (!notes.empty()) {
        h += h.empty() ? "[" : " [";
        for (size_t i = 0; i < notes.size(); ++i) h += (i ? "; " : "") + notes[i];
        h += "]";
      }
      item(out, name, h);
    }
  }
  if (!epilog_.empty()) {
    out += "\n";
    wrap(out, epilog_, 0, 0);
  }
  return out;
}

}  // namespace lpusim
