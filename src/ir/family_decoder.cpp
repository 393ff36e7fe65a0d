// Decoder-only language models (LLaMA, BitNet b1.58, GPT-2): a prefill pass over the prompt, then
// one pass per generated token after the first (the prefill's logits give token 1). Benchmark mode
// (--decode-step): a single decode step attending to prompt_tokens + 1 keys.
#include "ir/graph_builder.h"

namespace lpusim {

namespace {

struct Decoder : GraphBuilder {
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

std::vector<Op> build(const WorkloadSpec& w, const GraphOptions& opt) {
  std::vector<Op> ops;
  Decoder b{{w, opt, ops, Phase::Prefill, 0}};
  const uint64_t P = w.scenario.prompt_tokens;
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

uint64_t prefill_macs(const WorkloadSpec& w) {
  const ModelSpec& m = w.model;
  const uint64_t B = w.scenario.batch, T = w.scenario.prompt_tokens;
  const uint64_t attn = 2 * B * m.heads * T * T * m.head_dim();  // QK^T and PV, full (masked after)
  return m.layers * (B * T * layer_linear_macs_per_token(m) + attn) + B * m.hidden * m.vocab;
}

uint64_t decode_step_macs(const WorkloadSpec& w, uint64_t kv_len) {
  const ModelSpec& m = w.model;
  const uint64_t B = w.scenario.batch;
  const uint64_t attn = 2 * B * m.heads * kv_len * m.head_dim();
  return m.layers * (B * layer_linear_macs_per_token(m) + attn) + B * m.hidden * m.vocab;
}

}  // namespace

const ModelFamily& decoder_family() {
  static const ModelFamily f{"decoder", build, prefill_macs, decode_step_macs};
  return f;
}

}  // namespace lpusim
