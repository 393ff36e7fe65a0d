// Compiler part of the popcount attention mapping (design `attention:`): which attention ops of a
// layer run where, their tiles on the popcount engine / ternary array / vector unit, and the bits
// the KV cache stores per element. Kept apart from the generic GEMM tiling in compiler.cpp.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/program.h"
#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

// Per-layer graph options for the design (empty when it has no attention section). ConfigError
// when a layer override names a layer the workload does not have.
std::vector<AttnGraphPath> attention_graph_paths(const WorkloadSpec& w, const DesignSpec& d);

// Bits per stored K and V element of layer `layer` (coded planes when the binarised cache is stored).
struct KvBits {
  uint32_t k = 16, v = 16;
};
KvBits attention_kv_bits(const WorkloadSpec& w, const DesignSpec& d, int layer);
// KV cache bytes at the longest context, summed over layers with their own K/V bits.
uint64_t attention_kv_cache_bytes(const WorkloadSpec& w, const DesignSpec& d);

// Lowers `op` when the attention mapping claims it (attention ops, encoders, softmax, kv_append of
// a layer with a coded cache); fills po.unit/unit_name/note/out_on_chip and appends tiles. Returns
// false to leave the op to the generic path.
bool lower_attention_op(const WorkloadSpec& w, const DesignSpec& d, const Op& op, uint32_t op_idx, ProgramOp& po,
                        std::vector<Tile>& tiles);

}  // namespace lpusim
