// Validated description of one transformer workload (workloads/*.yaml): model shape, the precision
// class of each weight group, the synthetic weight distribution, and the inference scenario.
#pragma once
#include <cstdint>
#include <string>

namespace lpusim {

enum class Precision { Ternary, Fp16, Int8 };
const char* precision_name(Precision p);

struct ModelSpec {
  int64_t layers, hidden, heads, kv_heads, ffn, vocab;
  std::string ffn_activation;  // swiglu | relu2_glu | gelu
  std::string norm;            // rmsnorm | layernorm
  bool subln = false;          // extra norms before o_proj and down_proj
  bool tied_embeddings = false;
  Precision attn_proj = Precision::Ternary;
  Precision ffn_w = Precision::Ternary;
  Precision embedding = Precision::Fp16;
  Precision lm_head = Precision::Fp16;
  Precision kv_cache = Precision::Fp16;
  std::string weight_distribution;  // ternary_iid
  double zero_fraction = 0;
  uint64_t seed = 1;

  int64_t head_dim() const { return hidden / heads; }
  int64_t kv_dim() const { return kv_heads * head_dim(); }
  int64_t group() const { return heads / kv_heads; }  // query heads per KV head
  bool gated_ffn() const { return ffn_activation != "gelu"; }
};

struct ScenarioSpec {
  int64_t batch, prompt_tokens, generated_tokens;
};

struct WorkloadSpec {
  std::string file, name, source;
  ModelSpec model;
  ScenarioSpec scenario;
  static WorkloadSpec load(const std::string& path);
  std::string resolved_yaml() const;
};

}  // namespace lpusim
