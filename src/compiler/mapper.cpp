#include "compiler/mapper.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "base/config_error.h"
#include "base/math.h"
#include "ir/program.h"
#include "memory/dram_roof.h"
#include "units/compute_unit.h"

namespace lpusim {

MapperObjective parse_mapper_objective(const std::string& s) {
  if (s == "energy") return MapperObjective::Energy;
  if (s == "edp") return MapperObjective::Edp;
  return MapperObjective::Latency;
}

const char* mapper_objective_name(MapperObjective o) {
  switch (o) {
    case MapperObjective::Energy: return "energy";
    case MapperObjective::Edp: return "edp";
    default: return "latency";
  }
}

const char* loop_order_name(LoopOrder o) {
  switch (o) {
    case LoopOrder::NOuter: return "n_outer";
    case LoopOrder::KMiddle: return "k_middle";
    default: return "m_outer";
  }
}

std::string GemmMapping::split() const {
  if (arrays <= 1) return "none";
  return order == LoopOrder::NOuter ? "by_m" : "by_n";
}

OpMapping GemmMapping::record() const {
  OpMapping m;
  m.loop_order = loop_order_name(order);
  m.split = split();
  m.depth = depth;
  m.arrays = arrays;
  m.tm = tm;
  m.tk = tk;
  m.tn = tn;
  m.nb = nb;
  m.compute_cycles = compute_cycles;
  m.sram_cycles = sram_cycles;
  m.fill_cycles = fill_cycles;
  m.est_cycles = cycles;
  m.cache_hit = cache_hit;
  return m;
}

std::string GemmMapping::describe() const { return record().describe(); }

ArrayShape array_shape(const UnitSpec& u) {
  ArrayShape a;
  a.dataflow = parse_dataflow(u.e("dataflow"));
  a.timing = parse_fold_timing(u.e("timing"));
  a.rows = u.i("rows");
  a.cols = u.i("cols");
  a.unpack_stages = u.has_int("unpack_stages") ? u.i("unpack_stages") : 0;
  return a;
}

double design_leakage_uw(const DesignSpec& d) {
  double uw = (d.weight_buffer.size_kib + d.activation_buffer.size_kib) * d.tech.leak("sram_kib");
  for (const auto& u : d.units) {
    if (u.impl == "ternary_mac_array") uw += static_cast<double>(u.i("rows") * u.i("cols")) * d.tech.leak("ternary_pe");
    if (u.impl == "int_mac_array") uw += static_cast<double>(u.i("rows") * u.i("cols")) * d.tech.leak("int8_pe");
    if (u.impl == "fp16_mac_array") uw += static_cast<double>(u.i("rows") * u.i("cols")) * d.tech.leak("fp16_pe");
    if (u.impl == "vector_unit") uw += static_cast<double>(u.i("lanes")) * d.tech.leak("vector_lane");
  }
  return uw;
}

MapperTarget make_mapper_target(const DesignSpec& d, const std::vector<const UnitSpec*>& arrays) {
  MapperTarget t;
  for (const UnitSpec* u : arrays) t.arrays.push_back(array_shape(*u));
  t.wbuf_bits = d.weight_buffer.bytes() * 8;
  t.abuf_bits = d.activation_buffer.bytes() * 8;
  t.wbuf_port_bits = d.weight_buffer.bits_per_cycle_per_port();
  t.abuf_port_bits = d.activation_buffer.bits_per_cycle_per_port();
  t.abuf_ports = d.activation_buffer.ports;
  t.dram_bytes_per_cycle = sustained_read_gb_s(d.dram) / d.clock_ghz;
  t.dram_pj_per_byte = d.dram.e_rd_pj / static_cast<double>(d.dram.burst_bytes()) +
                       (d.dram.e_act_pj + d.dram.e_pre_pj) / static_cast<double>(d.dram.row_bytes);
  t.wbuf_pj_per_bit = d.tech.sram_class(d.weight_buffer.size_kib).read_pj_per_bit;
  t.abuf_read_pj_per_bit = d.tech.sram_class(d.activation_buffer.size_kib).read_pj_per_bit;
  t.abuf_write_pj_per_bit = d.tech.sram_class(d.activation_buffer.size_kib).write_pj_per_bit;
  t.leakage_pj_per_cycle = design_leakage_uw(d) * d.cycle_ns() * 1e-3;  // uW x ns = 1e-3 pJ
  t.objective = parse_mapper_objective(d.mapper_objective);
  t.whole = d.mapper_tiling == "whole";
  t.unit = arrays.empty() ? 0 : static_cast<int>(arrays.front() - d.units.data());
  return t;
}

namespace {

uint64_t bits_to_bytes(double bits) { return static_cast<uint64_t>(std::ceil(bits / 8.0)); }
uint64_t round_up(uint64_t v, uint64_t a) { return a <= 1 ? v : ceil_div(v, a) * a; }
uint64_t round_down(uint64_t v, uint64_t a) { return a <= 1 ? v : v - v % a; }

// Operand alignment of the array's folds: tiles are cut at multiples of the fold sizes.
void alignments(const ArrayShape& s, uint64_t& am, uint64_t& ak, uint64_t& an) {
  am = ak = an = 1;
  switch (s.dataflow) {
    case Dataflow::OutputStationary:
      am = s.rows;
      an = s.cols;
      break;
    case Dataflow::WeightStationary:
      ak = s.rows;
      an = s.cols;
      break;
    case Dataflow::InputStationary:
      ak = s.rows;
      am = s.cols;
      break;
  }
}

}  // namespace

uint64_t compulsory_dram_bytes(const GemmProblem& p) {
  const uint64_t w = bits_to_bytes(static_cast<double>(p.K * p.N) * p.w_bits);
  const uint64_t a = p.in_on_chip ? 0 : bits_to_bytes(static_cast<double>(p.M * p.K) * p.a_bits);
  const uint64_t o = p.out_on_chip ? 0 : p.M * p.N * p.out_bits / 8;
  return p.count * (w + a + o);
}

uint64_t mapping_dram_bytes(const GemmProblem& p, LoopOrder order, uint64_t tm, uint64_t tk, uint64_t tn, uint64_t nb) {
  const uint64_t mt = ceil_div(p.M, tm), nt = ceil_div(p.N, tn), kt = ceil_div(p.K, tk);
  // A block is loaded unless the previous tile of the op used the same block (it stays on chip).
  uint64_t w_loads, a_loads;
  if (order == LoopOrder::MOuter) {
    w_loads = (nt == 1 && kt == 1) ? 1 : mt;
    a_loads = kt == 1 ? 1 : nt;
  } else if (order == LoopOrder::KMiddle) {  // a (m, k) activation block serves an N block's loop
    const uint64_t blocks = nb && nb < p.N ? ceil_div(p.N, nb) : 1;
    w_loads = (nt == 1 && kt == 1) ? 1 : mt;
    a_loads = (mt == 1 && kt == 1) ? 1 : blocks;
  } else {
    w_loads = kt == 1 ? 1 : mt;
    a_loads = (mt == 1 && kt == 1) ? 1 : nt;
  }
  const uint64_t w = bits_to_bytes(static_cast<double>(p.K * p.N) * p.w_bits);
  const uint64_t a = p.in_on_chip ? 0 : bits_to_bytes(static_cast<double>(p.M * p.K) * p.a_bits);
  const uint64_t o = p.out_on_chip ? 0 : p.M * p.N * p.out_bits / 8;
  return p.count * (w_loads * w + a_loads * a + o);
}

GemmMapping score_mapping(const GemmProblem& p, const MapperTarget& t, LoopOrder order, uint32_t depth, uint64_t tm,
                          uint64_t tk, uint64_t tn, bool& ok, uint64_t nb) {
  GemmMapping g;
  g.nb = order == LoopOrder::KMiddle && nb && nb < p.N ? nb : 0;
  g.order = order;
  g.depth = depth;
  g.tm = tm;
  g.tk = tk;
  g.tn = tn;
  const uint64_t A = t.arrays.size();
  g.arrays = static_cast<uint32_t>(A);
  const uint64_t mt = ceil_div(p.M, tm), nt = ceil_div(p.N, tn), kt = ceil_div(p.K, tk);
  const double w_tile_bits = std::ceil(static_cast<double>(tk * tn) * p.w_bits);
  const double in_tile_bits = static_cast<double>(tm * tk) * p.a_bits;
  const double acc_tile_bits = static_cast<double>(tm * tn) * p.acc_bits;
  // An operand whose block is the same for the whole op is loaded once and stays: one copy. Blocks
  // that change need `depth` copies (the next one loads while the current one computes).
  const double w_copies = (nt == 1 && kt == 1 && p.count == 1) ? 1 : depth;
  const double in_copies = (mt == 1 && kt == 1 && p.count == 1) ? 1 : depth;
  // A K chain of several tiles updates its partial sums in place: one accumulator block per array.
  // Under k_middle every output tile of the row block keeps its partial sums: the array's share of N.
  const double acc_copies = order == LoopOrder::KMiddle
                                ? static_cast<double>(ceil_div(ceil_div(g.nb ? g.nb : p.N, tn), A))
                            : kt > 1 ? 1
                                     : depth;
  ok = tm > 0 && tk > 0 && tn > 0 && w_copies * w_tile_bits <= static_cast<double>(t.wbuf_bits / A) &&
       in_copies * in_tile_bits + acc_copies * acc_tile_bits <= static_cast<double>(t.abuf_bits / A);
  if (!ok) return g;

  const ArrayShape& shape = t.arrays.front();
  // Tile classes: full and remainder sizes along M and N; first, middle and last along K.
  struct Cls {
    uint64_t size, count;
  };
  auto classes = [](uint64_t total, uint64_t t, uint64_t n) {
    std::vector<Cls> v;
    const uint64_t rem = total - (n - 1) * t;
    if (rem == t) {
      v.push_back({t, n});
    } else {
      if (n > 1) v.push_back({t, n - 1});
      v.push_back({rem, 1});
    }
    return v;
  };
  struct KCls {
    uint64_t size, count;
    bool first, last;
  };
  std::vector<KCls> kc;
  if (kt == 1) {
    kc.push_back({p.K, 1, true, true});
  } else {
    kc.push_back({tk, 1, true, false});
    if (kt > 2) kc.push_back({tk, kt - 2, false, false});
    kc.push_back({p.K - (kt - 1) * tk, 1, false, true});
  }
  double compute = 0, sram = 0, busy = 0, w_read_bits = 0, a_read_bits = 0, a_write_bits = 0;
  double last_tile = 0;
  for (const Cls& m : classes(p.M, tm, mt)) {
    for (const Cls& n : classes(p.N, tn, nt)) {
      for (const KCls& k : kc) {
        const SystolicTiming s = systolic_gemm(shape, m.size, k.size, n.size);
        Tile tl;
        tl.m = m.size;
        tl.k = k.size;
        tl.n = n.size;
        tl.a_bits = static_cast<uint32_t>(p.a_bits);
        tl.w_bits = static_cast<uint32_t>(std::ceil(p.w_bits));
        tl.acc_bits = p.acc_bits;
        tl.out_bits = p.out_bits;
        tl.first_k = k.first;
        tl.last_k = k.last;
        tl.w_block_bits = static_cast<uint64_t>(std::ceil(static_cast<double>(k.size * n.size) * p.w_bits));
        TileCost c;
        add_systolic_sram_traffic(s, tl, c);
        const double wport = std::ceil(static_cast<double>(c.w_read_bits) / static_cast<double>(t.wbuf_port_bits));
        const double ar = static_cast<double>(c.a_read_bits), aw = static_cast<double>(c.a_write_bits);
        const double aport =
            std::ceil((t.abuf_ports >= 2 ? std::max(ar, aw) : ar + aw) / static_cast<double>(t.abuf_port_bits));
        const double n_tiles = static_cast<double>(m.count * n.count * k.count);
        const double cyc = static_cast<double>(s.cycles);
        const double port = std::max(wport, aport);
        compute += n_tiles * cyc;
        sram += n_tiles * port;
        busy += n_tiles * std::max(cyc, port);
        w_read_bits += n_tiles * static_cast<double>(c.w_read_bits);
        a_read_bits += n_tiles * ar;
        a_write_bits += n_tiles * aw;
        last_tile = std::max(last_tile, std::max(cyc, port));
      }
    }
  }
  const double count = static_cast<double>(p.count);
  const double chains = static_cast<double>(mt * nt) * count;
  const double par = std::min(static_cast<double>(A), chains);
  g.compute_cycles = compute * count / par;
  g.sram_cycles = sram * count / par;
  busy = busy * count / par;
  g.dram_bytes = mapping_dram_bytes(p, order, tm, tk, tn, g.nb);
  g.compulsory_bytes = compulsory_dram_bytes(p);
  g.dram_cycles = static_cast<double>(g.dram_bytes) / t.dram_bytes_per_cycle;
  const double first_load = (w_tile_bits + (p.in_on_chip ? 0.0 : static_cast<double>(tm * tk) * p.a_bits)) / 8.0;
  if (depth >= 2) {
    g.fill_cycles = first_load / t.dram_bytes_per_cycle + last_tile;
    g.cycles = std::max(busy, g.dram_cycles) + g.fill_cycles;
  } else {
    g.fill_cycles = 0;
    g.cycles = busy + g.dram_cycles;
  }
  const double sram_bits = (w_read_bits + a_read_bits + a_write_bits) * count;
  g.sram_bytes = static_cast<uint64_t>(sram_bits / 8.0) + g.dram_bytes;  // DMA fills and drains too
  g.energy_pj = static_cast<double>(g.dram_bytes) * t.dram_pj_per_byte + w_read_bits * count * t.wbuf_pj_per_bit +
                a_read_bits * count * t.abuf_read_pj_per_bit + a_write_bits * count * t.abuf_write_pj_per_bit +
                static_cast<double>(g.dram_bytes) * 8.0 * t.abuf_write_pj_per_bit + t.leakage_pj_per_cycle * g.cycles;
  return g;
}

GemmMapping Mapper::map(const GemmProblem& p, const MapperTarget& t, const std::string& what) {
  const int flags = (p.in_on_chip ? 1 : 0) | (p.out_on_chip ? 2 : 0) | (p.shared_weights ? 4 : 0) | (t.whole ? 8 : 0);
  const Key key{
      t.unit, static_cast<int>(t.objective), p.M, p.K, p.N, p.count, p.a_bits, p.w_bits, p.acc_bits, p.out_bits, flags};
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    ++hits_;
    GemmMapping g = it->second;
    g.cache_hit = true;
    return g;
  }
  ++misses_;
  const ArrayShape& shape = t.arrays.front();
  uint64_t am, ak, an;
  alignments(shape, am, ak, an);
  const uint64_t A = t.arrays.size();

  // Candidate sizes along one dimension: the whole dimension and balanced splits into p parts,
  // rounded up to the fold alignment, down to one fold.
  auto splits = [](uint64_t total, uint64_t align) {
    std::vector<uint64_t> v;
    static const uint64_t parts[] = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 100, 128, 200, 256};
    for (uint64_t q : parts) {
      const uint64_t s = std::min(total, round_up(ceil_div(total, q), align));
      if (s == 0) continue;
      if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
      if (s <= align) break;
    }
    return v;
  };
  const std::vector<uint64_t> tn_set = splits(p.N, an);
  const std::vector<uint64_t> tk_base = splits(p.K, std::max<uint64_t>(ak, 1));

  std::vector<GemmMapping> cands;
  if (t.whole) {  // one tile if it fits: only the loop order and depth are left to choose
    for (uint32_t depth : {2u, 1u}) {
      for (LoopOrder order : {LoopOrder::MOuter, LoopOrder::NOuter}) {
        bool ok = false;
        GemmMapping g = score_mapping(p, t, order, depth, p.M, p.K, p.N, ok);
        if (ok) cands.push_back(g);
      }
    }
  }
  const bool whole_fits = !cands.empty();
  for (uint32_t depth : {2u, 1u}) {
    if (whole_fits) break;
    // Capacities per array for blocks with `depth` copies, and with one (a block that never changes);
    // score_mapping checks the exact rule.
    const double wcap1 = static_cast<double>(t.wbuf_bits / A);
    const double wcap = wcap1 / depth;
    const double acap1 = static_cast<double>(t.abuf_bits / A);
    const double acap = acap1 / depth;
    for (uint64_t tn : tn_set) {
      std::vector<uint64_t> tk_set = tk_base;
      // The largest K slice of this width that fits the weight share.
      const uint64_t kmax = static_cast<uint64_t>(wcap / (static_cast<double>(tn) * p.w_bits));
      if (kmax < p.K && kmax > 0) {
        const uint64_t s = round_down(kmax, ak);
        if (s > 0) tk_set.push_back(s);
        const uint64_t b = round_up(ceil_div(p.K, ceil_div(p.K, std::max<uint64_t>(s, 1))), ak);
        if (b > 0 && b <= kmax) tk_set.push_back(b);
      }
      for (uint64_t tk : tk_set) {
        const bool one_w = tn >= p.N && tk >= p.K && p.count == 1;
        if (std::ceil(static_cast<double>(tk * tn) * p.w_bits) > (one_w ? wcap1 : wcap)) continue;
        const double acc_copies = tk < p.K ? 1.0 : depth;
        const double row_bits =
            static_cast<double>(tk) * p.a_bits + acc_copies * static_cast<double>(tn) * p.acc_bits / depth;
        uint64_t tm_max = static_cast<uint64_t>(acap / row_bits);
        // All rows at full K: one activation block that stays, the accumulators double-buffered.
        if (tk >= p.K && p.count == 1 &&
            static_cast<double>(p.M) * (static_cast<double>(tk) * p.a_bits + depth * tn * p.acc_bits) <= acap1) {
          tm_max = p.M;
        }
        if (tm_max >= p.M) {
          tm_max = p.M;
        } else if (tm_max >= am) {
          tm_max = round_down(tm_max, am);
        }
        if (tm_max == 0) continue;
        std::vector<uint64_t> tm_set{tm_max};
        const uint64_t bal = round_up(ceil_div(p.M, ceil_div(p.M, tm_max)), am);
        if (bal < tm_max && bal > 0) tm_set.push_back(bal);
        for (uint64_t tm : tm_set) {
          for (LoopOrder order : {LoopOrder::MOuter, LoopOrder::NOuter}) {
            bool ok = false;
            GemmMapping g = score_mapping(p, t, order, depth, tm, tk, tn, ok);
            if (ok) cands.push_back(g);
          }
        }
        // k_middle (a split K only; unsplit it is m_outer): the rows whose partial sums over an N block
        // (all of N, or 1/2, 1/3, 1/4 of it, in whole tiles) fit next to `depth` activation blocks.
        if (tk < p.K) {
          const uint64_t nt = ceil_div(p.N, tn);
          std::vector<uint64_t> nb_set;
          for (uint64_t q : {1, 2, 3, 4}) {
            const uint64_t b = ceil_div(nt, q) * tn;
            if (q > 1 && b >= p.N) continue;
            if (std::find(nb_set.begin(), nb_set.end(), b) == nb_set.end()) nb_set.push_back(b);
          }
          for (uint64_t nb : nb_set) {
            const double nt_share = static_cast<double>(ceil_div(ceil_div(std::min(nb, p.N), tn), A));
            const double krow_bits = depth * static_cast<double>(tk) * p.a_bits + nt_share * tn * p.acc_bits;
            uint64_t km = std::min<uint64_t>(p.M, static_cast<uint64_t>(acap1 / krow_bits));
            if (km < p.M && km >= am) km = round_down(km, am);
            if (km == 0) continue;
            std::vector<uint64_t> km_set{km};
            const uint64_t kbal = round_up(ceil_div(p.M, ceil_div(p.M, km)), am);
            if (kbal < km && kbal > 0) km_set.push_back(kbal);
            for (uint64_t tm : km_set) {
              bool ok = false;
              GemmMapping g = score_mapping(p, t, LoopOrder::KMiddle, depth, tm, tk, tn, ok, nb);
              if (ok) cands.push_back(g);
            }
          }
        }
      }
    }
  }
  if (cands.empty()) {
    throw ConfigError(what + ": no GEMM tile fits the buffers (weight buffer " + std::to_string(t.wbuf_bits / 8) +
                      " B, activation buffer " + std::to_string(t.abuf_bits / 8) + " B, " + std::to_string(A) +
                      " array(s), K " + std::to_string(p.K) + ")");
  }
  // Primary score by the objective; among candidates within kTolerance of the best (differences the
  // estimate cannot resolve), the secondary one (energy for latency, cycles otherwise) decides; the
  // first in search order wins exact ties.
  constexpr double kTolerance = 0.02;
  auto primary = [&](const GemmMapping& g) {
    switch (t.objective) {
      case MapperObjective::Energy: return g.energy_pj;
      case MapperObjective::Edp: return g.energy_pj * g.cycles;
      default: return g.cycles;
    }
  };
  auto secondary = [&](const GemmMapping& g) {
    return t.objective == MapperObjective::Latency ? g.energy_pj : g.cycles;
  };
  double best_p = primary(cands.front());
  for (const auto& g : cands) best_p = std::min(best_p, primary(g));
  const GemmMapping* best = nullptr;
  for (const auto& g : cands) {
    if (primary(g) > best_p * (1 + kTolerance)) continue;
    if (!best || secondary(g) < secondary(*best)) best = &g;
  }
  // Among the candidates the estimates cannot tell apart (both measures within kTie of the choice),
  // the one with the fewest tiles: it has the fewest fills and drains the estimate leaves out, and
  // costs the simulation fewer tile events.
  constexpr double kTie = 0.005;
  auto tiles = [&](const GemmMapping& g) { return ceil_div(p.M, g.tm) * ceil_div(p.K, g.tk) * ceil_div(p.N, g.tn); };
  const double bp = primary(*best), bs = secondary(*best);
  for (const auto& g : cands) {
    if (primary(g) > bp * (1 + kTie) || secondary(g) > bs * (1 + kTie)) continue;
    if (tiles(g) < tiles(*best)) best = &g;
  }
  GemmMapping out = *best;
  out.candidates = cands.size();
  cache_.emplace(key, out);
  return out;
}

}  // namespace lpusim
