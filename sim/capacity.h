// DRAM capacity check: the largest batch whose peak memory (weights + KV cache at the longest
// context + peak activations, as footprint() counts them) fits the design's DRAM capacity.
#pragma once
#include <cstdint>

#include "sim/design.h"
#include "sim/workload.h"

namespace lpusim {

// 0 when even batch 1 does not fit; -1 when the design states no DRAM capacity.
int64_t max_batch_in_dram(const WorkloadSpec& w, const DesignSpec& d);

}  // namespace lpusim
