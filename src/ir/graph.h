// Operation graph of one inference: prefill over the prompt, then one decode step per generated
// token after the first (the prefill's logits give token 1). Ops are in execution order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "spec/workload.h"

namespace lpusim {

enum class Phase { Prefill, Decode };
const char* phase_name(Phase p);

enum class OpKind { Gemm, Vector, Lut };

// Stages of a weightless (LUT) MLP block, one graph op each (model.mlp.kind: lut).
enum class LutStage { Encode, Lookup, Sum };

// Vector-unit operations. Names are what a design lists under a vector unit's `ops:`.
enum class VecOp {
  Rmsnorm,
  Layernorm,
  Softmax,
  Swiglu,
  Relu2Glu,
  Gelu,
  Add,
  Quantize,
  Rope,
  Gather,
  Copy,
  Mac,
  SoftmaxLut
};
const char* vec_op_name(VecOp v);
const std::vector<std::string>& vec_op_names();

// Operand class of a GEMM's second (stationary) operand.
// Int8 / Int4: integer weights (W8A8 per-channel scale, W4A8 group scale) with INT8 activations.
enum class WeightClass { Ternary, Fp16, KvCache, Int8, Int4 };
WeightClass weight_class(Precision p);  // of a linear layer's weights

struct Op {
  std::string name;  // e.g. "q_proj", "attn_score", "final_norm"
  int layer = -1;    // -1 for model-level ops (embedding, final norm, LM head)
  Phase phase = Phase::Prefill;
  int step = 0;  // decode step (1-based); 0 in prefill
  OpKind kind = OpKind::Vector;

  // GEMM: gemm_count independent products of (M x K) x (K x N).
  WeightClass wclass = WeightClass::Fp16;
  uint64_t gemm_count = 0, M = 0, K = 0, N = 0;

  // Vector op: element count (for Mac: MACs).
  VecOp vop = VecOp::Add;
  uint64_t elements = 0;

  uint64_t kv_len = 0;        // attention ops: keys attended to
  uint64_t out_elements = 0;  // elements of the op's output tensor (residency decisions)
  uint64_t in_elements = 0;   // elements of the activation input(s) read
  int in_operands = 1;        // number of activation input tensors (add, glu: 2)

  // LUT op (OpKind::Lut): stage and LUT layer index over M tokens; N = block outputs (hidden).
  LutStage lut_stage = LutStage::Encode;
  int lut_index = 0;

  uint64_t macs() const { return kind == OpKind::Gemm ? gemm_count * M * K * N : 0; }
};

// Popcount attention mapping of one layer (from the design's `attention:` section).
struct AttnGraphPath {
  bool encode_qk = false;    // Q and K coded to bits before attn_score (op qk_encode)
  bool encode_pv = false;    // P and V coded before attn_context (op pv_encode)
  bool softmax_lut = false;  // integer/LUT softmax instead of FP16
  bool k_binarised = false;  // the KV cache stores coded K (else the whole K cache is coded every pass)
  bool v_binarised = false;
};

struct GraphOptions {
  // True when ternary layers run on a ternary array: activations are quantised to INT8 per token
  // (absmax) before every ternary linear layer, as in BitNet b1.58.
  bool quantize_ternary_inputs = false;
  // The same for int8/int4 linear layers on an integer MAC array (per-token absmax to INT8).
  bool quantize_int_inputs = false;
  // Benchmark mode: no prefill; a single decode step attending to prompt_tokens + 1 keys.
  bool single_decode_step = false;
  std::vector<AttnGraphPath> attn_layers{};  // per layer; empty = FP attention in every layer
  // A workload with LUT MLP blocks, on a design without a LUT unit: run each block as the MAC MLP it
  // replaces (the baseline model), so the same workload compares LUT blocks with MAC blocks.
  bool lut_mlp_as_mac = false;
};

std::vector<Op> build_graph(const WorkloadSpec& w, const GraphOptions& opt);

// MACs of the graph's ops in one phase and decode step (prefill: step 0), for cross-checks.
uint64_t graph_macs(const std::vector<Op>& ops, Phase ph, int step);

// Closed forms from the model shape, for cross-checking the graph.
uint64_t closed_form_prefill_macs(const WorkloadSpec& w);
uint64_t closed_form_decode_step_macs(const WorkloadSpec& w, uint64_t kv_len);

}  // namespace lpusim
