// Usage errors and splitting text. Command-line options are parsed in cli/options.h only.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim {

// Throws ConfigError("usage: <msg> (see <help>)").
[[noreturn]] void usage_error(const std::string& msg, const std::string& help = "lpusim --help");

// "a_b_c" split at '_' -> {"a", "b", "c"}; empty fields kept ("a__b" -> {"a", "", "b"}).
std::vector<std::string> split(const std::string& s, char c);

}  // namespace lpusim
