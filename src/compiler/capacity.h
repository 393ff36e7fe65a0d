// DRAM capacity check: the largest batch whose peak memory (weights + KV cache at the longest
// context + peak activations, as footprint() counts them) fits the design's DRAM capacity.
#pragma once
#include <cstdint>

#include "ir/program.h"
#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

// 0 when even batch 1 does not fit; -1 when the design states no DRAM capacity.
int64_t max_batch_in_dram(const WorkloadSpec& w, const DesignSpec& d);

// The longest context (prompt + generated - 1 tokens) whose peak memory fits the DRAM capacity at the
// workload's batch: 0 when even one token does not fit; -1 without a capacity or for an encoder
// (whose sequence length is fixed by its input).
int64_t max_context_in_dram(const WorkloadSpec& w, const DesignSpec& d);

// Peak bytes resident in each on-chip buffer: over every op, the tiles its controller window keeps in
// flight (min(window, tiles)) times the op's largest tile footprint in that buffer. GEMM tiles hold
// their stored weight block in the weight buffer and m x k activations plus m x n partial sums in the
// activation buffer; vector tiles hold their operands and results in the activation buffer.
struct BufferOccupancy {
  uint64_t weight_bytes = 0, activation_bytes = 0;
};
BufferOccupancy peak_buffer_occupancy(const Program& p);

}  // namespace lpusim
