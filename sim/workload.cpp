#include "sim/workload.h"

#include <sstream>

#include "sim/yaml_reader.h"

namespace lpusim {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::Ternary: return "ternary";
    case Precision::Fp16: return "fp16";
    case Precision::Int8: return "int8";
  }
  return "?";
}

namespace {
Precision parse_prec(const YamlNode& n, const std::string& key, const std::vector<std::string>& choices) {
  std::string v = n.get_enum(key, choices);
  if (v == "ternary") return Precision::Ternary;
  if (v == "int8") return Precision::Int8;
  return Precision::Fp16;
}
}  // namespace

WorkloadSpec WorkloadSpec::load(const std::string& path) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"name", "source", "model", "scenario"});
  WorkloadSpec w;
  w.file = path;
  w.name = root.get_string("name");
  w.source = root.get_string("source");

  YamlNode m = root.at("model");
  m.expect_keys({"layers", "hidden", "heads", "kv_heads", "ffn", "vocab", "ffn_activation", "norm", "subln",
                 "tied_embeddings", "precision", "weights"});
  ModelSpec& s = w.model;
  s.layers = m.get_positive_int("layers");
  s.hidden = m.get_positive_int("hidden");
  s.heads = m.get_positive_int("heads");
  s.kv_heads = m.get_positive_int("kv_heads");
  s.ffn = m.get_positive_int("ffn");
  s.vocab = m.get_positive_int("vocab");
  s.ffn_activation = m.get_enum("ffn_activation", {"swiglu", "relu2_glu", "gelu"});
  s.norm = m.get_enum("norm", {"rmsnorm", "layernorm"});
  s.subln = m.get_bool("subln");
  s.tied_embeddings = m.get_bool("tied_embeddings");
  if (s.hidden % s.heads != 0) m.at("heads").fail("hidden must be divisible by heads");
  if (s.heads % s.kv_heads != 0) m.at("kv_heads").fail("heads must be divisible by kv_heads");

  YamlNode p = m.at("precision");
  p.expect_keys({"attention_projections", "ffn", "embedding", "lm_head", "kv_cache"});
  s.attn_proj = parse_prec(p, "attention_projections", {"ternary", "fp16"});
  s.ffn_w = parse_prec(p, "ffn", {"ternary", "fp16"});
  s.embedding = parse_prec(p, "embedding", {"fp16"});
  s.lm_head = parse_prec(p, "lm_head", {"fp16"});
  s.kv_cache = parse_prec(p, "kv_cache", {"fp16", "int8"});

  YamlNode wt = m.at("weights");
  wt.expect_keys({"distribution", "zero_fraction", "seed"});
  s.weight_distribution = wt.get_enum("distribution", {"ternary_iid"});
  s.zero_fraction = wt.get_nonnegative("zero_fraction");
  if (s.zero_fraction >= 1.0) wt.at("zero_fraction").fail("expected a fraction in [0, 1)");
  s.seed = static_cast<uint64_t>(wt.get_nonnegative_int("seed"));

  YamlNode sc = root.at("scenario");
  sc.expect_keys({"batch", "prompt_tokens", "generated_tokens"});
  w.scenario.batch = sc.get_positive_int("batch");
  w.scenario.prompt_tokens = sc.get_positive_int("prompt_tokens");
  w.scenario.generated_tokens = sc.get_positive_int("generated_tokens");
  return w;
}

std::string WorkloadSpec::resolved_yaml() const {
  std::ostringstream os;
  os.precision(17);
  const ModelSpec& m = model;
  os << "# Fully resolved workload as simulated (source: " << file << ")\n"
     << "name: " << name << "\nsource: \"" << source << "\"\nmodel:\n"
     << "  layers: " << m.layers << "\n  hidden: " << m.hidden << "\n  heads: " << m.heads
     << "\n  kv_heads: " << m.kv_heads << "\n  ffn: " << m.ffn << "\n  vocab: " << m.vocab
     << "\n  ffn_activation: " << m.ffn_activation << "\n  norm: " << m.norm
     << "\n  subln: " << (m.subln ? "true" : "false")
     << "\n  tied_embeddings: " << (m.tied_embeddings ? "true" : "false") << "\n  precision:\n"
     << "    attention_projections: " << precision_name(m.attn_proj) << "\n    ffn: " << precision_name(m.ffn_w)
     << "\n    embedding: " << precision_name(m.embedding) << "\n    lm_head: " << precision_name(m.lm_head)
     << "\n    kv_cache: " << precision_name(m.kv_cache) << "\n  weights:\n    distribution: "
     << m.weight_distribution << "\n    zero_fraction: " << m.zero_fraction << "\n    seed: " << m.seed
     << "\nscenario:\n  batch: " << scenario.batch << "\n  prompt_tokens: " << scenario.prompt_tokens
     << "\n  generated_tokens: " << scenario.generated_tokens << "\n";
  return os.str();
}

}  // namespace lpusim
