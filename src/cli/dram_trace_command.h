// `lpusim dram-trace DESIGN TRACE [--outstanding W] [-o DIR]`: drives the design's DRAM with a
// transaction trace (memory/dram_trace.h), prints the result and writes it as JSON.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

extern const char* kDramTraceHelp;

// args: everything after "dram-trace". Returns the exit code (0); usage, config and trace errors
// are thrown as ConfigError (exit 2 in main).
int cmd_dram_trace(const std::vector<std::string>& args);

}  // namespace lpusim
