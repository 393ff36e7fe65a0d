// The one command-line parser of lpusim. A command declares its operands and options once, each
// bound to a typed field of the command's own argument struct, with its name(s), value type and
// range, default (the field's initial value) and help text. From that declaration:
//  - Boost.Program_options reads argv: `--opt value` and `--opt=value`, `-j 2` and `-j2`, `-o DIR`
//    and `--out DIR`, `--` ends the options; no abbreviations (an unknown or shortened name is an
//    error), no option given twice;
//  - the value is converted by the declared type (one integer, one number, one list parser for
//    every command) and checked against its range;
//  - the help text (synopsis, operands, options by group, accepted values, defaults) is generated.
// Any bad usage is one ConfigError "usage: <command>: <what> (see lpusim <command> --help)" naming
// the option (exit 2 in main, before anything is written).
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace lpusim {

// ---- values -----------------------------------------------------------------------------------

// How an option's text becomes a typed value.
struct Value {
  std::string metavar;  // names the value in help: N, FILE, area|peak-ops
  std::string accepts;  // what is allowed, in help and errors: "a positive integer"
  // Converts and stores `text`; returns "" or what is wrong ("expects a positive integer, got 'x'").
  std::function<std::string(const std::string& text)> set;
  // The bound field's current value as text ("" when it has none): the default shown in help.
  std::function<std::string()> show;
  bool help_accepts = true;  // list `accepts` in the help (not when the metavar says it all)
};

// The one integer and number parser of the command line: the whole text, base 10, no spaces.
bool parse_integer(const std::string& text, int64_t& out);
bool parse_number(const std::string& text, double& out);  // finite decimal or exponent notation
// "1,2, 3" -> {"1", "2", "3"} (fields trimmed of blanks; empty text -> {}).
std::vector<std::string> split_list(const std::string& text, char sep = ',');
// "a positive integer", "an integer in [2, 16]", ... for the closed range [lo, hi]; plural:
// "positive integers", "integers in [2, 16]".
std::string integer_range_text(int64_t lo, int64_t hi, bool plural = false);

namespace detail {
template <class T>
struct Slot {
  using type = T;
  static void store(T* t, const T& v) { *t = v; }
  static const T* get(const T* t) { return t; }
};
template <class T>
struct Slot<std::optional<T>> {
  using type = T;
  static void store(std::optional<T>* t, const T& v) { *t = v; }
  static const T* get(const std::optional<T>* t) { return t->has_value() ? &**t : nullptr; }
};
template <class V>
bool fits(int64_t n) {
  if (n < static_cast<int64_t>(std::numeric_limits<V>::min())) return false;
  if constexpr (sizeof(V) < sizeof(int64_t) || std::is_signed_v<V>) {
    return n <= static_cast<int64_t>(std::numeric_limits<V>::max());
  }
  return true;
}
std::string got(const std::string& accepts, const std::string& text);
std::string number_text(double v);
}  // namespace detail

constexpr int64_t kNoMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kNoMax = std::numeric_limits<int64_t>::max();

// An integer in [lo, hi] (clamped to the field type's range). T: an integer type or std::optional of one
// (then "not given" stays empty). `words` are named values accepted besides integers (--batch max).
template <class T>
Value integer(T* target, int64_t lo = kNoMin, int64_t hi = kNoMax,
              std::vector<std::pair<std::string, int64_t>> words = {}, std::string metavar = "N") {
  using S = detail::Slot<T>;
  using V = typename S::type;
  static_assert(std::is_integral_v<V>, "integer() binds an integer field");
  Value v;
  v.accepts = integer_range_text(lo, hi);  // the declared range; the field's type may narrow it
  for (const auto& w : words) {
    v.accepts += " or '" + w.first + "'";
    metavar += "|" + w.first;
  }
  v.metavar = metavar;
  v.set = [target, lo, hi, words, accepts = v.accepts](const std::string& text) -> std::string {
    for (const auto& w : words) {
      if (text == w.first) {
        S::store(target, static_cast<V>(w.second));
        return "";
      }
    }
    int64_t n = 0;
    if (!parse_integer(text, n) || n < lo || n > hi || !detail::fits<V>(n)) return detail::got(accepts, text);
    S::store(target, static_cast<V>(n));
    return "";
  };
  v.show = [target, words]() -> std::string {
    const V* x = S::get(target);
    if (!x) return "";
    for (const auto& w : words) {
      if (static_cast<int64_t>(*x) == w.second) return w.first;
    }
    return std::to_string(*x);
  };
  return v;
}
template <class T>
Value positive(T* target, std::string metavar = "N") {
  return integer(target, 1, kNoMax, {}, std::move(metavar));
}
template <class T>
Value non_negative(T* target, std::string metavar = "N") {
  return integer(target, 0, kNoMax, {}, std::move(metavar));
}

// A number in the interval from lo to hi; open_lo / open_hi exclude the ends. T: double or
// std::optional<double>.
struct Interval {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  bool open_lo = false, open_hi = false;
  std::string text() const;  // "a positive number", "a number in [0, 1)"
  bool contains(double x) const;
};
template <class T>
Value number(T* target, Interval range, std::string metavar = "X") {
  using S = detail::Slot<T>;
  Value v;
  v.metavar = std::move(metavar);
  v.accepts = range.text();
  v.set = [target, range, accepts = v.accepts](const std::string& text) -> std::string {
    double x = 0;
    if (!parse_number(text, x) || !range.contains(x)) return detail::got(accepts, text);
    S::store(target, x);
    return "";
  };
  v.show = [target]() -> std::string {
    const double* x = S::get(target);
    return x ? detail::number_text(*x) : "";
  };
  return v;
}

// One of `choices` (the metavar lists them: area|peak-ops).
Value choice(std::string* target, std::vector<std::string> choices);

// Any non-empty text (a file, a folder, a name).
Value text(std::string* target, std::string metavar);

// A comma-separated list of integers in [lo, hi], or, with `allowed`, of those values only.
template <class T>
Value integer_list(std::vector<T>* target, int64_t lo = kNoMin, int64_t hi = kNoMax, std::vector<int64_t> allowed = {},
                   std::string metavar = "") {
  Value v;
  std::string item = integer_range_text(lo, hi, true);
  if (!allowed.empty()) {
    item.clear();
    for (size_t i = 0; i < allowed.size(); ++i)
      item += (i ? (i + 1 == allowed.size() ? " or " : ", ") : "") + std::to_string(allowed[i]);
  }
  v.accepts = "a comma-separated list of " + item;
  v.metavar = metavar.empty() ? "N,N,..." : metavar;
  v.set = [target, lo, hi, allowed, accepts = v.accepts](const std::string& text) -> std::string {
    std::vector<T> out;
    const std::vector<std::string> fields = split_list(text);
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& f = fields[i];
      int64_t n = 0;
      const bool ok = parse_integer(f, n) && n >= lo && n <= hi && detail::fits<T>(n) &&
                      (allowed.empty() || std::find(allowed.begin(), allowed.end(), n) != allowed.end());
      if (!ok) {
        if (fields.size() == 1) return detail::got(accepts, text);
        return "expects " + accepts + ", got '" + f + "' (item " + std::to_string(i + 1) + ")";
      }
      out.push_back(static_cast<T>(n));
    }
    if (out.empty()) return detail::got(accepts, text);
    *target = out;
    return "";
  };
  v.show = [target]() -> std::string {
    std::string s;
    for (size_t i = 0; i < target->size(); ++i) s += (i ? "," : "") + std::to_string((*target)[i]);
    return s;
  };
  return v;
}

// ---- one command's declaration and parse ------------------------------------------------------

struct OptionDecl {
  std::string long_name;  // "out" (always present)
  char short_name = 0;    // 'o' or 0
  bool* flag = nullptr;   // a flag: set to true when given
  Value value;            // otherwise: its value
  std::string help;       // may hold '\n' for separate paragraphs
  std::string group;      // help heading ("" = options)
  std::string default_text;
  bool required = false;
  bool repeatable = false;                    // may be given more than once: each value is set in turn
  std::vector<std::string> needs, conflicts;  // long names
  std::string display() const { return "--" + long_name; }
  std::string synopsis() const;  // "--out DIR" / "-j N" style for usage lines
};

// Fluent refinements of one declared option (the reference stays valid while the CommandLine lives).
class Option {
 public:
  explicit Option(OptionDecl& d) : d_(d) {}
  Option& required() {
    d_.required = true;
    d_.default_text.clear();
    return *this;
  }
  Option& default_text(std::string t) {  // instead of the field's initial value
    d_.default_text = std::move(t);
    return *this;
  }
  Option& repeatable() {  // may be given more than once (the value appends)
    d_.repeatable = true;
    return *this;
  }
  Option& needs(std::string long_name) {  // only valid together with --long_name
    d_.needs.push_back(std::move(long_name));
    return *this;
  }
  Option& conflicts(std::string long_name) {  // not valid together with --long_name
    d_.conflicts.push_back(std::move(long_name));
    return *this;
  }

 private:
  OptionDecl& d_;
};

struct OperandDecl {
  std::string metavar, help;
  std::string* one = nullptr;                // exactly one
  std::vector<std::string>* many = nullptr;  // the rest but the single operands after it, at least `min`
  size_t min = 1;
};

class CommandLine {
 public:
  // command: "gemm" ("" for the top level). summary: one line for `lpusim --help`. description:
  // the paragraphs of `lpusim COMMAND --help` between the usage lines and the option list.
  CommandLine(std::string command, std::string summary = "", std::string description = "");

  // ---- declaration
  // names: "out,o" (long, then an optional one-letter short name). Every command also has -h, --help.
  Option option(const std::string& names, Value value, const std::string& help);
  Option flag(const std::string& names, bool* target, const std::string& help);
  void operand(const std::string& metavar, std::string* target, const std::string& help);
  void operands(const std::string& metavar, std::vector<std::string>* target, size_t min, const std::string& help);
  // A declared option, to refine it later (e.g. a shared group's option that conflicts with a mode).
  Option refine(const std::string& long_name);
  // Options declared after this call are listed under `heading` in the help.
  void group(const std::string& heading);
  // An extra usage line (an alternative form of the command), after the generated one.
  void usage_form(const std::string& line);
  // Text after the option list (examples, exit codes).
  void epilog(const std::string& text);

  // ---- parse: converts and stores every value, then checks operand counts, required options and
  // needs/conflicts (skipped with --help). Usage errors are thrown as ConfigError.
  void parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_; }
  bool given(const std::string& long_name) const { return given_.count(long_name) > 0; }

  // ---- generated text
  std::string help() const;
  std::string synopsis() const;  // "run DESIGN WORKLOAD [options]"
  const std::string& command() const { return command_; }
  const std::string& summary() const { return summary_; }
  const std::deque<OptionDecl>& options() const { return options_; }
  const std::vector<OperandDecl>& operand_decls() const { return operands_; }
  const std::vector<std::string>& usage_forms() const { return forms_; }

  // Throws ConfigError("usage: <command>: msg (see lpusim <command> --help)").
  [[noreturn]] void usage(const std::string& msg) const;

 private:
  OptionDecl& declare(const std::string& names, const std::string& help);
  const OptionDecl* find(const std::string& long_name) const;
  bool names_option(const std::string& word) const;  // "--seq", "--seq=3", "-j", "-j2"

  std::string command_, summary_, description_, epilog_, group_;
  std::vector<std::string> forms_;
  std::deque<OptionDecl> options_;  // deque: Option references stay valid
  std::vector<OperandDecl> operands_;
  std::set<std::string> given_;
  bool help_ = false;
};

}  // namespace lpusim
