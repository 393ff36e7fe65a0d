#include "workload/hf_import.h"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/config_error.h"

namespace lpusim {

namespace {

using nlohmann::json;

// Reads fields of one config.json; every error names the file, the field and the architecture.
struct HfConfig {
  std::string file, arch;
  json j;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw ConfigError(file + ": " + field + ": " + what + " (architecture " + arch + ")");
  }
  bool has(const std::string& k) const { return j.contains(k) && !j.at(k).is_null(); }
  int64_t integer(const std::string& k) const {
    if (!j.contains(k)) fail(k, "missing required field");
    const json& v = j.at(k);
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) fail(k, "expected a positive integer, got " + v.dump());
    return v.get<int64_t>();
  }
  std::string str(const std::string& k) const {
    if (!j.contains(k)) fail(k, "missing required field");
    if (!j.at(k).is_string()) fail(k, "expected a string, got " + j.at(k).dump());
    return j.at(k).get<std::string>();
  }
  bool boolean(const std::string& k) const {
    if (!j.at(k).is_boolean()) fail(k, "expected true or false, got " + j.at(k).dump());
    return j.at(k).get<bool>();
  }
  // Optional fields with the default the transformers config class documents (`why` cites it).
  int64_t integer_or(const std::string& k, int64_t dflt, const std::string& why,
                     std::vector<std::string>& notes) const {
    if (has(k)) return integer(k);
    notes.push_back(k + " absent -> " + std::to_string(dflt) + " (" + why + ")");
    return dflt;
  }
  bool boolean_or(const std::string& k, bool dflt, const std::string& why, std::vector<std::string>& notes) const {
    if (has(k)) return boolean(k);
    notes.push_back(k + std::string(" absent -> ") + (dflt ? "true" : "false") + " (" + why + ")");
    return dflt;
  }
  void expect_act(const std::string& k, const std::vector<std::string>& ok) const {
    const std::string v = str(k);
    for (const auto& o : ok) {
      if (v == o) return;
    }
    std::string list;
    for (const auto& o : ok) list += (list.empty() ? "" : ", ") + o;
    fail(k, "expected one of {" + list + "} for this architecture, got '" + v + "'");
  }
};

// The model fields of a workload, filled per architecture, then written in schema order.
struct Shape {
  std::string family = "decoder";
  int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0, ffn = 0, vocab = 0, max_positions = 0;
  std::string ffn_activation, norm, position_embedding = "rope";
  bool subln = false, tied = false, bias = false;
  int64_t image = 0, patch = 0, channels = 0, class_tokens = 0, classes = 0;
  std::vector<std::string> notes;  // how each value was derived
};

void llama_like(const HfConfig& c, Shape& s, bool bitnet) {
  s.layers = c.integer("num_hidden_layers");
  s.hidden = c.integer("hidden_size");
  s.heads = c.integer("num_attention_heads");
  s.kv_heads =
      c.integer_or("num_key_value_heads", s.heads, "transformers default: equal to num_attention_heads", s.notes);
  s.ffn = c.integer("intermediate_size");
  s.vocab = c.integer("vocab_size");
  s.norm = "rmsnorm";
  if (bitnet) {
    c.expect_act("hidden_act", {"relu2"});
    s.ffn_activation = "relu2_glu";
    s.subln = true;  // BitNet decoder layers carry attn_sub_norm and ffn_sub_norm (modeling_bitnet.py)
    s.notes.push_back("BitNetForCausalLM: gated squared-ReLU MLP and sub-layer RMSNorms before o_proj and down_proj");
    s.tied = c.boolean_or("tie_word_embeddings", false, "BitNetConfig default", s.notes);
  } else {
    c.expect_act("hidden_act", {"silu"});
    s.ffn_activation = "swiglu";
    s.tied = c.boolean_or("tie_word_embeddings", false, "LlamaConfig default", s.notes);
  }
  if (c.has("attention_bias") && c.boolean("attention_bias"))
    c.fail("attention_bias", "biased attention is not modelled");
  if (c.has("mlp_bias") && c.boolean("mlp_bias")) c.fail("mlp_bias", "biased MLP is not modelled");
  if (c.has("head_dim") && c.integer("head_dim") * s.heads != s.hidden) {
    c.fail("head_dim", "must equal hidden_size / num_attention_heads");
  }
}

void gpt2(const HfConfig& c, Shape& s) {
  s.layers = c.integer("n_layer");
  s.hidden = c.integer("n_embd");
  s.heads = c.integer("n_head");
  s.kv_heads = s.heads;
  s.ffn = c.integer_or("n_inner", 4 * s.hidden, "GPT2Config: n_inner null means 4 * n_embd", s.notes);
  s.vocab = c.integer("vocab_size");
  s.max_positions = c.integer("n_positions");
  if (s.max_positions < 2) {  // the workload needs one prompt token and one generated token
    throw ConfigError(c.file + ": n_positions: expected at least 2 (one prompt and one generated token), got " +
                      std::to_string(s.max_positions));
  }
  c.expect_act("activation_function", {"gelu", "gelu_new", "gelu_pytorch_tanh"});
  s.ffn_activation = "gelu";
  s.norm = "layernorm";
  s.position_embedding = "learned";
  s.bias = true;  // Conv1D c_attn / c_proj / c_fc carry biases
  s.tied = c.boolean_or("tie_word_embeddings", true, "PretrainedConfig default; GPT2LMHeadModel ties lm_head to wte",
                        s.notes);
}

void vit(const HfConfig& c, Shape& s, int64_t class_tokens) {
  s.family = "encoder";
  s.layers = c.integer("num_hidden_layers");
  s.hidden = c.integer("hidden_size");
  s.heads = c.integer("num_attention_heads");
  s.kv_heads = s.heads;
  s.ffn = c.integer("intermediate_size");
  c.expect_act("hidden_act", {"gelu"});
  s.ffn_activation = "gelu";
  s.norm = "layernorm";
  s.position_embedding = "learned";
  s.bias = c.boolean_or("qkv_bias", true, "ViTConfig/DeiTConfig default", s.notes);
  if (!s.bias)
    c.fail("qkv_bias", "unbiased attention projections are not modelled (output and MLP layers have biases)");
  s.image = c.integer("image_size");
  s.patch = c.integer("patch_size");
  s.channels = c.integer("num_channels");
  if (s.image % s.patch != 0) c.fail("patch_size", "image_size must be divisible by patch_size");
  s.class_tokens = class_tokens;
  if (c.has("num_labels")) {
    s.classes = c.integer("num_labels");
  } else if (c.has("id2label") && c.j.at("id2label").is_object() && !c.j.at("id2label").empty()) {
    s.classes = static_cast<int64_t>(c.j.at("id2label").size());
    s.notes.push_back("classes = number of id2label entries");
  } else {
    c.fail("id2label", "missing: the classifier width needs num_labels or a non-empty id2label");
  }
}

std::string default_name(const std::string& path) {
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  std::string base = dir.substr(dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/') + 1);
  if (base.empty() || base == ".") base = "imported";
  for (char& ch : base) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return base;
}

}  // namespace

std::string import_hf_config(const std::string& config_path, const HfImportOptions& opt) {
  std::ifstream in(config_path);
  if (!in) throw ConfigError(config_path + ": cannot open file");
  HfConfig c;
  c.file = config_path;
  try {
    c.j = json::parse(in);
  } catch (const json::exception& e) {  // syntax, and numbers like 1e400 (out_of_range)
    throw ConfigError(config_path + ": not valid JSON: " + e.what());
  }
  if (!c.j.is_object()) throw ConfigError(config_path + ": expected a JSON object at the top level");
  if (!c.j.contains("architectures") || !c.j.at("architectures").is_array() || c.j.at("architectures").size() != 1 ||
      !c.j.at("architectures")[0].is_string()) {
    throw ConfigError(config_path + ": architectures: expected a list with one architecture name");
  }
  c.arch = c.j.at("architectures")[0].get<std::string>();
  if (opt.precision != "ternary" && opt.precision != "fp16") {
    throw ConfigError("usage: --precision expects ternary or fp16, got '" + opt.precision + "'");
  }

  Shape s;
  if (c.arch == "LlamaForCausalLM")
    llama_like(c, s, false);
  else if (c.arch == "BitNetForCausalLM")
    llama_like(c, s, true);
  else if (c.arch == "GPT2LMHeadModel")
    gpt2(c, s);
  else if (c.arch == "ViTForImageClassification" || c.arch == "DeiTForImageClassification")
    vit(c, s, 1);
  else if (c.arch == "DeiTForImageClassificationWithTeacher")
    vit(c, s, 2);
  else {
    throw ConfigError(config_path + ": architectures: unsupported architecture '" + c.arch +
                      "' (supported: LlamaForCausalLM, BitNetForCausalLM, GPT2LMHeadModel, ViTForImageClassification, "
                      "DeiTForImageClassification, DeiTForImageClassificationWithTeacher)");
  }
  if (s.hidden % s.heads != 0) c.fail("num_attention_heads", "must divide the hidden size");
  if (s.heads % s.kv_heads != 0) c.fail("num_key_value_heads", "must divide num_attention_heads");

  const bool encoder = s.family == "encoder";
  const std::string name = opt.name.empty() ? default_name(config_path) : opt.name;
  const bool bitnet = c.arch == "BitNetForCausalLM";
  const std::string prec = bitnet ? "ternary" : opt.precision;
  const char* tf[2] = {"false", "true"};
  std::ostringstream os;
  os << "# " << name << " -- lpusim workload, written by `lpusim import-hf`\n"
     << "#\n# Source: Hugging Face config.json " << config_path << " (architectures: " << c.arch << ").\n";
  for (const auto& n : s.notes) os << "# " << n << "\n";
  if (prec == "ternary" && !bitnet) {
    os << "# Linear layers ternarised with absmean (BitNet b1.58, Ma et al. 2024, Eq. 1-3): the published weights are\n"
       << "#   full precision; zero_fraction 0.310 = P(|W| < mean|W| / 2) for Gaussian W = erf(0.282095).\n";
  }
  os << "\nname: " << name << "\nsource: \"Hugging Face config.json " << config_path << " (" << c.arch << ")\"\n"
     << "model:\n  family: " << s.family << "\n  layers: " << s.layers << "\n  hidden: " << s.hidden
     << "\n  heads: " << s.heads << "\n  kv_heads: " << s.kv_heads << "\n  ffn: " << s.ffn;
  if (!encoder) os << "\n  vocab: " << s.vocab;
  os << "\n  ffn_activation: " << s.ffn_activation << "\n  norm: " << s.norm << "\n  subln: " << tf[s.subln];
  if (!encoder) os << "\n  tied_embeddings: " << tf[s.tied];
  os << "\n  position_embedding: " << s.position_embedding;
  if (s.max_positions) os << "\n  max_positions: " << s.max_positions;
  os << "\n  linear_bias: " << tf[s.bias];
  if (encoder) {
    os << "\n  image:\n    size: " << s.image << "\n    patch: " << s.patch << "\n    channels: " << s.channels
       << "\n  class_tokens: " << s.class_tokens << "\n  classes: " << s.classes;
  }
  os << "\n  precision:\n    attention_projections: " << prec << "\n    ffn: " << prec << "\n    embedding: fp16";
  if (encoder)
    os << "\n    classifier: fp16";
  else
    os << "\n    lm_head: fp16\n    kv_cache: fp16";
  if (!opt.checkpoint.empty()) {
    // nn.Linear [out, in] tensors per projection, named as transformers' Llama and BitNet models name them.
    if (c.arch != "LlamaForCausalLM" && c.arch != "BitNetForCausalLM") {
      throw ConfigError("usage: --checkpoint supports LlamaForCausalLM and BitNetForCausalLM tensor names (" + c.arch +
                        " stores fused or transposed projections)");
    }
    if (prec != "ternary")
      throw ConfigError("usage: --checkpoint needs --precision ternary (it supplies ternary weights)");
    os << "\n  weights:\n    distribution: checkpoint\n    checkpoint: \"" << opt.checkpoint << "\"\n    name_map:"
       << "\n      q_proj: \"model.layers.{layer}.self_attn.q_proj.weight\""
       << "\n      k_proj: \"model.layers.{layer}.self_attn.k_proj.weight\""
       << "\n      v_proj: \"model.layers.{layer}.self_attn.v_proj.weight\""
       << "\n      o_proj: \"model.layers.{layer}.self_attn.o_proj.weight\""
       << "\n      ffn_gate: \"model.layers.{layer}.mlp.gate_proj.weight\""
       << "\n      ffn_up: \"model.layers.{layer}.mlp.up_proj.weight\""
       << "\n      ffn_down: \"model.layers.{layer}.mlp.down_proj.weight\"";
    os << "\nscenario:\n  batch: 1";
  } else {
    os << "\n  weights:\n    distribution: ternary_iid\n    zero_fraction: 0.310\n    seed: 1\nscenario:\n  batch: 1";
  }
  if (!encoder) {
    // 512 + 128 tokens, or half the learned position table each when it is shorter.
    int64_t prompt = 512, gen = 128;
    if (s.max_positions && s.max_positions < prompt + gen - 1) {
      prompt = s.max_positions / 2;
      gen = s.max_positions - prompt;
    }
    os << "\n  prompt_tokens: " << prompt << "\n  generated_tokens: " << gen;
  }
  os << "\n";
  return os.str();
}

}  // namespace lpusim
