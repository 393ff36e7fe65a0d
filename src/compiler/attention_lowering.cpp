#include "compiler/attention_lowering.h"

#include <algorithm>
#include <cmath>

#include "base/config_error.h"
#include "datapath/bitattn.h"

namespace lpusim {

namespace {

uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

uint32_t index_of(const DesignSpec& d, const UnitSpec* u) { return static_cast<uint32_t>(u - d.units.data()); }

const UnitSpec* vector_with(const DesignSpec& d, const std::string& vop) {
  for (const auto& u : d.units) {
    if (u.impl != "vector_unit") continue;
    const auto& ops = u.list("ops");
    if (std::find(ops.begin(), ops.end(), vop) != ops.end()) return &u;
  }
  return nullptr;
}

// Planes stored per element of a coded operand (spike adds its sign plane).
uint32_t planes(const std::string& enc, uint32_t T) { return enc == "spike" ? T + 1 : T; }

uint32_t workload_kv_bits(const WorkloadSpec& w) { return w.model.kv_cache == Precision::Int8 ? 8 : 16; }

// Elements of [e0, e0 + e) that fall in [lo, hi).
uint64_t overlap(uint64_t e0, uint64_t e, uint64_t lo, uint64_t hi) {
  const uint64_t a = std::max(e0, lo), b = std::min(e0 + e, hi);
  return b > a ? b - a : 0;
}

// Vector-style tiles (same chunking as the generic vector path): chunks that fit half the
// activation buffer with 16-bit inputs and `out_bits` outputs.
void vector_tiles(const DesignSpec& d, const Op& op, uint32_t op_idx, uint32_t unit, uint32_t out_bits, uint32_t a_bits,
                  ProgramOp& po, std::vector<Tile>& tiles) {
  const uint64_t abuf_half_bits = d.activation_buffer.bytes() * 8 / 2, act_half_bytes = d.activation_buffer.bytes() / 2;
  const bool in_on_chip = op.in_elements * 2 <= act_half_bytes;
  po.out_on_chip = op.vop != VecOp::Copy && op.out_elements * out_bits / 8 <= act_half_bytes;
  const uint64_t chunk =
      std::max<uint64_t>(1, abuf_half_bits / (static_cast<uint64_t>(op.in_operands) * 16 + out_bits));
  for (uint64_t e0 = 0; e0 < op.elements; e0 += chunk) {
    Tile t;
    t.op = op_idx;
    t.unit = unit;
    t.kind = OpKind::Vector;
    t.vop = op.vop;
    t.elements = std::min(chunk, op.elements - e0);
    t.in_operands = op.in_operands;
    t.out_bits = out_bits;
    t.a_bits = a_bits;
    if (!in_on_chip) {
      t.load_act_bytes = t.elements * op.in_operands * 2;
      t.load_depends_on_prev_op = true;
    }
    if (!po.out_on_chip) t.store_bytes = cdiv(t.elements * out_bits, 8);
    tiles.push_back(t);
  }
}

struct EngineGemm {
  uint32_t unit = 0;
  uint32_t a_bits = 1, w_bits = 1, a_planes = 1, w_planes = 1, acc_bits = 32;
  bool a_unsigned = false;
  uint64_t rows = 1;        // m rounding (query rows / array rows)
  uint64_t w_cap_bits = 0;  // stationary bits per tile (half K buffer / half weight buffer)
  double w_store_bits = 1;  // DRAM bits per stationary element
};

// Tiles of an attention GEMM on a bit engine or array: n (keys / V columns) split so the stationary
// slice fits w_cap_bits, k split only when one column does not fit, m split to the activation buffer.
void gemm_tiles(const DesignSpec& d, const Op& op, uint32_t op_idx, const EngineGemm& g, const std::string& what,
                ProgramOp& po, std::vector<Tile>& tiles) {
  const uint64_t abuf_half_bits = d.activation_buffer.bytes() * 8 / 2, act_half_bytes = d.activation_buffer.bytes() / 2;
  uint64_t tk = op.K, tn = g.w_cap_bits / (op.K * g.w_planes);
  if (tn >= op.N) {
    tn = op.N;
  } else if (tn == 0) {
    tn = 1;
    tk = g.w_cap_bits / g.w_planes;
    if (tk == 0) throw ConfigError(what + ": the stationary buffer cannot hold one coded element");
  }
  uint64_t tm = abuf_half_bits / (tk * g.a_planes + tn * g.acc_bits);
  if (tm >= op.M) {
    tm = op.M;
  } else if (tm >= g.rows) {
    tm -= tm % g.rows;
  }
  if (tm == 0) throw ConfigError(what + ": activation buffer half cannot hold one coded query row plus its scores");
  const bool in_on_chip = cdiv(op.in_elements * g.a_planes, 8) <= act_half_bytes;
  po.out_on_chip = op.out_elements * 2 <= act_half_bytes;
  for (uint64_t c = 0; c < op.gemm_count; ++c) {
    for (uint64_t m0 = 0; m0 < op.M; m0 += tm) {
      for (uint64_t n0 = 0; n0 < op.N; n0 += tn) {
        for (uint64_t k0 = 0; k0 < op.K; k0 += tk) {
          Tile t;
          t.op = op_idx;
          t.unit = g.unit;
          t.kind = OpKind::Gemm;
          t.m = std::min(tm, op.M - m0);
          t.n = std::min(tn, op.N - n0);
          t.k = std::min(tk, op.K - k0);
          t.first_k = k0 == 0;
          t.last_k = k0 + tk >= op.K;
          t.a_bits = g.a_bits;
          t.w_bits = g.w_bits;
          t.acc_bits = g.acc_bits;
          t.a_unsigned = g.a_unsigned;
          t.w_nonzero = t.k * t.n;
          t.load_weight_bytes = static_cast<uint64_t>(std::ceil(static_cast<double>(t.k * t.n) * g.w_store_bits / 8.0));
          if (!in_on_chip && (n0 == 0 || tk < op.K)) t.load_act_bytes = cdiv(t.m * t.k * g.a_planes, 8);
          if (!po.out_on_chip && t.last_k) t.store_bytes = t.m * t.n * t.out_bits / 8;
          t.load_depends_on_prev_op = true;
          tiles.push_back(t);
        }
      }
    }
  }
}

std::string engine_desc(const UnitSpec& e, uint32_t T) {
  return e.name + " (" + e.e("encoding") + ", T=" + std::to_string(T) + ")";
}

}  // namespace

std::vector<AttnGraphPath> attention_graph_paths(const WorkloadSpec& w, const DesignSpec& d) {
  std::vector<AttnGraphPath> out;
  const AttentionSpec& a = d.attention;
  if (!a.present) return out;
  for (const auto& kv : a.overrides) {
    if (kv.first >= w.model.layers) {
      throw ConfigError(a.overrides_where + ": attention.layer_overrides: layer " + std::to_string(kv.first) +
                        " does not exist (workload " + w.name + " has " + std::to_string(w.model.layers) + " layers)");
    }
  }
  const bool binarised = a.kv_cache == "binarised";
  for (int64_t l = 0; l < w.model.layers; ++l) {
    const AttentionLayerPath& p = a.path(static_cast<int>(l));
    AttnGraphPath g;
    g.encode_qk = p.scores == "popcount";
    g.encode_pv = p.context == "popcount" || p.context == "ternary";
    g.softmax_lut = p.softmax == "int_lut";
    g.k_binarised = binarised && g.encode_qk;
    g.v_binarised = binarised && g.encode_pv;
    out.push_back(g);
  }
  return out;
}

KvBits attention_kv_bits(const WorkloadSpec& w, const DesignSpec& d, int layer) {
  KvBits b;
  b.k = b.v = workload_kv_bits(w);
  const AttentionSpec& a = d.attention;
  if (!a.present || a.kv_cache != "binarised" || layer < 0) return b;
  const UnitSpec& e = *attention_engine(d);
  const std::string enc = e.e("encoding");
  const AttentionLayerPath& p = a.path(layer);
  if (p.scores == "popcount") b.k = planes(enc, static_cast<uint32_t>(e.i("T")));
  if (p.context == "popcount") b.v = enc == "sign" ? 1 : planes(enc, static_cast<uint32_t>(e.i("context_T")));
  if (p.context == "ternary") b.v = 2;
  return b;
}

uint64_t attention_kv_cache_bytes(const WorkloadSpec& w, const DesignSpec& d) {
  const uint64_t max_tokens = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  const uint64_t per_layer_elems = w.scenario.batch * w.model.kv_dim() * max_tokens;
  uint64_t bits = 0;
  for (int64_t l = 0; l < w.model.layers; ++l) {
    const KvBits b = attention_kv_bits(w, d, static_cast<int>(l));
    bits += per_layer_elems * (b.k + b.v);
  }
  return cdiv(bits, 8);
}

bool lower_attention_op(const WorkloadSpec& w, const DesignSpec& d, const Op& op, uint32_t op_idx, ProgramOp& po,
                        std::vector<Tile>& tiles) {
  const AttentionSpec& a = d.attention;
  if (!a.present || op.layer < 0) return false;
  const AttentionLayerPath& p = a.path(op.layer);
  const UnitSpec& eng = *attention_engine(d);
  const std::string enc = eng.e("encoding");
  const uint32_t T = static_cast<uint32_t>(eng.i("T")), cT = static_cast<uint32_t>(eng.i("context_T"));
  const KvBits kvb = attention_kv_bits(w, d, op.layer);
  const bool binarised = a.kv_cache == "binarised";
  const std::string what =
      d.file + ": " + phase_name(op.phase) + " " + op.name + " (layer " + std::to_string(op.layer) + ")";
  const uint64_t half_w = d.weight_buffer.bytes() * 8 / 2;

  if (op.name == "qk_encode" || op.name == "pv_encode") {
    const bool qk = op.name == "qk_encode";
    const bool on_engine = eng.e("encoder") == "engine" && (qk || p.context == "popcount");
    const UnitSpec* u = on_engine ? &eng : vector_with(d, "quantize");
    if (!u) throw ConfigError(what + ": no vector_unit lists 'quantize' for the attention encoder");
    const uint32_t code_T = qk ? T : cT;
    const uint32_t out_bits = qk ? planes(enc, T) : p.context == "ternary" ? 8 : planes(enc, cT);
    po.unit = index_of(d, u);
    po.unit_name = u->name;
    vector_tiles(d, op, op_idx, po.unit, out_bits, code_T, po, tiles);
    // The cached operand (K or V) is the tail of the op's elements: from activations when only the
    // new tokens are coded (binarised cache), else the whole cache is read and the coded copy spilled.
    const uint64_t cache = binarised ? 0 : w.scenario.batch * op.kv_len * w.model.kv_dim();
    uint64_t e0 = 0;
    for (size_t i = po.first_tile; i < tiles.size(); ++i) {
      const uint64_t c = overlap(e0, tiles[i].elements, op.elements - cache, op.elements);
      if (c) {
        // The cached part comes from DRAM at the cache's precision, not from the activation input.
        tiles[i].load_act_bytes -= std::min(tiles[i].load_act_bytes, c * 2);
        tiles[i].load_weight_bytes = cdiv(c * workload_kv_bits(w), 8);
        tiles[i].store_bytes = std::max(tiles[i].store_bytes, cdiv(c * out_bits, 8));
        tiles[i].load_depends_on_prev_op = true;
      }
      e0 += tiles[i].elements;
    }
    const std::string what_codes = qk                       ? (cache ? "Q and the K cache" : "Q and the new K")
                                   : p.context == "ternary" ? "P to INT8 and V to ternary"
                                                            : "P and V";
    po.note = std::string("codes ") + what_codes + " to " + std::to_string(out_bits) + " bit(s)/element on " +
              (on_engine ? "the engine's encoder stage" : "the vector unit") +
              (cache ? "; the full-precision cache is read and coded every pass" : "");
    return true;
  }
  if (op.name == "kv_append" && (kvb.k != workload_kv_bits(w) || kvb.v != workload_kv_bits(w))) {
    const UnitSpec* u = vector_with(d, "copy");
    if (!u) throw ConfigError(what + ": no vector_unit lists 'copy'");
    po.unit = index_of(d, u);
    po.unit_name = u->name;
    vector_tiles(d, op, op_idx, po.unit, (kvb.k + kvb.v + 1) / 2, 16, po, tiles);
    // First half of the elements is K, second half V.
    uint64_t e0 = 0;
    for (size_t i = po.first_tile; i < tiles.size(); ++i) {
      const uint64_t k = overlap(e0, tiles[i].elements, 0, op.elements / 2);
      tiles[i].store_bytes = cdiv(k * kvb.k + (tiles[i].elements - k) * kvb.v, 8);
      e0 += tiles[i].elements;
    }
    po.note = "appends K (" + std::to_string(kvb.k) + " bits/element) and V (" + std::to_string(kvb.v) +
              " bits/element) of the new tokens to the DRAM KV cache";
    return true;
  }
  if (op.name == "softmax") {
    const bool lut = p.softmax == "int_lut";
    const UnitSpec* u = vector_with(d, lut ? "softmax_lut" : "softmax");
    po.unit = index_of(d, u);
    po.unit_name = u->name;
    vector_tiles(d, op, op_idx, po.unit, 16, 16, po, tiles);
    po.note = lut ? "integer/LUT softmax on the vector unit" : "FP16 softmax on the vector unit";
    return true;
  }
  // What both engine GEMMs share: the unit, its score accumulators and query rows, and K tiles
  // bounded by half the weight buffer and half the engine's K-bit buffer (double buffering).
  auto engine_gemm = [&]() {
    EngineGemm g;
    g.unit = index_of(d, &eng);
    g.acc_bits = static_cast<uint32_t>(eng.i("score_accumulator_bits"));
    g.rows = static_cast<uint64_t>(eng.i("query_rows"));
    g.w_cap_bits = std::min<uint64_t>(half_w, static_cast<uint64_t>(eng.i("k_buffer_kib")) * 1024 * 8 / 2);
    return g;
  };
  if (op.name == "attn_score" && p.scores == "popcount") {
    EngineGemm g = engine_gemm();
    g.a_bits = g.w_bits = T;
    g.a_planes = g.w_planes = planes(enc, T);
    g.w_store_bits = g.w_planes;
    gemm_tiles(d, op, op_idx, g, what, po, tiles);
    po.unit = g.unit;
    po.unit_name = eng.name;
    po.note = "scores on popcount engine " + engine_desc(eng, T) + ", " +
              (binarised ? "binarised K cache (" + std::to_string(g.w_planes) + " bits/element)"
                         : "K coded every pass from the full-precision cache");
    return true;
  }
  if (op.name == "attn_context" && p.context == "popcount") {
    EngineGemm g = engine_gemm();
    g.a_bits = cT;
    g.w_bits = enc == "sign" ? 1 : cT;
    g.a_planes = planes(enc, cT);
    g.w_planes = enc == "sign" ? 1 : planes(enc, cT);
    g.a_unsigned = true;
    g.w_store_bits = g.w_planes;
    gemm_tiles(d, op, op_idx, g, what, po, tiles);
    po.unit = g.unit;
    po.unit_name = eng.name;
    po.note = "context on popcount engine " + engine_desc(eng, cT) + " with coded P (unsigned) and V (" +
              std::to_string(g.w_planes) + " bits/element)";
    return true;
  }
  if (op.name == "attn_context" && p.context == "ternary") {
    const UnitSpec& t = *d.first_with(Capability::TernaryGemm);
    EngineGemm g;
    g.unit = index_of(d, &t);
    g.a_bits = 8;
    g.w_bits = 2;
    g.a_planes = 8;
    g.w_planes = 2;
    g.acc_bits = static_cast<uint32_t>(t.i("accumulator_bits"));
    g.rows = static_cast<uint64_t>(t.i("rows"));
    g.w_cap_bits = half_w;
    g.w_store_bits = 2;  // the coded V (from the binarised cache or from pv_encode's spill)
    gemm_tiles(d, op, op_idx, g, what, po, tiles);
    po.unit = g.unit;
    po.unit_name = t.name;
    po.note = "context on ternary array " + t.name + ": INT8 P x ternary V (every V weight counted nonzero)";
    return true;
  }
  return false;
}

}  // namespace lpusim
