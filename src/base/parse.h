// Command-line value parsing shared by every lpusim command: a bad value is a usage ConfigError
// (exit 2) naming the option, never a crash or a silently truncated number.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim {

// Throws ConfigError("usage: <msg> (see <help>)").
[[noreturn]] void usage_error(const std::string& msg, const std::string& help = "lpusim --help");

// The whole of `v` as an integer; `opt` names the option in the error. parse_positive_int also
// rejects zero and negatives.
int64_t parse_int(const std::string& opt, const std::string& v, const std::string& help = "lpusim --help");
int64_t parse_positive_int(const std::string& opt, const std::string& v, const std::string& help = "lpusim --help");

// Option parsing: the value after option a[i] (i advances past it), or the usage error
// "<prefix><option> needs a value".
std::string option_value(const std::vector<std::string>& a, size_t& i, const std::string& prefix = "",
                         const std::string& help = "lpusim --help");

// "a_b_c" split at '_' -> {"a", "b", "c"}; empty fields kept ("a__b" -> {"a", "", "b"}).
std::vector<std::string> split(const std::string& s, char c);

}  // namespace lpusim
