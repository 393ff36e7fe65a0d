// Vision encoders (ViT, DeiT): one bidirectional forward pass per image over its patch tokens and
// class (and distillation) tokens; there is no decode phase, so --decode-step has nothing to add.
#include "ir/graph_builder.h"

namespace lpusim {

namespace {

struct Encoder : GraphBuilder {
  // ViT/DeiT: patch embedding (a GEMM over flattened patch_size^2 x channels pixels), class (and
  // distillation) tokens, learned positions, bidirectional layers, then one classifier per class
  // token on that token's final-norm output (DeiT distilled: head and head_dist, averaged).
  void pass() {
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
};

std::vector<Op> build(const WorkloadSpec& w, const GraphOptions& opt) {
  std::vector<Op> ops;
  Encoder b{{w, opt, ops, Phase::Prefill, 0}};
  b.pass();
  return ops;
}

uint64_t prefill_macs(const WorkloadSpec& w) {
  const ModelSpec& m = w.model;
  const uint64_t B = w.scenario.batch, T = w.scenario.prompt_tokens;
  const uint64_t attn = 2 * B * m.heads * T * T * m.head_dim();
  const uint64_t patch = B * m.patches() * m.patch_dim() * m.hidden;
  return patch + m.layers * (B * T * layer_linear_macs_per_token(m) + attn) + m.class_tokens * B * m.hidden * m.classes;
}

uint64_t decode_step_macs(const WorkloadSpec&, uint64_t) { return 0; }

}  // namespace

const ModelFamily& encoder_family() {
  static const ModelFamily f{"encoder", build, prefill_macs, decode_step_macs};
  return f;
}

}  // namespace lpusim
