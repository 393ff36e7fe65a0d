// One error type for every bad input: file:line:column, key path, what was expected.
// The CLI turns it into a single line on stderr and exit code 2.
#pragma once
#include <stdexcept>
#include <string>

namespace lpusim {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& msg) : std::runtime_error(msg) {}
};

}  // namespace lpusim
