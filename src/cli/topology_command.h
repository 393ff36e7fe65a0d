// `lpusim topology DESIGN FILE.csv [--unit NAME] [-o DIR]`: times every layer of a SCALE-Sim GEMM
// topology CSV (`Layer, M, N, K,`) on DESIGN in one simulation (report/gemm_timing.h) and writes
// one row per layer: cycles, utilization, SRAM and DRAM bytes, energy.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

extern const char* kTopologyHelp;
// Runs the command on its arguments (after the command name); ConfigError on bad input (exit 2).
int run_topology(const std::vector<std::string>& args);

}  // namespace lpusim
