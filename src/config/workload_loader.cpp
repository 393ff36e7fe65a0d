#include "config/loaders.h"

#include <filesystem>

#include "config/yaml_reader.h"

namespace lpusim {

namespace {
// Bounds of the model and scenario keys (README, config reference): far above any published model,
// low enough that products of them (tokens x hidden x layers ...) cannot overflow 64 bits.
constexpr int64_t kMaxWidth = int64_t{1} << 20;   // hidden
constexpr int64_t kMaxVocab = int64_t{1} << 24;   // vocab, classes
constexpr int64_t kMaxTokens = int64_t{1} << 24;  // prompt_tokens, generated_tokens, max_positions
constexpr int64_t kMaxBatch = int64_t{1} << 20;

Precision parse_prec(const YamlNode& n, const std::string& key, const std::vector<std::string>& choices) {
  std::string v = n.get_enum(key, choices);
  if (v == "ternary") return Precision::Ternary;
  if (v == "int8") return Precision::Int8;
  if (v == "int4") return Precision::Int4;
  return Precision::Fp16;
}
}  // namespace

namespace {

void load_weights(const YamlNode& wt, const std::string& file, ModelSpec& s) {
  wt.expect_map();
  s.weight_distribution = wt.get_enum("distribution", {"ternary_iid", "checkpoint"});
  if (s.weight_distribution == "ternary_iid") {
    wt.expect_keys({"distribution", "zero_fraction", "seed"});
    s.zero_fraction = wt.get_nonnegative("zero_fraction");
    if (s.zero_fraction >= 1.0) wt.at("zero_fraction").fail("expected a fraction in [0, 1)");
    s.seed = static_cast<uint64_t>(wt.get_nonnegative_int("seed"));
    return;
  }
  wt.expect_keys({"distribution", "checkpoint", "name_map"});
  // A relative checkpoint path is relative to the workload file.
  std::string ck = wt.get_string("checkpoint");
  if (ck.empty()) wt.at("checkpoint").fail("expected a safetensors file path");
  const auto slash = file.find_last_of('/');
  if (ck[0] != '/' && slash != std::string::npos) ck = file.substr(0, slash + 1) + ck;
  // Absolute, so the resolved workload written next to a report still points at the same file.
  s.checkpoint = std::filesystem::absolute(ck).lexically_normal().string();
  YamlNode nm = wt.at("name_map");
  const std::vector<std::string> want = ternary_op_names(s);
  if (want.empty()) wt.at("distribution").fail("a checkpoint only supplies ternary weights, and this model has none");
  nm.expect_keys(want);
  for (const auto& op : want) {
    std::string pat = nm.get_string(op);
    if (pat.find("{layer}") == std::string::npos) {
      nm.at(op).fail("expected a tensor name containing {layer}, e.g. model.layers.{layer}.self_attn.q_proj.weight");
    }
    s.name_map.emplace_back(op, pat);
  }
}

// The keys of `model:` per family, declared once: the default a key takes when absent (YAML text;
// "" = required; nullptr = not a key of that family). A new key with a sensible default therefore
// touches this table and no workload file; the resolved workload written with every report shows
// the values used.
struct ModelKey {
  const char* key;
  const char* decoder;
  const char* encoder;
};
const ModelKey kModelKeys[] = {
    {"family", "", ""},
    {"layers", "", ""},
    {"hidden", "", ""},
    {"heads", "", ""},
    {"kv_heads", "", ""},  // no default: grouped-query attention must be stated
    {"ffn", "", ""},
    {"vocab", "", nullptr},
    {"ffn_activation", "swiglu", "gelu"},
    {"norm", "rmsnorm", "layernorm"},
    {"subln", "false", "false"},
    {"tied_embeddings", "false", nullptr},
    {"position_embedding", "rope", "learned"},
    {"max_positions", "0", nullptr},  // read only with a learned position table, and then required
    {"linear_bias", "false", "false"},
    {"precision", "", ""},
    {"weights", "", ""},
    {"mlp", "{kind: mac}", "{kind: mac}"},
    {"image", nullptr, ""},
    {"class_tokens", nullptr, "1"},
    {"classes", nullptr, ""},
};

const char* family_default(const ModelKey& k, const ModelSpec& s) { return s.encoder() ? k.encoder : k.decoder; }

// Unknown keys are errors; keys with a default are optional.
void expect_model_keys(const YamlNode& m, const ModelSpec& s) {
  std::vector<std::string> required, optional;
  for (const ModelKey& k : kModelKeys) {
    const char* d = family_default(k, s);
    if (d) (*d ? optional : required).push_back(k.key);
  }
  m.expect_keys(required, optional);
}

// The key's node, or its family default as a node that reports errors at model.<key>.
YamlNode field(const YamlNode& m, const ModelSpec& s, const std::string& key) {
  if (m.has(key)) return m.at(key);
  for (const ModelKey& k : kModelKeys) {
    const char* d = family_default(k, s);
    if (key == k.key && d && *d)
      return YamlNode(YAML::Load(d), "default of model family " + s.family, m.child_path(key));
  }
  return m.at(key);  // required: fails naming the missing key
}

void load_decoder_shape(const YamlNode& m, ModelSpec& s) {
  s.vocab = m.get_positive_int("vocab", kMaxVocab);
  s.tied_embeddings = field(m, s, "tied_embeddings").as_bool();
  s.position_embedding = m.has("position_embedding") ? m.get_enum("position_embedding", {"rope", "learned"}) : "rope";
  if (s.position_embedding == "learned") {
    s.max_positions = m.get_positive_int("max_positions", kMaxTokens);
  } else if (m.has("max_positions")) {
    m.at("max_positions").fail("only a learned position_embedding has a table size");
  }
}

void load_encoder_shape(const YamlNode& m, ModelSpec& s) {
  s.position_embedding = m.has("position_embedding") ? m.get_enum("position_embedding", {"learned"}) : "learned";
  YamlNode im = m.at("image");
  im.expect_keys({"size", "patch", "channels"});
  s.image_size = im.get_positive_int("size", 1 << 16);
  s.patch_size = im.get_positive_int("patch", 1 << 16);
  s.channels = im.get_positive_int("channels", 1 << 10);
  if (s.image_size % s.patch_size != 0) im.at("patch").fail("image size must be divisible by the patch size");
  s.class_tokens = field(m, s, "class_tokens").as_int();
  if (s.class_tokens < 1 || s.class_tokens > 2) {
    field(m, s, "class_tokens").fail("expected 1 (class token) or 2 (class + distillation token)");
  }
  s.classes = m.get_positive_int("classes", kMaxVocab);
}

}  // namespace

WorkloadSpec load_workload(const std::string& path, const std::vector<KeyOverride>& overrides) {
  YamlNode root = YamlNode::load_file(path, overrides);
  root.expect_keys({"name", "source", "model", "scenario"});
  WorkloadSpec w;
  w.file = path;
  w.name = root.get_string("name");
  w.source = root.get_string("source");

  YamlNode m = root.at("model");
  ModelSpec& s = w.model;
  m.expect_map();
  s.family = m.get_enum("family", {"decoder", "encoder"});
  expect_model_keys(m, s);
  if (s.encoder())
    load_encoder_shape(m, s);
  else
    load_decoder_shape(m, s);
  s.layers = m.get_positive_int("layers", 1 << 12);
  s.hidden = m.get_positive_int("hidden", kMaxWidth);
  s.heads = m.get_positive_int("heads", 1 << 14);
  s.kv_heads = m.get_positive_int("kv_heads", 1 << 14);
  s.ffn = m.get_positive_int("ffn", kMaxWidth * 8);
  s.ffn_activation = m.has("ffn_activation") ? m.get_enum("ffn_activation", {"swiglu", "relu2_glu", "gelu"})
                                             : field(m, s, "ffn_activation").as_string();
  s.norm = m.has("norm") ? m.get_enum("norm", {"rmsnorm", "layernorm"}) : field(m, s, "norm").as_string();
  s.subln = field(m, s, "subln").as_bool();
  s.linear_bias = field(m, s, "linear_bias").as_bool();
  if (s.hidden % s.heads != 0) m.at("heads").fail("hidden must be divisible by heads");
  if (s.heads % s.kv_heads != 0) m.at("kv_heads").fail("heads must be divisible by kv_heads");

  YamlNode p = m.at("precision");
  if (s.encoder()) {
    // Entries with one choice (and the KV cache, FP16 unless stated) are optional.
    p.expect_keys({"attention_projections", "ffn"}, {"embedding", "classifier", "int4_group_size"});
    if (p.has("classifier")) s.lm_head = parse_prec(p, "classifier", {"fp16"});
  } else {
    p.expect_keys({"attention_projections", "ffn"}, {"embedding", "lm_head", "kv_cache", "int4_group_size"});
    if (p.has("lm_head")) s.lm_head = parse_prec(p, "lm_head", {"fp16"});
    if (p.has("kv_cache")) s.kv_cache = parse_prec(p, "kv_cache", {"fp16", "int8"});
  }
  // int8 = W8A8 (per-channel weight scale), int4 = W4A8 (one scale per int4_group_size rows, default 128).
  s.attn_proj = parse_prec(p, "attention_projections", {"ternary", "fp16", "int8", "int4"});
  s.ffn_w = parse_prec(p, "ffn", {"ternary", "fp16", "int8", "int4"});
  if (p.has("int4_group_size")) {
    if (s.attn_proj != Precision::Int4 && s.ffn_w != Precision::Int4) {
      p.at("int4_group_size").fail("only int4 linear layers have weight groups");
    }
    s.int4_group_size = p.get_positive_int("int4_group_size", kMaxWidth);
  }
  if (p.has("embedding")) s.embedding = parse_prec(p, "embedding", {"fp16"});
  // Before the weights: a LUT MLP has no FFN tensors for a checkpoint name_map.
  load_lut_mlp(field(m, s, "mlp"), path, s.hidden, s.layers, s.lut_mlp);
  load_weights(m.at("weights"), path, s);

  YamlNode sc = root.at("scenario");
  if (s.encoder()) {
    // One forward pass over the image tokens: no prompt or generation length to choose.
    sc.expect_keys({"batch"});
    w.scenario.batch = sc.get_positive_int("batch", kMaxBatch);
    w.scenario.prompt_tokens = s.seq_len();
    w.scenario.generated_tokens = 1;
  } else {
    sc.expect_keys({"batch", "prompt_tokens", "generated_tokens"});
    w.scenario.batch = sc.get_positive_int("batch", kMaxBatch);
    w.scenario.prompt_tokens = sc.get_positive_int("prompt_tokens", kMaxTokens);
    w.scenario.generated_tokens = sc.get_positive_int("generated_tokens", kMaxTokens);
    if (s.position_embedding == "learned" &&
        w.scenario.prompt_tokens + w.scenario.generated_tokens - 1 > s.max_positions) {
      sc.fail("prompt_tokens + generated_tokens - 1 exceeds the learned position table (max_positions " +
              std::to_string(s.max_positions) + ")");
    }
  }
  return w;
}

}  // namespace lpusim
