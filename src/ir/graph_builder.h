// What every model family builds its graph from: op constructors and one transformer block
// (attention + MLP or weightless block), shared by the family files (ir/family_*.cpp).
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "spec/model_ops.h"

namespace lpusim {

struct GraphBuilder {
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

  WeightClass wc(Precision p) const { return weight_class(p); }

  // A linear op of the block table (spec/model_ops.h) over M rows.
  void linear(const char* name, int layer, uint64_t M) {
    const BlockLinear b = block_linear(w.model, linear_op(name));
    gemm(name, layer, wc(b.precision), 1, M, b.K, b.N);
  }

  void maybe_quant(const std::string& name, int layer, Precision p, uint64_t elements) {
    const bool int_w = p == Precision::Int8 || p == Precision::Int4;
    if ((p == Precision::Ternary && opt.quantize_ternary_inputs) || (int_w && opt.quantize_int_inputs)) {
      vec(name, layer, VecOp::Quantize, elements);
    }
  }

  // One decoder layer over T new tokens per sequence, attending to kv_len keys.
  void layer(int l, uint64_t T, uint64_t kv_len) {
    const ModelSpec& m = w.model;
    const uint64_t B = w.scenario.batch, M = B * T, H = m.hidden, F = m.ffn, D = m.head_dim(), KV = m.kv_dim(),
                   G = m.group(), KVH = m.kv_heads, NH = m.heads;
    const VecOp norm = m.norm == "rmsnorm" ? VecOp::Rmsnorm : VecOp::Layernorm;

    vec("attn_norm", l, norm, M * H);
    maybe_quant("attn_quant", l, m.attn_proj, M * H);
    linear("q_proj", l, M);
    linear("k_proj", l, M);
    linear("v_proj", l, M);
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
    linear("o_proj", l, M);
    vec("attn_residual", l, VecOp::Add, M * H, 2, M * H);

    vec("ffn_norm", l, norm, M * H);
    if (m.lut_mlp.enabled && !opt.lut_mlp_as_mac) {
      lut_ffn(l, M);
      vec("ffn_residual", l, VecOp::Add, M * H, 2, M * H);
      return;
    }
    maybe_quant("ffn_quant", l, m.ffn_w, M * H);
    if (m.gated_ffn()) {
      linear("ffn_gate", l, M);
      linear("ffn_up", l, M);
      vec("ffn_act", l, m.ffn_activation == "swiglu" ? VecOp::Swiglu : VecOp::Relu2Glu, M * F, 2, M * F);
    } else {
      linear("ffn_up", l, M);
      vec("ffn_act", l, VecOp::Gelu, M * F);
    }
    if (m.subln) vec("ffn_subln", l, norm, M * F);
    maybe_quant("down_quant", l, m.ffn_w, M * F);
    linear("ffn_down", l, M);
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
};

// A model family: how a workload of that family becomes ops, and its closed-form MAC counts. Each
// family is one file (ir/family_<name>.cpp); model_family() lists them by the name `model.family` uses.
struct ModelFamily {
  const char* name;
  std::vector<Op> (*build)(const WorkloadSpec& w, const GraphOptions& opt);  // every op of the scenario
  uint64_t (*prefill_macs)(const WorkloadSpec& w);
  uint64_t (*decode_step_macs)(const WorkloadSpec& w, uint64_t kv_len);  // 0 for a family without decode
};

const ModelFamily& decoder_family();
const ModelFamily& encoder_family();
const ModelFamily& gemm_list_family();
const ModelFamily& model_family(const std::string& name);  // std::out_of_range for an unknown family

// MACs per token of one block's linear layers (the block table, spec/model_ops.h).
uint64_t layer_linear_macs_per_token(const ModelSpec& m);

}  // namespace lpusim
