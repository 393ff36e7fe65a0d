#include "sim/compiler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include "sim/config_error.h"
#include "sim/dram_layout.h"
#include "sim/weight_source.h"

namespace lpusim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
uint64_t bits_to_bytes(double bits) { return static_cast<uint64_t>(std::ceil(bits / 8.0)); }

bool has_vec_op(const UnitSpec& u, VecOp v) {
  const auto& ops = u.list("ops");
  return std::find(ops.begin(), ops.end(), vec_op_name(v)) != ops.end();
}

const UnitSpec& vector_unit_for(const DesignSpec& d, VecOp v, const std::string& opname) {
  for (const auto& u : d.units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info->caps.count(Capability::VectorOps) && has_vec_op(u, v)) return u;
  }
  throw ConfigError(d.file + ": units: no unit supports vector op '" + std::string(vec_op_name(v)) +
                    "' needed by '" + opname + "' (add it to a vector_unit's ops list)");
}

uint32_t unit_index(const DesignSpec& d, const UnitSpec* u) {
  return static_cast<uint32_t>(u - d.units.data());
}

}  // namespace

uint64_t ternary_bytes(uint64_t n, const std::string& format) {
  return format == "base3" ? ceil_div(n, 5) : ceil_div(n, 4);
}

GemmTiling choose_gemm_tiling(uint64_t M, uint64_t K, uint64_t N, double a_bits, double w_bits,
                              double acc_bits, uint64_t rows, uint64_t cols, uint64_t wbuf_half_bits,
                              uint64_t abuf_half_bits, const std::string& what) {
  GemmTiling t{0, K, 0};
  uint64_t tn = static_cast<uint64_t>(wbuf_half_bits / (static_cast<double>(K) * w_bits));
  if (tn >= N) {
    tn = N;
  } else if (tn >= cols) {
    tn -= tn % cols;
  } else {
    // A full-K column block does not fit: split K, keep one array-width of columns.
    tn = std::min<uint64_t>(N, cols);
    t.tk = std::min<uint64_t>(K, static_cast<uint64_t>(wbuf_half_bits / (static_cast<double>(tn) * w_bits)));
    if (t.tk == 0) {
      throw ConfigError(what + ": weight buffer half (" + std::to_string(wbuf_half_bits / 8) +
                        " B) cannot hold one " + std::to_string(tn) + "-column weight slice");
    }
  }
  t.tn = tn;
  uint64_t tm = static_cast<uint64_t>(abuf_half_bits / (static_cast<double>(t.tk) * a_bits +
                                                        static_cast<double>(t.tn) * acc_bits));
  if (tm >= M) {
    tm = M;
  } else if (tm >= rows) {
    tm -= tm % rows;
  }
  if (tm == 0) {
    throw ConfigError(what + ": activation buffer half (" + std::to_string(abuf_half_bits / 8) +
                      " B) cannot hold one activation row of " + std::to_string(t.tk) + " elements plus " +
                      std::to_string(t.tn) + " accumulators");
  }
  t.tm = tm;
  return t;
}

GemmPath choose_gemm_unit(const DesignSpec& d, WeightClass wc) {
  GemmPath p;
  if (wc == WeightClass::Ternary) {
    if ((p.unit = d.first_with(Capability::TernaryGemm))) {
      p.path = "ternary";
      return p;
    }
  }
  Capability want = wc == WeightClass::KvCache ? Capability::ActGemm : Capability::Fp16Gemm;
  if ((p.unit = d.first_with(want))) {
    p.path = "fp16";
    if (wc == WeightClass::Ternary) p.note = "ternary layer run with FP16 weights (no ternary unit)";
    return p;
  }
  for (const auto& u : d.units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info->caps.count(Capability::VectorOps) && has_vec_op(u, VecOp::Mac)) {
      p.unit = &u;
      p.path = "vector";
      p.note = "no matrix unit for this op: MACs on the vector unit";
      return p;
    }
  }
  throw ConfigError(d.file + ": units: no unit can run a " +
                    std::string(wc == WeightClass::KvCache ? "activation x activation" : "weight") +
                    " GEMM (add a MAC array, or 'mac' to a vector_unit's ops)");
}

Program compile(const WorkloadSpec& w, const DesignSpec& d, bool single_decode_step,
                const IWeightSource* weights) {
  std::unique_ptr<IWeightSource> own_weights;
  if (!weights) {
    own_weights = make_weight_source(w);
    weights = own_weights.get();
  }
  // Decode steps and m-tiles revisit the same weight blocks: look each up once.
  std::map<std::tuple<int, std::string, uint64_t, uint64_t, uint64_t, uint64_t>, uint64_t> nonzero_cache;
  GraphOptions gopt;
  gopt.single_decode_step = single_decode_step;
  gopt.quantize_ternary_inputs = d.first_with(Capability::TernaryGemm) != nullptr;
  std::vector<Op> graph = build_graph(w, gopt);

  Program prog;
  std::map<std::tuple<int, int, std::string>, uint32_t> key_index;
  const uint64_t abuf_half_bits = d.activation_buffer.bytes() * 8 / 2;
  const uint64_t wbuf_half_bits = d.weight_buffer.bytes() * 8 / 2;
  const uint64_t act_half_bytes = d.activation_buffer.bytes() / 2;
  const uint32_t kv_bits = w.model.kv_cache == Precision::Int8 ? 8 : 16;

  // DRAM layout (sim/dram_layout.h): activation ping-pong buffers sized for the largest op, KV
  // regions for the longest context.
  DramLayout layout;
  uint64_t act_region = 0;
  for (const Op& op : graph) act_region = std::max(act_region, (op.in_elements * op.in_operands + op.out_elements) * 2);
  const uint64_t act_base[2] = {layout.region(-1, "activations_0", act_region), layout.region(-1, "activations_1", act_region)};
  const uint64_t max_ctx = static_cast<uint64_t>(std::max<int64_t>(w.scenario.prompt_tokens + w.scenario.generated_tokens - 1,
                                                                   w.scenario.prompt_tokens + 1));
  const uint64_t head_dim = static_cast<uint64_t>(w.model.hidden / w.model.heads);
  const uint64_t kv_slice_bytes = head_dim * max_ctx * kv_bits / 8;
  const uint64_t kv_region_bytes = static_cast<uint64_t>(w.scenario.batch * w.model.kv_heads) * kv_slice_bytes;

  for (const Op& op : graph) {
    ProgramOp po;
    po.op = op;
    auto kt = std::make_tuple(static_cast<int>(op.phase), op.layer, op.name);
    auto it = key_index.find(kt);
    if (it == key_index.end()) {
      it = key_index.emplace(kt, static_cast<uint32_t>(prog.keys.size())).first;
      prog.keys.push_back({op.phase, op.layer, op.name});
    }
    po.stat_key = it->second;
    po.first_tile = static_cast<uint32_t>(prog.tiles.size());
    const uint32_t op_idx = static_cast<uint32_t>(prog.ops.size());
    const std::string what = d.file + ": " + phase_name(op.phase) + " " + op.name;

    if (op.kind == OpKind::Gemm) {
      GemmPath gp = choose_gemm_unit(d, op.wclass);
      po.unit = unit_index(d, gp.unit);
      po.unit_name = gp.unit->name;
      po.note = gp.note;
      Tile proto;
      proto.op = op_idx;
      proto.unit = po.unit;
      proto.kind = OpKind::Gemm;
      uint64_t rows = 1, cols = 1;
      double w_bits = 16;
      std::string fmt;
      if (gp.path == "ternary") {
        rows = gp.unit->i("rows");
        cols = gp.unit->i("cols");
        fmt = gp.unit->e("weight_format");
        w_bits = fmt == "base3" ? 8.0 / 5.0 : 2.0;
        proto.a_bits = 8;
        proto.acc_bits = static_cast<uint32_t>(gp.unit->i("accumulator_bits"));
      } else if (gp.path == "fp16") {
        rows = gp.unit->i("rows");
        cols = gp.unit->i("cols");
        w_bits = op.wclass == WeightClass::KvCache ? kv_bits : 16;
        proto.acc_bits = gp.unit->e("accumulate") == "fp32" ? 32 : 16;
      } else {
        cols = gp.unit->i("lanes");
        w_bits = op.wclass == WeightClass::KvCache ? kv_bits : 16;
        proto.acc_bits = 32;
      }
      proto.w_bits = static_cast<uint32_t>(std::ceil(w_bits));
      const bool in_on_chip = bits_to_bytes(static_cast<double>(op.in_elements) * proto.a_bits) <= act_half_bytes;
      po.out_on_chip = op.out_elements * 2 <= act_half_bytes;
      if (po.note.empty() && op.wclass == WeightClass::KvCache) po.note = "attention on " + gp.path + " path";
      GemmTiling t = choose_gemm_tiling(op.M, op.K, op.N, proto.a_bits, w_bits, proto.acc_bits, rows, cols,
                                        wbuf_half_bits, abuf_half_bits, what);
      const bool kv = op.wclass == WeightClass::KvCache;
      const uint64_t w_base = kv ? layout.region(op.layer, op.name, kv_region_bytes)
                                 : layout.region(op.layer, op.name, bits_to_bytes(static_cast<double>(op.K * op.N) * w_bits));
      uint64_t act_in = 0, act_out = 0;  // running offsets into the ping-pong buffers
      for (uint64_t g = 0; g < op.gemm_count; ++g) {
        for (uint64_t m0 = 0; m0 < op.M; m0 += t.tm) {
          for (uint64_t n0 = 0; n0 < op.N; n0 += t.tn) {
            for (uint64_t k0 = 0; k0 < op.K; k0 += t.tk) {
              Tile tl = proto;
              tl.m = std::min(t.tm, op.M - m0);
              tl.n = std::min(t.tn, op.N - n0);
              tl.k = std::min(t.tk, op.K - k0);
              tl.first_k = k0 == 0;
              tl.last_k = k0 + t.tk >= op.K;
              const uint64_t wcount = tl.k * tl.n;
              if (gp.path == "ternary") {
                auto key = std::make_tuple(op.layer, op.name, k0, tl.k, n0, tl.n);
                auto hit = nonzero_cache.find(key);
                if (hit == nonzero_cache.end()) {
                  hit = nonzero_cache
                            .emplace(key, weights->block(op.layer, op.name, k0, tl.k, n0, tl.n, false).nonzero)
                            .first;
                }
                tl.w_nonzero = hit->second;
                tl.load_weight_bytes = ternary_bytes(wcount, fmt);
              } else {
                tl.w_nonzero = wcount;
                tl.load_weight_bytes = bits_to_bytes(static_cast<double>(wcount) * w_bits);
              }
              if (!in_on_chip && (n0 == 0 || t.tk < op.K)) {
                tl.load_act_bytes = bits_to_bytes(static_cast<double>(tl.m * tl.k) * tl.a_bits);
              }
              if (!po.out_on_chip && tl.last_k) tl.store_bytes = tl.m * tl.n * tl.out_bits / 8;
              tl.load_depends_on_prev_op = tl.load_act_bytes > 0 || op.wclass == WeightClass::KvCache;
              tl.load_weight_addr = w_base + (kv ? g * kv_slice_bytes : 0) +
                                    static_cast<uint64_t>(static_cast<double>(n0 * op.K + k0 * tl.n) * w_bits / 8.0);
              tl.load_act_addr = act_base[(op_idx + 1) % 2] + act_in;
              tl.store_addr = act_base[op_idx % 2] + act_out;
              act_in += tl.load_act_bytes;
              act_out += tl.store_bytes;
              prog.tiles.push_back(tl);
            }
          }
        }
      }
    } else {
      const UnitSpec& u = vector_unit_for(d, op.vop, op.name);
      po.unit = unit_index(d, &u);
      po.unit_name = u.name;
      const uint32_t in_bits = 16;
      const uint32_t out_bits = op.vop == VecOp::Quantize ? 8 : op.vop == VecOp::Copy ? kv_bits : 16;
      const bool in_on_chip = op.vop != VecOp::Gather && op.in_elements * in_bits / 8 <= act_half_bytes;
      po.out_on_chip = op.vop != VecOp::Copy && op.out_elements * out_bits / 8 <= act_half_bytes;
      if (op.vop == VecOp::Copy) po.note = "appends K and V of the new tokens to the DRAM KV cache";
      const uint64_t bits_per_elem = static_cast<uint64_t>(op.in_operands) * in_bits + out_bits;
      const uint64_t chunk = std::max<uint64_t>(1, abuf_half_bits / bits_per_elem);
      const double out_ratio = static_cast<double>(op.out_elements) / static_cast<double>(op.elements);
      const uint64_t gather_base = op.vop == VecOp::Gather ? layout.region(-1, op.name, w.model.vocab * w.model.hidden * 2) : 0;
      if (op.vop == VecOp::Copy) layout.region(op.layer, "attn_score", kv_region_bytes);  // K cache of the layer
      uint64_t act_in = 0, act_out = 0;
      for (uint64_t e0 = 0; e0 < op.elements; e0 += chunk) {
        Tile tl;
        tl.op = op_idx;
        tl.unit = po.unit;
        tl.kind = OpKind::Vector;
        tl.vop = op.vop;
        tl.elements = std::min(chunk, op.elements - e0);
        tl.in_operands = op.in_operands;
        tl.out_bits = out_bits;
        const uint64_t out_e = static_cast<uint64_t>(static_cast<double>(tl.elements) * out_ratio);
        if (op.vop == VecOp::Gather) {
          tl.load_weight_bytes = tl.elements * 2;  // embedding rows, FP16
        } else if (!in_on_chip) {
          tl.load_act_bytes = tl.elements * op.in_operands * in_bits / 8;
          tl.load_depends_on_prev_op = true;
        }
        if (!po.out_on_chip) tl.store_bytes = out_e * out_bits / 8;
        tl.load_weight_addr = gather_base + e0 * 2 % std::max<uint64_t>(1, w.model.vocab * w.model.hidden * 2);
        tl.load_act_addr = act_base[(op_idx + 1) % 2] + act_in;
        tl.store_addr = op.vop == VecOp::Copy ? layout.append(op.layer, "attn_score", tl.store_bytes)
                                              : act_base[op_idx % 2] + act_out;
        act_in += tl.load_act_bytes;
        act_out += tl.store_bytes;
        prog.tiles.push_back(tl);
      }
    }
    po.num_tiles = static_cast<uint32_t>(prog.tiles.size()) - po.first_tile;
    prog.ops.push_back(std::move(po));
  }
  return prog;
}

Footprint footprint(const WorkloadSpec& w, const DesignSpec& d) {
  const ModelSpec& m = w.model;
  const UnitSpec* tern = d.first_with(Capability::TernaryGemm);
  const uint64_t H = m.hidden, F = m.ffn, KV = m.kv_dim(), L = m.layers;
  Footprint f;
  auto add_group = [&](Precision p, uint64_t per_layer_weights, uint64_t tensors_per_layer) {
    if (p == Precision::Ternary && tern) {
      // Each tensor packed separately, plus one FP32 absmean scale per tensor.
      const std::string fmt = tern->e("weight_format");
      const uint64_t per_tensor = per_layer_weights / tensors_per_layer;
      uint64_t b = L * tensors_per_layer * (ternary_bytes(per_tensor, fmt) + 4);
      f.ternary_weights += b;
      f.weights += b;
    } else {
      uint64_t b = L * per_layer_weights * 2;
      f.fp16_weights += b;
      f.weights += b;
    }
  };
  // q, o are H x H; k, v are H x KV (equal sizes only without GQA, so add them one by one).
  add_group(m.attn_proj, H * H, 1);
  add_group(m.attn_proj, H * H, 1);
  add_group(m.attn_proj, H * KV, 1);
  add_group(m.attn_proj, H * KV, 1);
  const uint64_t ffn_mats = m.gated_ffn() ? 3 : 2;
  add_group(m.ffn_w, ffn_mats * H * F, ffn_mats);
  // Embedding and LM head (shared when tied), norm gains: FP16.
  uint64_t fp16 = m.vocab * H * 2 * (m.tied_embeddings ? 1 : 2);
  uint64_t norms = (2 * L + 1) * H + (m.subln ? L * (H + F) : 0);
  fp16 += norms * 2;
  f.fp16_weights += fp16;
  f.weights += fp16;

  const uint64_t kv_bits = m.kv_cache == Precision::Int8 ? 8 : 16;
  const uint64_t max_tokens = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  f.kv_cache = w.scenario.batch * L * 2 * KV * max_tokens * kv_bits / 8;

  GraphOptions gopt;
  gopt.quantize_ternary_inputs = tern != nullptr;
  // Peak activations: the prefill ops dominate; the working set of an op is its inputs plus output,
  // plus the residual stream that stays live across the layer.
  WorkloadSpec prefill_only = w;
  prefill_only.scenario.generated_tokens = 1;
  const uint64_t residual = w.scenario.batch * w.scenario.prompt_tokens * H * 2;
  for (const Op& op : build_graph(prefill_only, gopt)) {
    uint64_t bytes = (op.in_elements + op.out_elements) * 2 + residual;
    f.peak_activations = std::max(f.peak_activations, bytes);
  }
  return f;
}

}  // namespace lpusim
