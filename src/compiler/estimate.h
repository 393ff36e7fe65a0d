// The work a run will do, estimated before it is done: tiles (from small sample compiles,
// extrapolated to the scenario), host memory, and wall time. The CLI refuses runs above
// --max-memory and warns above a time estimate, before anything is compiled in full.
#pragma once
#include <cstdint>
#include <vector>

#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

struct WorkEstimate {
  double tiles = 0;       // over every design (double: absurd scenarios stay representable)
  double host_bytes = 0;  // peak resident memory of the run
  double seconds = 0;     // compile + simulate wall time
};

// Host cost model, measured on bitnet_b158_70b / 700m runs (max RSS over tiles): a base plus a
// per-tile share (the tile, its op and statistics, the simulation's per-tile state).
constexpr double kHostBaseBytes = 64.0 * 1024 * 1024;
constexpr double kHostBytesPerTile = 400;
constexpr double kTilesPerSecond = 60000;

// Compiles the first one and two layers (tiles = model-level + layers x per-layer) of the prefill
// at up to 4096 tokens and of one decode step at two contexts, with the batch capped at 8, and
// extrapolates (prefill: quadratic in the prompt, decode: linear in the context, both linear in the
// batch). Exact for small scenarios, an estimate for large ones.
WorkEstimate estimate_work(const WorkloadSpec& w, const std::vector<DesignSpec>& designs,
                           bool single_decode_step = false);

// The default --max-memory: 3/4 of the machine's RAM (or of the cgroup's limit when lower).
double default_max_memory_bytes();

}  // namespace lpusim
