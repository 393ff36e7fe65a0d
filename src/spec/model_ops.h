// The weight-bearing (linear) ops of one transformer block, declared once. The graph, the
// closed-form MAC counts, the footprint, the checkpoint shape checks and the functional forward
// pass all iterate this table, so a block's linear layers are named and shaped in one place.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "spec/workload.h"

namespace lpusim {

// A model dimension a linear op's K (input) or N (output) is made of.
enum class ModelDim { Hidden, KvDim, Ffn };

struct LinearOp {
  const char* name;  // graph op name and weights.name_map key, e.g. "q_proj"
  bool ffn;          // an FFN (MLP) weight (precision.ffn) or an attention projection (attention_projections)
  ModelDim k, n;     // (K x N): input and output features
  bool gated_only;   // exists only in a gated FFN (swiglu, relu2_glu)
  uint32_t index;    // position in the table (the functional run seeds synthetic weights with it)
};

// Every linear op a block can have, in execution order: q, k, v, o, gate, up, down.
const std::vector<LinearOp>& linear_ops();
const LinearOp& linear_op(const std::string& name);  // std::out_of_range if not in the table

// One linear op as present in a model, with its shape and weight precision.
struct BlockLinear {
  const LinearOp* op;
  uint64_t K, N;
  Precision precision;
};

uint64_t model_dim(const ModelSpec& m, ModelDim d);
BlockLinear block_linear(const ModelSpec& m, const LinearOp& op);
// The linear ops of one block of `m`: a non-gated FFN has no gate; with `mlp_as_lut` (a weightless
// MLP replaces the FFN) the FFN weights are absent.
std::vector<BlockLinear> block_linears(const ModelSpec& m, bool mlp_as_lut);

}  // namespace lpusim
