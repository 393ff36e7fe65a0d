#include "spec/workload.h"

#include "spec/model_ops.h"

#include <filesystem>
#include <sstream>

namespace lpusim {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::Ternary: return "ternary";
    case Precision::Fp16: return "fp16";
    case Precision::Int8: return "int8";
    case Precision::Int4: return "int4";
  }
  return "?";
}

bool ModelSpec::int_linears() const {
  auto is_int = [](Precision p) { return p == Precision::Int8 || p == Precision::Int4; };
  return is_int(attn_proj) || is_int(ffn_w);
}

// The ternary GEMM op names of a model, as the graph names them (name_map keys).
std::vector<std::string> ternary_op_names(const ModelSpec& m) {
  std::vector<std::string> n;
  for (const BlockLinear& b : block_linears(m, m.lut_mlp.enabled))
    if (b.precision == Precision::Ternary) n.push_back(b.op->name);
  return n;
}

WorkloadSpec gemm_list_workload(const std::string& name, const std::vector<GemmListEntry>& gemms, double zero_fraction,
                                uint64_t seed) {
  WorkloadSpec w;
  w.file = "(gemm list)";
  w.name = name;
  w.source = "standalone GEMMs";
  ModelSpec& m = w.model;
  m.family = "gemm_list";
  m.layers = 0;  // no transformer layers: nothing but the GEMMs
  m.hidden = m.heads = m.kv_heads = m.ffn = 1;
  m.vocab = 0;
  m.ffn_activation = "swiglu";
  m.norm = "rmsnorm";
  m.weight_distribution = "ternary_iid";
  m.zero_fraction = zero_fraction;
  m.seed = seed;
  m.gemms = gemms;
  w.scenario = {1, 1, 1};
  return w;
}

std::string WorkloadSpec::resolved_yaml() const {
  std::ostringstream os;
  os.precision(17);
  const ModelSpec& m = model;
  const char* tf[2] = {"false", "true"};
  os << "# Fully resolved workload as simulated (source: " << file << ")\n"
     << "name: " << name << "\nsource: \"" << source << "\"\nmodel:\n  family: " << m.family
     << "\n  layers: " << m.layers << "\n  hidden: " << m.hidden << "\n  heads: " << m.heads
     << "\n  kv_heads: " << m.kv_heads << "\n  ffn: " << m.ffn;
  if (!m.encoder()) os << "\n  vocab: " << m.vocab;
  os << "\n  ffn_activation: " << m.ffn_activation << "\n  norm: " << m.norm << "\n  subln: " << tf[m.subln];
  if (!m.encoder()) os << "\n  tied_embeddings: " << tf[m.tied_embeddings];
  os << "\n  position_embedding: " << m.position_embedding;
  if (m.max_positions) os << "\n  max_positions: " << m.max_positions;
  os << "\n  linear_bias: " << tf[m.linear_bias];
  if (m.encoder()) {
    os << "\n  image:\n    size: " << m.image_size << "\n    patch: " << m.patch_size
       << "\n    channels: " << m.channels << "\n  class_tokens: " << m.class_tokens << "\n  classes: " << m.classes;
  }
  os << "\n  precision:\n    attention_projections: " << precision_name(m.attn_proj)
     << "\n    ffn: " << precision_name(m.ffn_w) << "\n    embedding: " << precision_name(m.embedding);
  if (m.attn_proj == Precision::Int4 || m.ffn_w == Precision::Int4)
    os << "\n    int4_group_size: " << m.int4_group_size;
  if (m.encoder()) {
    os << "\n    classifier: " << precision_name(m.lm_head);
  } else {
    os << "\n    lm_head: " << precision_name(m.lm_head) << "\n    kv_cache: " << precision_name(m.kv_cache);
  }
  os << "\n  weights:\n    distribution: " << m.weight_distribution;
  if (m.weight_distribution == "checkpoint") {
    os << "\n    checkpoint: \"" << m.checkpoint << "\"\n    name_map:";
    for (const auto& kv : m.name_map) os << "\n      " << kv.first << ": \"" << kv.second << "\"";
  } else {
    os << "\n    zero_fraction: " << m.zero_fraction << "\n    seed: " << m.seed;
  }
  os << lut_mlp_yaml(m.lut_mlp);
  os << "\nscenario:\n  batch: " << scenario.batch;
  if (!m.encoder()) {
    os << "\n  prompt_tokens: " << scenario.prompt_tokens << "\n  generated_tokens: " << scenario.generated_tokens;
  }
  os << "\n";
  return os.str();
}

}  // namespace lpusim
