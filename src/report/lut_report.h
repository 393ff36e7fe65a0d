// Report figures of a weightless (QuWeiT) MLP run: what the LUT blocks replaced and what they cost.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim {

struct SimulationRun;
struct DesignRun;
struct Row;

struct LutMlpReport {
  bool present = false;              // the workload's MLPs are LUT blocks
  bool as_mac = false;               // this design has no LUT unit: the blocks ran as their MAC MLPs
  uint64_t blocks = 0;               // MLP block executions (layers x passes)
  uint64_t macs_removed = 0;         // MACs of the MAC MLPs these blocks replace (from the shapes)
  double macs_removed_fraction = 0;  // of all MACs the MAC model would run
  uint64_t lookups = 0, conflict_stall_cycles = 0, streamed_table_bits = 0;
  uint64_t cycles = 0;   // critical-path cycles of the block's ops (lut_*, or the MAC MLP's)
  double energy_pj = 0;  // their energy (all classes, incl. their leakage share)
};

LutMlpReport summarize_lut_mlp(const SimulationRun& run, const DesignRun& d, const std::vector<Row>& ops);

}  // namespace lpusim
