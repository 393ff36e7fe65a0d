#include "ir/graph.h"

namespace lpusim {

const char* phase_name(Phase p) { return p == Phase::Prefill ? "prefill" : "decode"; }

const std::vector<std::string>& vec_op_names() {
  static const std::vector<std::string> names = {"rmsnorm", "layernorm", "softmax",    "swiglu", "relu2_glu",
                                                 "gelu",    "add",       "quantize",   "rope",   "gather",
                                                 "copy",    "mac",       "softmax_lut"};
  return names;
}

const char* vec_op_name(VecOp v) { return vec_op_names()[static_cast<int>(v)].c_str(); }

namespace {

struct Builder {
  const WorkloadSpec& w;
  const GraphOptions& opt;
  std::vector<Op>& ops;
  Phase phase;
  int step;

  Op base(const std::string& name, int layer) const {
    Op o;
    o.name = name;
    o.layer = layer;
    o.phase = phase;
    o.step = step;
    return o;
  }

  void vec(const std::string& name, int layer, VecOp v, uint64_t elements, int in_operands = 1,
           uint64_t out_elements = ~0ull) {
    Op o = base(name, layer);
    o.kind = OpKind::Vector;
    o.vop = v;
    o.elements = elements;
    o.in_operands = in_operands;
    o.in_elements = elements * in_operands;
    o.out_elements = out_elements == ~0ull ? elements : out_elements;
    ops.push_back(o);
  }

  void gemm(const std::string& name, int layer, WeightClass wc, uint64_t count, uint64_t M, uint64_t K, uint64_t N,
            uint64_t kv_len = 0) {
    Op o = base(name, layer);
    o.kind = OpKind::Gemm;
    o.wclass = wc;
    o.gemm_count = count;
    o.M = M;
    o.K = K;
    o.N = N;
    o.kv_len = kv_len;
    o.in_elements = count * M * K;
    o.out_elements = count * M * N;
    ops.push_back(o);
  }

  WeightClass wc(Precision p) const { return p == Precision::Ternary ? WeightClass::Ternary : WeightClass::Fp16; }

  void maybe_quant(const std::string& name, int layer, Precision p, uint64_t elements) {
    if (p == Precision::Ternary && opt.quantize_ternary_inputs) vec(name, layer, VecOp::Quantize, elements);
  }

  // One decoder layer over T new tokens per sequence, attending to kv_len keys.
  void layer(int l, uint64_t T, uint64_t kv_len) {
    const ModelSpec& m = w.model;
    const uint64_t B = w.scenario.batch, M = B * T, H = m.hidden, F = m.ffn, D = m.head_dim(), KV = m.kv_dim(),
                   G = m.group(), KVH = m.kv_heads, NH = m.heads;
    const VecOp norm = m.norm == "rmsnorm" ? VecOp::Rmsnorm : VecOp::Layernorm;

    vec("attn_norm", l, norm, M * H);
    maybe_quant("attn_quant", l, m.attn_proj, M * H);
    gemm("q_proj", l, wc(m.attn_proj), 1, M, H, H);
    gemm("k_proj", l, wc(m.attn_proj), 1, M, H, KV);
    gemm("v_proj", l, wc(m.attn_proj), 1, M, H, KV);
    if (m.position_embedding == "rope") vec("rope", l, VecOp::Rope, M * (H + KV));
    const AttnGraphPath ap = static_cast<size_t>(l) < opt.attn_layers.size() ? opt.attn_layers[l] : AttnGraphPath{};
    if (ap.encode_qk) {
      vec("qk_encode", l, VecOp::Quantize, M * H + (ap.k_binarised ? M * KV : B * kv_len * KV));
      ops.back().kv_len = kv_len;
    }
    // An encoder has no cache: K and V go to a DRAM scratch that the attention GEMMs read back.
    vec(m.encoder() ? "kv_store" : "kv_append", l, VecOp::Copy, M * 2 * KV);
    // GQA: the G query heads sharing a KV head are stacked along M, so each K/V slice is read once.
    gemm("attn_score", l, WeightClass::KvCache, B * KVH, T * G, D, kv_len, kv_len);
    vec("softmax", l, ap.softmax_lut ? VecOp::SoftmaxLut : VecOp::Softmax, B * NH * T * kv_len);
    if (ap.encode_pv) {
      vec("pv_encode", l, VecOp::Quantize, B * NH * T * kv_len + (ap.v_binarised ? M * KV : B * kv_len * KV));
      ops.back().kv_len = kv_len;
    }
    gemm("attn_context", l, WeightClass::KvCache, B * KVH, T * G, kv_len, D, kv_len);
    if (m.subln) vec("attn_subln", l, norm, M * H);
    maybe_quant("o_quant", l, m.attn_proj, M * H);
    gemm("o_proj", l, wc(m.attn_proj), 1, M, H, H);
    vec("attn_residual", l, VecOp::Add, M * H, 2, M * H);

    vec("ffn_norm", l, norm, M * H);
    if (m.lut_mlp.enabled && !opt.lut_mlp_as_mac) {
      lut_ffn(l, M);
      vec("ffn_residual", l, VecOp::Add, M * H, 2, M * H);
      return;
    }
    maybe_quant("ffn_quant", l, m.ffn_w, M * H);
    if (m.gated_ffn()) {
      gemm("ffn_gate", l, wc(m.ffn_w), 1, M, H, F);
      gemm("ffn_up", l, wc(m.ffn_w), 1, M, H, F);
      vec("ffn_act", l, m.ffn_activation == "swiglu" ? VecOp::Swiglu : VecOp::Relu2Glu, M * F, 2, M * F);
    } else {
      gemm("ffn_up", l, wc(m.ffn_w), 1, M, H, F);
      vec("ffn_act", l, VecOp::Gelu, M * F);
    }
    if (m.subln) vec("ffn_subln", l, norm, M * F);
    maybe_quant("down_quant", l, m.ffn_w, M * F);
    gemm("ffn_down", l, wc(m.ffn_w), 1, M, F, H);
    vec("ffn_residual", l, VecOp::Add, M * H, 2, M * H);
  }

  // Weightless MLP (QuWeiT): encode -> LUT layer(s) -> conditional/group sum over M tokens.
  // Bit tensors count as ceil(bits / 16) 16-bit elements for residency and footprint.
  void lut_ffn(int l, uint64_t M) {
    const LutMlpSpec& s = w.model.lut_mlp;
    const uint64_t H = w.model.hidden;
    auto op = [&](const std::string& name, LutStage st, int idx, uint64_t in_bits, uint64_t out_bits) {
      Op o = base(name, l);
      o.kind = OpKind::Lut;
      o.lut_stage = st;
      o.lut_index = idx;
      o.M = M;
      o.N = H;
      o.in_elements = (M * in_bits + 15) / 16;
      o.out_elements = (M * out_bits + 15) / 16;
      ops.push_back(o);
    };
    uint64_t bits = H * s.therm_bits;
    op("lut_encode", LutStage::Encode, 0, H * 16, bits);
    for (size_t i = 0; i < s.layers.size(); ++i) {
      const uint64_t out = uint64_t(s.layers[i].luts) * s.layers[i].entry_bits;
      op(lut_lookup_op_name(i, s.layers.size()), LutStage::Lookup, static_cast<int>(i), bits, out);
      bits = out;
    }
    op("lut_sum", LutStage::Sum, 0, bits, H * 16);
  }

  // GPT-2 / ViT: gather the position rows of the new tokens and add them to the token embeddings.
  void add_learned_positions(uint64_t elements) {
    if (w.model.position_embedding != "learned") return;
    vec("pos_embedding", -1, VecOp::Gather, elements);
    vec("pos_add", -1, VecOp::Add, elements, 2, elements);
  }

  // ViT/DeiT: patch embedding (a GEMM over flattened patch_size^2 x channels pixels), class (and
  // distillation) tokens, learned positions, bidirectional layers, then one classifier per class
  // token on that token's final-norm output (DeiT distilled: head and head_dist, averaged).
  void encoder_pass() {
    const ModelSpec& m = w.model;
    const uint64_t B = w.scenario.batch, H = m.hidden, T = m.seq_len(), CT = m.class_tokens;
    gemm("patch_embed", -1, wc(m.embedding), 1, B * m.patches(), m.patch_dim(), H);
    vec("class_tokens", -1, VecOp::Gather, B * CT * H);
    add_learned_positions(B * T * H);
    for (int l = 0; l < m.layers; ++l) layer(l, T, T);
    const VecOp norm = m.norm == "rmsnorm" ? VecOp::Rmsnorm : VecOp::Layernorm;
    vec("final_norm", -1, norm, B * CT * H);
    gemm("classifier", -1, WeightClass::Fp16, CT, B, H, m.classes);
  }

  void pass(uint64_t T, uint64_t kv_len) {
    const ModelSpec& m = w.model;
    const uint64_t B = w.scenario.batch, H = m.hidden;
    vec("embedding", -1, VecOp::Gather, B * T * H);
    add_learned_positions(B * T * H);
    for (int l = 0; l < m.layers; ++l) layer(l, T, kv_len);
    // Only the last position of each sequence needs logits to pick the next token.
    const VecOp norm = m.norm == "rmsnorm" ? VecOp::Rmsnorm : VecOp::Layernorm;
    vec("final_norm", -1, norm, B * H);
    gemm("lm_head", -1, WeightClass::Fp16, 1, B, H, m.vocab);
  }
};

}  // namespace

std::vector<Op> build_graph(const WorkloadSpec& w, const GraphOptions& opt) {
  std::vector<Op> ops;
  Builder b{w, opt, ops, Phase::Prefill, 0};
  const uint64_t P = w.scenario.prompt_tokens;
  if (w.model.gemm_list()) {
    for (size_t i = 0; i < w.model.gemms.size(); ++i) {
      const GemmListEntry& g = w.model.gemms[i];
      Op op;
      op.name = g.name;
      op.layer = static_cast<int>(i);
      op.kind = OpKind::Gemm;
      op.wclass = g.weights == Precision::Ternary ? WeightClass::Ternary : WeightClass::Fp16;
      op.gemm_count = 1;
      op.M = g.m, op.K = g.k, op.N = g.n;
      op.in_elements = g.m * g.k;
      op.out_elements = g.m * g.n;
      ops.push_back(op);
    }
    return ops;
  }
  if (w.model.encoder()) {
    // One forward pass per image; there is no decode phase, so --decode-step has nothing to add.
    b.encoder_pass();
    return ops;
  }
  if (opt.single_decode_step) {
    b.phase = Phase::Decode;
    b.step = 1;
    b.pass(1, P + 1);
    return ops;
  }
  b.pass(P, P);
  b.phase = Phase::Decode;
  for (int64_t s = 1; s < w.scenario.generated_tokens; ++s) {
    b.step = static_cast<int>(s);
    b.pass(1, P + s);
  }
  return ops;
}

namespace {
uint64_t layer_linear_macs_per_token(const ModelSpec& m) {
  const uint64_t H = m.hidden, F = m.ffn, KV = m.kv_dim();
  return H * H + 2 * H * KV + H * H + (m.lut_mlp.enabled ? 0 : (m.gated_ffn() ? 3 : 2) * H * F);
}
}  // namespace

uint64_t graph_macs(const std::vector<Op>& ops, Phase ph, int step) {
  uint64_t s = 0;
  for (const Op& o : ops) {
    if (o.phase == ph && o.step == step) s += o.macs();
  }
  return s;
}

uint64_t closed_form_prefill_macs(const WorkloadSpec& w) {
  const ModelSpec& m = w.model;
  const uint64_t B = w.scenario.batch, T = w.scenario.prompt_tokens;
  const uint64_t attn = 2 * B * m.heads * T * T * m.head_dim();  // QK^T and PV, full (masked after)
  if (m.encoder()) {
    const uint64_t patch = B * m.patches() * m.patch_dim() * m.hidden;
    return patch + m.layers * (B * T * layer_linear_macs_per_token(m) + attn) +
           m.class_tokens * B * m.hidden * m.classes;
  }
  return m.layers * (B * T * layer_linear_macs_per_token(m) + attn) + B * m.hidden * m.vocab;
}

uint64_t closed_form_decode_step_macs(const WorkloadSpec& w, uint64_t kv_len) {
  const ModelSpec& m = w.model;
  const uint64_t B = w.scenario.batch;
  const uint64_t attn = 2 * B * m.heads * kv_len * m.head_dim();
  return m.layers * (B * layer_linear_macs_per_token(m) + attn) + B * m.hidden * m.vocab;
}

}  // namespace lpusim
