#include "compiler/compiler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include "base/config_error.h"
#include "compiler/attention_lowering.h"
#include "compiler/dram_layout.h"
#include "compiler/lut_lowering.h"
#include "compiler/mapper.h"
#include "datapath/systolic.h"
#include "spec/model_ops.h"
#include "spec/unit_registry.h"
#include "units/ternary_mac_array/weight_format.h"
#include "workload/weight_source.h"

namespace lpusim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
uint64_t bits_to_bytes(double bits) { return static_cast<uint64_t>(std::ceil(bits / 8.0)); }

bool has_vec_op(const UnitSpec& u, VecOp v) {
  const auto& ops = u.list("ops");
  return std::find(ops.begin(), ops.end(), vec_op_name(v)) != ops.end();
}

// The first unit (file order) whose registration takes the op (its lowering hook, units/unit_def.h).
const UnitSpec& vector_unit_for(const DesignSpec& d, const Op& op) {
  for (const auto& u : d.units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info->takes && info->takes(u, op)) return u;
  }
  throw ConfigError(d.file + ": units: no unit supports vector op '" + std::string(vec_op_name(op.vop)) +
                    "' needed by '" + op.name + "' (add it to a vector_unit's ops list)");
}

uint32_t unit_index(const DesignSpec& d, const UnitSpec* u) { return static_cast<uint32_t>(u - d.units.data()); }

}  // namespace

bool int_inputs_quantized(const WorkloadSpec& w, const DesignSpec& d) {
  // The integer layers' activations are quantised to INT8 when those layers run on an int_mac_array.
  for (Precision p : {w.model.attn_proj, w.model.ffn_w}) {
    if ((p == Precision::Int8 || p == Precision::Int4) && choose_gemm_unit(d, weight_class(p)).path == "int")
      return true;
  }
  return false;
}

uint64_t int_weight_bytes(uint64_t k, uint64_t n, uint32_t bits, uint64_t group, bool with_column_scales) {
  // Two's-complement weights, packed (INT4: two per byte), then FP16 scales: one per K group of a
  // column (int4), or one per column (int8, stored with the column's first K block).
  const uint64_t w = ceil_div(k * n * bits, 8);
  if (group > 0) return w + ceil_div(k, group) * n * 2;
  return w + (with_column_scales ? n * 2 : 0);
}

uint64_t ternary_bytes(uint64_t n, const std::string& format) {
  TernaryStorage s;
  s.format = parse_ternary_format(format);
  return ceil_div(ternary_block_bits(s, n, 1, n), 8);
}

GemmTiling choose_gemm_tiling(uint64_t M, uint64_t K, uint64_t N, double a_bits, double w_bits, double acc_bits,
                              uint64_t rows, uint64_t cols, uint64_t wbuf_half_bits, uint64_t abuf_half_bits,
                              const std::string& what) {
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
      throw ConfigError(what + ": weight buffer half (" + std::to_string(wbuf_half_bits / 8) + " B) cannot hold one " +
                        std::to_string(tn) + "-column weight slice");
    }
  }
  t.tn = tn;
  uint64_t tm = static_cast<uint64_t>(abuf_half_bits /
                                      (static_cast<double>(t.tk) * a_bits + static_cast<double>(t.tn) * acc_bits));
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
  auto all_with = [&](Capability c) {
    for (const auto& u : d.units) {
      if (UnitRegistry::instance().find(u.impl)->caps.count(c)) p.arrays.push_back(&u);
    }
    p.unit = p.arrays.empty() ? nullptr : p.arrays.front();
    return p.unit != nullptr;
  };
  if (wc == WeightClass::Ternary && all_with(Capability::TernaryGemm)) {
    p.path = "ternary";
    return p;
  }
  const bool int_w = wc == WeightClass::Int8 || wc == WeightClass::Int4;
  const int64_t need_bits = wc == WeightClass::Int8 ? 8 : 4;
  if (int_w) {
    // Integer arrays whose weight port is at least as wide as the layer's weights (an INT4 layer
    // also runs on an 8-bit array, its weights sign-extended).
    for (const auto& u : d.units) {
      if (UnitRegistry::instance().find(u.impl)->caps.count(Capability::IntGemm) && u.i("weight_bits") >= need_bits) {
        p.arrays.push_back(&u);
      }
    }
    if (!p.arrays.empty()) {
      p.unit = p.arrays.front();
      p.path = "int";
      return p;
    }
  }
  // No unit for the layer's weight type: like a ternary layer without a ternary array, an integer
  // layer runs as the FP16 layer it was quantised from.
  if (all_with(wc == WeightClass::KvCache ? Capability::ActGemm : Capability::Fp16Gemm)) {
    p.path = "fp16";
    if (wc == WeightClass::Ternary) p.note = "ternary layer run with FP16 weights (no ternary unit)";
    if (int_w) {
      p.note = std::string(wc == WeightClass::Int8 ? "int8" : "int4") +
               " layer run with FP16 weights (no int_mac_array" +
               (wc == WeightClass::Int8 ? " with weight_bits 8)" : ")");
    }
    return p;
  }
  for (const auto& u : d.units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info->caps.count(Capability::VectorOps) && has_vec_op(u, VecOp::Mac)) {
      p.unit = &u;
      p.arrays = {&u};
      p.path = "vector";
      p.note = "no matrix unit for this op: MACs on the vector unit";
      return p;
    }
  }
  throw ConfigError(d.file + ": units: no unit can run a " +
                    std::string(wc == WeightClass::KvCache ? "activation x activation" : "weight") +
                    " GEMM (add a MAC array, or 'mac' to a vector_unit's ops)");
}

namespace {

TernaryStorage ternary_storage(const UnitSpec& u) {
  TernaryStorage s;
  s.format = parse_ternary_format(u.e("weight_format"));
  s.index_bits = u.i("index_bits");
  return s;
}

// Per column fold of `cols` columns: the nonzeros of its densest column.
std::vector<uint32_t> fold_streams(const std::vector<uint32_t>& col_nonzero, uint64_t cols) {
  std::vector<uint32_t> out((col_nonzero.size() + cols - 1) / cols, 0);
  for (size_t j = 0; j < col_nonzero.size(); ++j) out[j / cols] = std::max(out[j / cols], col_nonzero[j]);
  return out;
}

}  // namespace

Program compile(const WorkloadSpec& w, const DesignSpec& d, bool single_decode_step, const IWeightSource* weights) {
  std::unique_ptr<IWeightSource> own_weights;
  if (!weights) {
    own_weights = make_weight_source(w);
    weights = own_weights.get();
  }
  // Decode steps and m-tiles revisit the same weight blocks: look each up once.
  struct CachedBlock {
    uint64_t nonzero = 0;
    std::shared_ptr<const std::vector<uint32_t>> streams;
  };
  std::map<std::tuple<int, std::string, uint64_t, uint64_t, uint64_t, uint64_t>, CachedBlock> block_cache;
  GraphOptions gopt;
  gopt.single_decode_step = single_decode_step;
  gopt.quantize_ternary_inputs = d.first_with(Capability::TernaryGemm) != nullptr;
  gopt.quantize_int_inputs = int_inputs_quantized(w, d);
  gopt.attn_layers = attention_graph_paths(w, d);
  gopt.lut_mlp_as_mac = d.first_with(Capability::LutLayer) == nullptr;
  std::vector<Op> graph = build_graph(w, gopt);

  Program prog;
  std::map<std::tuple<int, int, std::string>, uint32_t> key_index;
  const uint64_t abuf_half_bits = d.activation_buffer.bytes() * 8 / 2;
  const uint64_t wbuf_half_bits = d.weight_buffer.bytes() * 8 / 2;
  const uint64_t act_half_bytes = d.activation_buffer.bytes() / 2;
  const uint32_t kv_bits = w.model.kv_cache == Precision::Int8 ? 8 : 16;
  LutLowering lut_lowering(w, d);

  // The mapper (compiler/mapper.h) and what it knows of the design, per array kind.
  Mapper mapper;
  std::map<const UnitSpec*, MapperTarget> targets;
  auto mapper_target = [&](const GemmPath& gp) -> const MapperTarget& {
    auto hit = targets.find(gp.unit);
    if (hit != targets.end()) return hit->second;
    return targets.emplace(gp.unit, make_mapper_target(d, gp.arrays)).first->second;
  };

  // DRAM layout (compiler/dram_layout.h): activation ping-pong buffers sized for the largest op, KV
  // regions for the longest context.
  DramLayout layout;
  uint64_t act_region = 0;
  for (const Op& op : graph) act_region = std::max(act_region, (op.in_elements * op.in_operands + op.out_elements) * 2);
  const uint64_t act_base[2] = {layout.region(-1, "activations_0", act_region),
                                layout.region(-1, "activations_1", act_region)};
  const uint64_t max_ctx = static_cast<uint64_t>(
      std::max<int64_t>(w.scenario.prompt_tokens + w.scenario.generated_tokens - 1, w.scenario.prompt_tokens + 1));
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

    if (lower_attention_op(w, d, op, op_idx, po, prog.tiles)) {
      // Mapped by the design's `attention:` section (compiler/attention_lowering.cpp).
    } else if (op.kind == OpKind::Lut) {
      lut_lowering.lower(op, op_idx, po, prog);
    } else if (op.kind == OpKind::Gemm) {
      GemmPath gp = choose_gemm_unit(d, op.wclass);
      po.unit = unit_index(d, gp.unit);
      po.unit_name = gp.unit->name;
      po.note = gp.note;
      const uint64_t n_arrays = gp.arrays.size();
      if (n_arrays > 1) {
        for (size_t i = 1; i < n_arrays; ++i) po.unit_name += "+" + gp.arrays[i]->name;
      }
      std::vector<ArrayShape> shapes;
      if (gp.path != "vector") {
        for (const UnitSpec* u : gp.arrays) shapes.push_back(array_shape(*u));
      }
      Tile proto;
      proto.op = op_idx;
      proto.unit = po.unit;
      proto.kind = OpKind::Gemm;
      uint64_t rows = 1, cols = 1;
      double w_bits = 16;
      uint32_t int_bits = 0;   // int path: stored bits per weight (8 or 4)
      uint64_t int_group = 0;  // int path: K rows per weight scale (int4); 0 = per-column scale
      TernaryStorage store;
      if (gp.path == "ternary") {
        rows = gp.unit->i("rows");
        cols = gp.unit->i("cols");
        store = ternary_storage(*gp.unit);
        // Sparse storage has no fixed width: tile for the dense worst case (all weights nonzero).
        w_bits = store.format == TernaryFormat::Base3 ? 8.0 / 5.0
                 : store.format == TernaryFormat::Sparse
                     ? static_cast<double>(store.index_bits + 1) + (store.index_bits + 1.0) / (1ull << store.index_bits)
                     : 2.0;
        proto.a_bits = 8;
        proto.acc_bits = static_cast<uint32_t>(gp.unit->i("accumulator_bits"));
      } else if (gp.path == "int") {
        rows = gp.unit->i("rows");
        cols = gp.unit->i("cols");
        const bool int4 = op.wclass == WeightClass::Int4;
        int_bits = int4 ? 4 : 8;
        int_group = int4 ? static_cast<uint64_t>(w.model.int4_group_size) : 0;
        // Scale bits amortised over the weights they scale (the mapper's footprint estimate).
        w_bits = int_bits + 16.0 / static_cast<double>(int4 ? int_group : op.K);
        proto.a_bits = 8;
        proto.acc_bits = static_cast<uint32_t>(gp.unit->i("accumulator_bits"));
        proto.w_group = static_cast<uint32_t>(int_group);
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
      proto.w_bits = int_bits ? int_bits : static_cast<uint32_t>(std::ceil(w_bits));
      const bool in_on_chip = bits_to_bytes(static_cast<double>(op.in_elements) * proto.a_bits) <= act_half_bytes;
      po.out_on_chip = op.out_elements * 2 <= act_half_bytes;
      if (po.note.empty() && op.wclass == WeightClass::KvCache) po.note = "attention on " + gp.path + " path";
      if (gopt.lut_mlp_as_mac && w.model.lut_mlp.enabled && op.name.rfind("ffn_", 0) == 0) {
        po.note += std::string(po.note.empty() ? "" : "; ") +
                   "the workload's LUT MLP block run as the MAC MLP it replaces (no lut unit)";
      }
      // The mapping: searched by the mapper on the arrays; the vector path keeps the fixed tiling
      // (largest tiles in 1/A of each buffer half, M outermost).
      GemmProblem gprob;
      gprob.M = op.M;
      gprob.K = op.K;
      gprob.N = op.N;
      gprob.count = op.gemm_count;
      gprob.a_bits = proto.a_bits;
      gprob.w_bits = w_bits;
      gprob.acc_bits = proto.acc_bits;
      gprob.out_bits = proto.out_bits;
      gprob.in_on_chip = in_on_chip;
      gprob.out_on_chip = po.out_on_chip;
      gprob.shared_weights = op.wclass != WeightClass::KvCache;
      GemmMapping mp;
      if (gp.path != "vector") {
        try {
          mp = mapper.map(gprob, mapper_target(gp), what);
        } catch (const ConfigError&) {
          // Say which buffer is too small the way the fixed tiling does, when it does not fit either.
          choose_gemm_tiling(op.M, op.K, op.N, proto.a_bits, w_bits, proto.acc_bits, rows, cols,
                             wbuf_half_bits / n_arrays, abuf_half_bits / n_arrays, what);
          throw;
        }
      } else {
        GemmTiling t = choose_gemm_tiling(op.M, op.K, op.N, proto.a_bits, w_bits, proto.acc_bits, rows, cols,
                                          wbuf_half_bits / n_arrays, abuf_half_bits / n_arrays, what);
        mp.tm = t.tm;
        mp.tk = t.tk;
        mp.tn = t.tn;
        mp.arrays = static_cast<uint32_t>(n_arrays);
      }
      po.window = static_cast<uint32_t>(mp.depth * n_arrays);
      po.mapping = mp.record();
      po.mapping.searched = gp.path != "vector";
      po.mapping.objective = d.mapper_objective;
      const GemmTiling t{mp.tm, mp.tk, mp.tn};
      // Each output tile's K chain stays on one array (its partial sums are local); chains go, in loop
      // order, to the array that would finish its work so far first, by the arrays' closed-form cycles.
      std::vector<uint64_t> array_load(n_arrays, 0);
      const bool kv = op.wclass == WeightClass::KvCache;
      const uint64_t w_base =
          kv ? layout.region(op.layer, op.name, kv_region_bytes)
             : layout.region(op.layer, op.name, bits_to_bytes(static_cast<double>(op.K * op.N) * w_bits));
      uint64_t act_in = 0, act_out = 0;  // running offsets into the ping-pong buffers
      // A block stays on chip while consecutive tiles use it: loaded only when it differs from the
      // previous tile's block.
      std::tuple<uint64_t, uint64_t, uint64_t> prev_w{~0ull, 0, 0}, prev_a{~0ull, 0, 0};
      uint64_t dram_bytes = 0, compulsory = 0;
      const uint64_t mt = ceil_div(op.M, t.tm), nt = ceil_div(op.N, t.tn);
      const bool n_outer = mp.order == LoopOrder::NOuter;
      // One tile of output block (m0, n0) at K offset k0, with its DRAM loads and stores.
      auto make_tile = [&](uint64_t g, uint64_t m0, uint64_t n0, uint64_t k0) {
        Tile tl = proto;
        tl.m = std::min(t.tm, op.M - m0);
        tl.n = std::min(t.tn, op.N - n0);
        tl.k = std::min(t.tk, op.K - k0);
        tl.first_k = k0 == 0;
        tl.last_k = k0 + t.tk >= op.K;
        const uint64_t wcount = tl.k * tl.n;
        uint64_t wbytes = 0;
        if (gp.path == "ternary") {
          const bool sparse = store.format == TernaryFormat::Sparse;
          auto key = std::make_tuple(op.layer, op.name, k0, tl.k, n0, tl.n);
          auto hit = block_cache.find(key);
          if (hit == block_cache.end()) {
            BlockZeros bz = weights->block(op.layer, op.name, k0, tl.k, n0, tl.n, sparse);
            CachedBlock cb;
            cb.nonzero = bz.nonzero;
            if (sparse) cb.streams = std::make_shared<const std::vector<uint32_t>>(fold_streams(bz.col_nonzero, cols));
            hit = block_cache.emplace(key, std::move(cb)).first;
          }
          tl.w_nonzero = hit->second.nonzero;
          tl.nfold_stream = hit->second.streams;
          tl.w_block_bits = ternary_block_bits(store, tl.k, tl.n, tl.w_nonzero);
          wbytes = ceil_div(tl.w_block_bits, 8);
        } else if (gp.path == "int") {
          tl.w_nonzero = wcount;
          tl.w_block_bits = wcount * int_bits;
          wbytes = int_weight_bytes(tl.k, tl.n, int_bits, int_group, k0 == 0);
        } else {
          tl.w_nonzero = wcount;
          tl.w_block_bits = wcount * tl.w_bits;
          wbytes = bits_to_bytes(static_cast<double>(wcount) * w_bits);
        }
        const uint64_t abytes = in_on_chip ? 0 : bits_to_bytes(static_cast<double>(tl.m * tl.k) * tl.a_bits);
        const auto wblock = std::make_tuple(g, k0, n0);
        const auto ablock = std::make_tuple(g, m0, k0);
        if (wblock != prev_w) tl.load_weight_bytes = wbytes;
        if (ablock != prev_a) tl.load_act_bytes = abytes;
        prev_w = wblock;
        prev_a = ablock;
        if (m0 == 0) compulsory += wbytes;
        if (n0 == 0) compulsory += abytes;
        if (!po.out_on_chip && tl.last_k) tl.store_bytes = tl.m * tl.n * tl.out_bits / 8;
        compulsory += tl.store_bytes;
        dram_bytes += tl.load_weight_bytes + tl.load_act_bytes + tl.store_bytes;
        tl.load_depends_on_prev_op = tl.load_act_bytes > 0 || op.wclass == WeightClass::KvCache;
        tl.load_weight_addr = w_base + (kv ? g * kv_slice_bytes : 0) +
                              static_cast<uint64_t>(static_cast<double>(n0 * op.K + k0 * tl.n) * w_bits / 8.0);
        tl.load_act_addr = act_base[(op_idx + 1) % 2] + act_in;
        tl.store_addr = act_base[op_idx % 2] + act_out;
        act_in += tl.load_act_bytes;
        act_out += tl.store_bytes;
        return tl;
      };
      for (uint64_t g = 0; g < op.gemm_count; ++g) {
        if (mp.order == LoopOrder::KMiddle) {
          // N blocks, then M, then K, then N within the block: the row block's output tiles advance
          // together along K; output tile j keeps its partial sums on array j mod A (a split by N).
          const uint64_t nb = mp.nb ? mp.nb : op.N;
          for (uint64_t b0 = 0; b0 < op.N; b0 += nb) {
            for (uint64_t m0 = 0; m0 < op.M; m0 += t.tm) {
              for (uint64_t k0 = 0; k0 < op.K; k0 += t.tk) {
                for (uint64_t j = b0 / t.tn; j < std::min(nt, (b0 + nb) / t.tn); ++j) {
                  Tile tl = make_tile(g, m0, j * t.tn, k0);
                  tl.unit = unit_index(d, gp.arrays[j % n_arrays]);
                  prog.tiles.push_back(std::move(tl));
                }
              }
            }
          }
          continue;
        }
        for (uint64_t outer = 0; outer < (n_outer ? nt : mt); ++outer) {
          for (uint64_t inner = 0; inner < (n_outer ? mt : nt); ++inner) {
            const uint64_t m0 = (n_outer ? inner : outer) * t.tm;
            const uint64_t n0 = (n_outer ? outer : inner) * t.tn;
            std::vector<Tile> chain;
            for (uint64_t k0 = 0; k0 < op.K; k0 += t.tk) chain.push_back(make_tile(g, m0, n0, k0));
            size_t a = 0;
            if (n_arrays > 1) {
              std::vector<uint64_t> finish(n_arrays);
              for (size_t i = 0; i < n_arrays; ++i) {
                const ArrayShape& shape = shapes[i];
                finish[i] = array_load[i];
                for (const Tile& tl : chain) finish[i] += systolic_gemm(shape, tl.m, tl.k, tl.n).cycles;
              }
              a = static_cast<size_t>(std::min_element(finish.begin(), finish.end()) - finish.begin());
              array_load[a] = finish[a];
            }
            for (Tile& tl : chain) {
              tl.unit = unit_index(d, gp.arrays[a]);
              prog.tiles.push_back(std::move(tl));
            }
          }
        }
      }
      po.mapping.dram_bytes = dram_bytes;
      po.mapping.compulsory_dram_bytes = compulsory;
      if (n_arrays > 1) {
        po.note += std::string(po.note.empty() ? "" : "; ") + "split across " + std::to_string(n_arrays) + " arrays " +
                   (po.mapping.split == "by_m" ? "by M (rows)" : "by N (columns)");
      }
    } else {
      const UnitSpec& u = vector_unit_for(d, op);
      po.unit = unit_index(d, &u);
      po.unit_name = u.name;
      const uint32_t in_bits = 16;
      const uint32_t out_bits = op.vop == VecOp::Quantize ? 8 : op.vop == VecOp::Copy ? kv_bits : 16;
      const bool in_on_chip = op.vop != VecOp::Gather && op.in_elements * in_bits / 8 <= act_half_bytes;
      po.out_on_chip = op.vop != VecOp::Copy && op.out_elements * out_bits / 8 <= act_half_bytes;
      if (op.vop == VecOp::Copy) po.note = "appends K and V of the new tokens to the DRAM KV cache";
      const uint64_t bits_per_elem = static_cast<uint64_t>(op.in_operands) * in_bits + out_bits;
      uint64_t chunk = std::max<uint64_t>(1, abuf_half_bits / bits_per_elem);
      // A gather's rows land in the weight buffer: its chunks fit half of that buffer too.
      if (op.vop == VecOp::Gather) chunk = std::max<uint64_t>(1, std::min(chunk, wbuf_half_bits / 16));
      const double out_ratio = static_cast<double>(op.out_elements) / static_cast<double>(op.elements);
      const uint64_t gather_base =
          op.vop == VecOp::Gather ? layout.region(-1, op.name, w.model.vocab * w.model.hidden * 2) : 0;
      if (op.vop == VecOp::Copy) layout.region(op.layer, "attn_score", kv_region_bytes);  // K cache of the layer
      Tile proto;
      proto.op = op_idx;
      proto.unit = po.unit;
      proto.kind = OpKind::Vector;
      proto.vop = op.vop;
      proto.in_operands = op.in_operands;
      proto.out_bits = out_bits;
      // The unit's own lowering if it declares one, else chunks of the activation buffer half.
      std::vector<Tile> shapes;
      if (const UnitLowering& lower = UnitRegistry::instance().find(u.impl)->lower) {
        shapes = lower(u, op, proto, chunk);
      } else {
        for (uint64_t e0 = 0; e0 < op.elements; e0 += chunk) {
          shapes.push_back(proto);
          shapes.back().elements = std::min(chunk, op.elements - e0);
        }
      }
      uint64_t act_in = 0, act_out = 0, e0 = 0;
      for (Tile& tl : shapes) {
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
        e0 += tl.elements;
        prog.tiles.push_back(std::move(tl));
      }
    }
    po.num_tiles = static_cast<uint32_t>(prog.tiles.size()) - po.first_tile;
    if (!po.mapping.searched && po.mapping.compulsory_dram_bytes == 0) {
      // Non-GEMM ops move each operand once: what they move is their minimum.
      for (uint32_t i = po.first_tile; i < po.first_tile + po.num_tiles; ++i) {
        const Tile& tl = prog.tiles[i];
        po.mapping.compulsory_dram_bytes += tl.load_weight_bytes + tl.load_act_bytes + tl.store_bytes;
      }
    }
    prog.ops.push_back(std::move(po));
  }
  return prog;
}

uint64_t model_level_fp16_params(const ModelSpec& m) {
  const uint64_t H = m.hidden;
  if (m.encoder()) {
    // Patch projection (+ bias), class tokens, position table, one classifier (+ bias) per class token.
    return (m.patch_dim() + 1) * H + m.class_tokens * H + m.seq_len() * H + m.class_tokens * (H + 1) * m.classes;
  }
  uint64_t p = m.vocab * H * (m.tied_embeddings ? 1 : 2);
  if (m.position_embedding == "learned") p += m.max_positions * H;
  return p;
}

Footprint footprint(const WorkloadSpec& w, const DesignSpec& d, const IWeightSource* weights) {
  const ModelSpec& m = w.model;
  const UnitSpec* tern = d.first_with(Capability::TernaryGemm);
  const uint64_t H = m.hidden, F = m.ffn, KV = m.kv_dim(), L = m.layers;
  std::unique_ptr<IWeightSource> own_weights;
  if (!weights && tern && tern->e("weight_format") == "sparse") {  // only sparse sizes depend on values
    own_weights = make_weight_source(w);
    weights = own_weights.get();
  }
  Footprint f;
  // Each linear layer's K x N weight tensor, stored in the design's format: packed ternary (plus
  // one FP32 absmean scale per tensor) on a ternary array, FP16 otherwise. Sparse storage depends
  // on each tensor's nonzeros, so it asks the weight source per layer.
  auto add_tensor = [&](Precision p, const std::string& name, uint64_t K, uint64_t N) {
    if (p == Precision::Ternary && tern) {
      const TernaryStorage store = ternary_storage(*tern);
      for (uint64_t l = 0; l < L; ++l) {
        const uint64_t nz = store.format == TernaryFormat::Sparse
                                ? weights->block(static_cast<int>(l), name, 0, K, 0, N, false).nonzero
                                : K * N;
        const uint64_t b = ceil_div(ternary_block_bits(store, K, N, nz), 8) + 4;
        f.ternary_weights += b;
        f.weights += b;
        if (store.format != TernaryFormat::Sparse) {  // same size in every layer
          f.ternary_weights += b * (L - 1);
          f.weights += b * (L - 1);
          break;
        }
      }
    } else if ((p == Precision::Int8 || p == Precision::Int4) && choose_gemm_unit(d, weight_class(p)).path == "int") {
      const bool int4 = p == Precision::Int4;
      const uint64_t b =
          L * int_weight_bytes(K, N, int4 ? 4 : 8, int4 ? static_cast<uint64_t>(m.int4_group_size) : 0, true);
      f.int_weights += b;
      f.weights += b;
    } else {
      const uint64_t b = L * K * N * 2;
      f.fp16_weights += b;
      f.weights += b;
    }
  };
  const bool lut_blocks = m.lut_mlp.enabled && d.first_with(Capability::LutLayer);
  for (const BlockLinear& b : block_linears(m, lut_blocks)) add_tensor(b.precision, b.op->name, b.K, b.N);
  if (lut_blocks) {
    f.lut_weights = lut_mlp_bytes(m.lut_mlp);
    f.weights += f.lut_weights;
  }
  // Embedding and LM head (shared when tied), norm gains: FP16.
  uint64_t fp16 = model_level_fp16_params(m) * 2;
  uint64_t norms = (2 * L + 1) * H + (m.subln ? L * (H + F) : 0);
  if (m.norm == "layernorm") norms *= 2;  // gain and bias
  fp16 += norms * 2;
  // Linear-layer biases stay FP16 (loaded into the accumulators before a tile's first k-block).
  // One bias value per output feature of every linear op of a block.
  if (m.linear_bias) {
    for (const BlockLinear& b : block_linears(m, m.lut_mlp.enabled)) fp16 += L * b.N * 2;
  }
  f.fp16_weights += fp16;
  f.weights += fp16;

  const uint64_t kv_bits = m.kv_cache == Precision::Int8 ? 8 : 16;
  const uint64_t max_tokens = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  f.kv_cache = w.scenario.batch * L * 2 * KV * max_tokens * kv_bits / 8;
  if (d.attention.present) f.kv_cache = attention_kv_cache_bytes(w, d);  // coded K/V per layer

  GraphOptions gopt;
  gopt.quantize_ternary_inputs = tern != nullptr;
  gopt.quantize_int_inputs = int_inputs_quantized(w, d);
  gopt.lut_mlp_as_mac = d.first_with(Capability::LutLayer) == nullptr;
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
