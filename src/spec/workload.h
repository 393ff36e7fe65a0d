// Validated description of one transformer workload (workloads/*.yaml): model shape, the precision
// class of each weight group, the synthetic weight distribution, and the inference scenario.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spec/lut_mlp.h"

namespace lpusim {

// Int8: W8A8 (INT8 weights, one FP16 scale per output channel); Int4: W4A8 (INT4 weights, one FP16
// scale per group of `int4_group_size` input rows of an output channel). Both take INT8 activations.
enum class Precision { Ternary, Fp16, Int8, Int4 };
const char* precision_name(Precision p);

// One standalone GEMM (M x K) x (K x N) of a GEMM-list workload (`lpusim gemm --timing`,
// `lpusim topology`); `weights` is the class of its K x N operand.
struct GemmListEntry {
  std::string name;
  uint64_t m = 0, k = 0, n = 0;
  Precision weights = Precision::Fp16;
};

struct ModelSpec {
  // decoder: causal LM (prefill + decode). encoder: ViT/DeiT image classifier, one bidirectional pass.
  // gemm_list: no model, only `gemms`, one graph op each (built in code, not from a workload file).
  std::string family = "decoder";
  int64_t layers, hidden, heads, kv_heads, ffn, vocab = 0;
  std::string ffn_activation;  // swiglu | relu2_glu | gelu
  std::string norm;            // rmsnorm | layernorm
  bool subln = false;          // extra norms before o_proj and down_proj
  bool tied_embeddings = false;
  std::string position_embedding = "rope";  // rope | learned (a table added to the token embeddings)
  int64_t max_positions = 0;                // rows of the learned position table (decoder)
  bool linear_bias = false;                 // linear layers carry a bias (added at accumulator init)
  // Encoder only: image geometry, class (+distillation) tokens, classifier width.
  int64_t image_size = 0, patch_size = 0, channels = 0, class_tokens = 0, classes = 0;
  Precision attn_proj = Precision::Ternary;
  Precision ffn_w = Precision::Ternary;
  Precision embedding = Precision::Fp16;
  Precision lm_head = Precision::Fp16;
  Precision kv_cache = Precision::Fp16;
  int64_t int4_group_size = 128;    // precision.int4_group_size: K rows sharing one INT4 weight scale
  std::string weight_distribution;  // ternary_iid | checkpoint
  std::string checkpoint;           // safetensors file (distribution == checkpoint), resolved path
  std::vector<std::pair<std::string, std::string>> name_map;  // graph op name -> tensor name pattern
  double zero_fraction = 0;
  uint64_t seed = 1;
  LutMlpSpec lut_mlp;                // model.mlp (optional): weightless MLP blocks instead of the MAC MLP
  std::vector<GemmListEntry> gemms;  // family gemm_list

  int64_t head_dim() const { return hidden / heads; }
  bool int_linears() const;  // some linear layer is int8 or int4
  int64_t kv_dim() const { return kv_heads * head_dim(); }
  int64_t group() const { return heads / kv_heads; }  // query heads per KV head
  bool gated_ffn() const { return ffn_activation != "gelu"; }
  bool encoder() const { return family == "encoder"; }
  bool gemm_list() const { return family == "gemm_list"; }
  int64_t patches() const { return encoder() ? (image_size / patch_size) * (image_size / patch_size) : 0; }
  int64_t patch_dim() const { return patch_size * patch_size * channels; }  // K of the patch-embedding GEMM
  int64_t seq_len() const { return patches() + class_tokens; }              // encoder tokens per image
};

// For an encoder only `batch` is read from the file; prompt_tokens is set to the model's sequence
// length and generated_tokens to 1 (one forward pass, no decode steps).
// Graph op names of the ternary GEMMs (the keys of a checkpoint name_map).
std::vector<std::string> ternary_op_names(const ModelSpec& m);

struct ScenarioSpec {
  int64_t batch, prompt_tokens, generated_tokens;
};

struct WorkloadSpec {
  std::string file, name, source;
  ModelSpec model;
  ScenarioSpec scenario;
  std::string resolved_yaml() const;
};

// A workload of standalone GEMMs, run back to back in list order (graph op i = gemms[i], layer i,
// prefill phase, batch 1). Its model is empty (no layers, embeddings or KV cache); synthetic ternary
// weights with `zero_fraction` and `seed`.
WorkloadSpec gemm_list_workload(const std::string& name, const std::vector<GemmListEntry>& gemms,
                                double zero_fraction = 0, uint64_t seed = 1);

}  // namespace lpusim
