// Functional run (`lpusim run DESIGN WORKLOAD --functional --tokens IDS`, cli/simulate_commands.cpp): a decoder model
// (LLaMA / BitNet style: RMSNorm, RoPE, grouped-query causal attention, SwiGLU or ReLU^2 GLU, optional subln, tied or
// untied LM head; GPT-2 style: LayerNorm, learned positions, GELU MLP, linear biases) executed on a token sequence
// twice from one weight set:
//   reference: FP32 everywhere. `ternary_fp32` (default) uses the ternary weights x gamma for the
//              ternary-precision layers (the model BitNet actually defines), `fp32` the full-precision
//              weights they were ternarised from (then the ternarisation error counts too).
//   datapath:  what the design computes: ternary layers on a ternary_mac_array as absmax INT8
//              activations x packed ternary weights through datapath::ternary_gemm_tiled (the unit's
//              accumulator_bits / overflow / dataflow / weight_format, the compiler's tiling); every
//              other GEMM (FP16 layers, ternary layers on a design without a ternary array, the LM
//              head, attention scores and context on the act_gemm unit) through
//              datapath::fp16_gemm_tiled with FP16-rounded inputs and the unit's accumulate precision;
//              K/V rounded to FP16 (kv_cache fp16); norms, RoPE, softmax, activations and residual adds
//              in FP32 (the vector unit's arithmetic is not modelled bit-exactly).
// The model runs layer by layer, both paths side by side, so only one layer's weights are in memory.
// Weights: the workload's checkpoint for the ternary ops (weights.name_map), everything else (and
// all weights without a checkpoint) seeded synthetic Gaussians: N(0, 1/fan_in) for linear layers,
// N(0, 1/hidden) for embeddings and learned positions (logits of O(1) with a tied head),
// N(0, 0.02^2) linear biases, norm gains 1 and biases 0. The result says which.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "datapath/quant.h"
#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

struct FunctionalOptions {
  std::vector<int64_t> tokens;
  std::string reference = "ternary_fp32";  // ternary_fp32 | fp32
  int64_t generate = 0;                    // greedy decode steps after the prompt
  double max_gib = 6.0;                    // refuse models whose estimated footprint exceeds this
};

struct FunctionalRow {
  std::string name;  // "layer 0", ..., "final_norm"
  double cosine = 0, rel_l2 = 0, max_abs = 0;
};

struct FunctionalResult {
  std::string design, workload, reference, weights;
  std::vector<int64_t> tokens;              // the prompt followed by the generated tokens
  std::vector<int64_t> generated;           // the reference's greedy tokens (fed to both paths)
  std::vector<int64_t> generated_datapath;  // the datapath's argmax at the same steps
  std::vector<FunctionalRow> rows;          // hidden state after each layer, then after the final norm
  double top1 = 0;                          // fraction of positions whose argmax logits agree
  double mean_kl = 0;                       // mean over positions of KL(softmax(ref) || softmax(datapath)), nats
  uint64_t saturations = 0;                 // accumulator saturations in the ternary arrays
  double estimate_gib = 0;
};

// Estimated peak bytes of the functional run (one layer's weights, embeddings, activations), GiB.
double functional_memory_gib(const ModelSpec& m, uint64_t tokens);

FunctionalResult run_functional(const WorkloadSpec& w, const DesignSpec& d, const FunctionalOptions& o);

std::string functional_table(const FunctionalResult& r);
void write_functional_outputs(const std::string& dir, const FunctionalResult& r);  // functional.csv/.json

// Comparison metrics (exposed for tests).
double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b);
double kl_divergence_logits(const std::vector<float>& ref, const std::vector<float>& dp);  // one row, nats

// One ternary linear layer on the design's ternary array: absmax INT8 of x (M x K) times w, the
// unit's configuration and the compiler's tiling. Adds saturations to *sat.
std::vector<float> datapath_ternary_linear(const DesignSpec& d, const std::vector<float>& x, uint64_t M,
                                           const datapath::TernaryWeights& w, uint64_t* sat);

}  // namespace lpusim
