// A statistic a module declares: its name, unit and meaning (SST-style). The module's declaration
// is the one source: `lpusim --list` prints it, and the statistics walk rejects a module that emits
// a scalar it did not declare or leaves out one it did (observe/stats.h).
#pragma once
#include <ostream>
#include <string>

namespace lpusim {

struct StatDecl {
  std::string name;         // key in ModuleStats::scalars
  std::string unit;         // "cycles", "B", "count", "ps", "uW", ...
  std::string description;  // what it counts
};

// "name (unit): description", as `--list` prints it.
inline std::ostream& operator<<(std::ostream& os, const StatDecl& s) {
  return os << s.name << " (" << s.unit << "): " << s.description;
}

}  // namespace lpusim
