// Timing of standalone GEMMs: `lpusim gemm --timing` (one GEMM) and `lpusim topology` (a SCALE-Sim
// GEMM topology CSV, one GEMM per layer). The GEMMs become a GEMM-list workload
// (spec/workload.h, graph op i = GEMM i), compiled by the same compiler and simulated by the same
// SystemC chip as a full run, in ONE simulation (simulate() runs once per process), with the ops in
// isolation (each op's loads wait until the previous op has completed, as SCALE-Sim runs one layer
// after another); each op's statistics key gives its row. The design is reduced to the array(s) that run the GEMMs, its
// buffers and its DRAM: other units are not instantiated (no leakage charged for them) and an
// `attention:` section is dropped.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/energy.h"
#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

struct GemmJob {
  std::string name;
  uint64_t m = 0, k = 0, n = 0;
  int line = 0;  // line in the topology file (0: not from a file)
};

struct GemmTimingOptions {
  std::string unit;          // run on this unit only; empty: the arrays of the design's linear layers
  double zero_fraction = 0;  // synthetic ternary weights (each weight 0 with this probability)
  uint64_t seed = 1;
  bool whole = false;  // each GEMM as one tile when the buffers hold it (SCALE-Sim's view), else tiled
};

// How the compiler mapped one GEMM, read back from the compiled program.
struct GemmTimingMapping {
  std::string unit;     // unit name ("tmac", or "tmac0+tmac1" when split across arrays)
  std::string impl;     // ternary_mac_array | fp16_mac_array
  std::string weights;  // ternary | fp16 (the class of the K x N operand on this unit)
  std::string dataflow, timing;
  uint64_t rows = 0, cols = 0, unpack_stages = 0;
  uint64_t tiles = 0;
  uint64_t tm = 0, tk = 0, tn = 0;                 // largest tile
  uint64_t m_tiles = 0, k_tiles = 0, n_tiles = 0;  // tiles along each dimension
  uint64_t folds = 0;                              // array folds over all tiles
  uint64_t closed_form_cycles = 0;                 // sum over tiles of the array's closed form (datapath/systolic.h)
  // The whole GEMM as one sequence of folds on one array (SCALE-Sim's view of one layer: no tiling
  // for the buffers); 0 with sparse weights. Equals closed_form_cycles for a single tile.
  uint64_t whole_gemm_cycles = 0;
  uint64_t load_weight_bytes = 0, load_act_bytes = 0, store_bytes = 0;  // planned DRAM transfers
  std::string note;                                                     // the compiler's mapping note
};

struct GemmTiming {
  GemmJob gemm;
  GemmTimingMapping mapping;
  uint64_t cycles = 0;        // the op's latency: loads, compute, stores (the GEMMs' cycles add up to the total)
  uint64_t array_cycles = 0;  // cycles the array(s) computed: closed form + SRAM port stalls
  uint64_t macs = 0, peak_macs_per_cycle = 0;
  double utilization = 0;  // macs / (peak x cycles)
  uint64_t sram_read_bytes = 0, sram_write_bytes = 0, dram_read_bytes = 0, dram_write_bytes = 0;
  EnergyBreakdown energy;  // pJ, leakage and DRAM static power shared by cycles
};

struct GemmTimingRun {
  std::string design, design_file;
  double clock_ghz = 1;
  std::string weight_source;  // describes the synthetic ternary zero pattern
  uint64_t total_cycles = 0;
  uint64_t sram_stall_cycles = 0;  // array cycles lost to SRAM port conflicts, over the run
  EnergyBreakdown energy;
  std::vector<GemmTiming> gemms;  // in job order
};

// The design reduced to the arrays that run weight GEMMs (o.unit, or the linear-layer arrays the
// compiler picks), and the class of the GEMMs' weights on them. ConfigError if o.unit does not
// exist or is not a weight-GEMM array.
DesignSpec gemm_design(const DesignSpec& d, const GemmTimingOptions& o, Precision* weights = nullptr);

// Compiles and simulates the jobs, back to back, in one SystemC run. At most once per process.
GemmTimingRun time_gemms(const DesignSpec& d, const std::vector<GemmJob>& jobs, const GemmTimingOptions& o);

// SCALE-Sim's GEMM topology CSV: a header `Layer, M, N, K,` then one `name, M, N, K,` line per
// layer (SCALE-Sim writes a trailing comma; it is optional here). Blank lines are skipped. Any other
// line is a ConfigError "FILE:LINE: ..." (exit 2 in main).
std::vector<GemmJob> parse_topology_csv(const std::string& text, const std::string& file);
std::vector<GemmJob> load_topology_csv(const std::string& path);

// Outputs: `gemm --timing` text, the topology console table, topology.csv and topology.json.
std::string gemm_timing_text(const GemmTimingRun& r);
std::string topology_table(const GemmTimingRun& r);
std::string topology_csv(const GemmTimingRun& r);
std::string topology_json(const GemmTimingRun& r);

}  // namespace lpusim
