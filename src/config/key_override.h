// A key set from the command line (`-p KEY=VALUE`) on top of a design or workload file.
#pragma once
#include <string>

namespace lpusim {

// The dotted key path, the value as YAML text (a scalar, or a flow list or map such as [a, b]) and how
// it was given, for errors ("-p units.tmac.cols=512").
struct KeyOverride {
  std::string key, value, origin;
};

}  // namespace lpusim
