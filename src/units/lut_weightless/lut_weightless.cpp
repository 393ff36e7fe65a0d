// lut_weightless unit: see units/lut_weightless/lut_weightless.h. Timing per stage of a tile of T tokens:
//   encode: ceil(T * F * z / comparators) + pipeline_depth
//   lookup: in-order groups of lookups_per_cycle requests, each max(1, worst bank's ceil(k / ports))
//           cycles, from the real addresses (schedule_lookups) + pipeline_depth
//   sum:    conditional sum: ceil(outputs * bits / sum_lanes) value-stationary folds x T tokens + pipeline_depth
//           (adds gated by the real bits: energy only for set bits); GroupSum: ceil(T * bits / sum_lanes) + depth
// plus, when tables stream from DRAM, ceil(stream_bits / (banks * ports * word_bits)) fill cycles.
#include "units/lut_weightless/lut_weightless.h"

#include "spec/area.h"

#include <algorithm>

#include "base/config_error.h"
#include "units/unit_def.h"

namespace lpusim {

namespace {

using LP = LutUnitParams;

const ParamTable<LP> kParams = {
    param(&LP::comparators, "comparators", "FP16 threshold comparators in the encoder (compares per cycle)").min(1),
    param(&LP::sram_kib, "lut_sram_kib", "LUT SRAM capacity in KiB (tables + thresholds; priced by its size class)")
        .min(1),
    param(&LP::banks, "banks", "LUT SRAM banks").min(1),
    param(&LP::ports, "ports_per_bank", "read ports per bank (accesses per bank per cycle)").min(1),
    param(&LP::word_bits, "word_bits", "bits read per access (>= entry bits)").min(1),
    param(&LP::lookups_per_cycle, "lookups_per_cycle", "lookup requests issued per cycle (crossbar width)").min(1),
    param(&LP::word_interleave, "bank_mapping",
          "table-to-bank mapping: lut_modulo = LUT l in bank l mod banks; word_interleave = SRAM word w in bank w "
          "mod banks",
          std::vector<std::pair<std::string, bool>>{{"lut_modulo", false}, {"word_interleave", true}}),
    param(&LP::stream, "on_overflow",
          "tables larger than the LUT SRAM: stream each block's from DRAM, or reject at compile time",
          std::vector<std::pair<std::string, bool>>{{"stream_from_dram", true}, {"reject", false}}),
    param(&LP::sum_fp16, "sum_datapath", "conditional-sum adders: int (int8 values, int32 accumulate) or fp16",
          std::vector<std::pair<std::string, bool>>{{"int", false}, {"fp16", true}}),
    param(&LP::sum_lanes, "sum_lanes", "conditional-sum adds (or GroupSum bits) per cycle").min(1),
    param(&LP::depth, "pipeline_depth", "pipeline fill + drain cycles per tile").min(0),
};

}  // namespace

LutUnitParams LutUnitParams::from(const UnitSpec& s) { return kParams.read(s); }

uint64_t lut_bank(const LutUnitParams& p, const lut::LutLayer& L, uint64_t l, uint32_t a) {
  if (!p.word_interleave) return l % p.banks;  // lut_modulo: a whole table per bank
  const uint64_t word = (((l << L.inputs) + a) * L.entry_bits) / p.word_bits;
  return word % p.banks;
}

LookupSchedule schedule_lookups(const LutUnitParams& p, const lut::LutLayer& L, const std::vector<uint32_t>& addr) {
  LookupSchedule s;
  s.requests = addr.size();
  std::vector<uint64_t> per_bank(p.banks, 0);
  for (uint64_t g0 = 0; g0 < addr.size(); g0 += p.lookups_per_cycle) {
    const uint64_t g1 = std::min<uint64_t>(addr.size(), g0 + p.lookups_per_cycle);
    std::fill(per_bank.begin(), per_bank.end(), 0);
    uint64_t worst = 1;
    for (uint64_t r = g0; r < g1; ++r) {
      const uint64_t b = lut_bank(p, L, r % L.luts, addr[r]);
      worst = std::max<uint64_t>(worst, (++per_bank[b] + p.ports - 1) / p.ports);
    }
    s.cycles += worst;
  }
  s.stall_cycles = s.cycles - ceil_div(s.requests, p.lookups_per_cycle);
  return s;
}

TileCost lut_tile_cost(const LutUnitParams& p, const Tile& t, uint64_t* stalls, const std::vector<uint16_t>& inputs) {
  const lut::LutNetwork& n = *t.lut;
  const uint64_t T = t.m, F = n.features, z = n.therm_bits, B = n.final_bits();
  TileCost c;
  auto trace = [&]() {
    lut::Trace tr;
    lut::run(n, inputs.empty() ? lut::synthetic_inputs(n.features, T, t.lut_seed) : inputs, T, &tr, false);
    return tr;
  };
  if (stalls) *stalls = 0;
  switch (t.lut_stage) {
    case LutStage::Encode: {
      const uint64_t cmp = T * F * z;
      c.cycles = ceil_div(cmp, p.comparators) + p.depth;
      c.events[Ev::Fp16Compare] = cmp;
      c.events[Ev::LutSramReadBit] = F * z * 16;  // thresholds, read once per tile, held per feature
      c.a_read_bits = T * F * 16;
      c.a_write_bits = T * F * z;
      break;
    }
    case LutStage::Lookup: {
      const lut::LutLayer& L = n.layers.at(t.lut_index);
      const lut::Trace tr = trace();
      const LookupSchedule s = schedule_lookups(p, L, tr.addr[t.lut_index]);
      c.cycles = s.cycles + p.depth;
      if (stalls) *stalls = s.stall_cycles;
      c.events[Ev::LutSramReadBit] = s.requests * p.word_bits;  // a whole word per access
      c.a_read_bits = T * L.in_bits;
      c.a_write_bits = T * L.out_bits();
      break;
    }
    case LutStage::Sum: {
      const lut::Trace tr = trace();
      const uint64_t outs = t.n;
      c.a_read_bits = T * B;
      if (n.sum == lut::SumKind::GroupSum) {
        c.cycles = ceil_div(T * B, p.sum_lanes) + p.depth;
        c.events[Ev::PopcountBit] = T * B;
        c.a_write_bits = T * outs * 16;
        break;
      }
      // Value-stationary folds: each adder lane holds one value (o, b) and the tile's T tokens
      // stream past; a lane adds only when the token's bit b is 1 (energy), the cycle is spent anyway.
      const bool fp16 = n.sum == lut::SumKind::CondFp16;
      const uint64_t acc_bits = fp16 ? 16 : 32;
      const uint64_t folds = ceil_div(outs * B, p.sum_lanes);
      const uint64_t folds_per_out = ceil_div(B, p.sum_lanes);  // > 1: partial sums cross folds
      uint64_t adds = 0;
      for (uint64_t k = 0; k < T; ++k) adds += outs * tr.final_ones[k];
      c.cycles = folds * T + p.depth;
      c.events[fp16 ? Ev::Fp16Add : Ev::Int32Add] = adds;
      c.w_read_bits = outs * B * (fp16 ? 16 : 8) + outs * acc_bits;  // every value once + bias
      c.a_read_bits = folds * T * std::min<uint64_t>(B, p.sum_lanes) + T * outs * acc_bits * (folds_per_out - 1);
      c.a_write_bits = T * outs * acc_bits * folds_per_out;
      break;
    }
  }
  if (t.lut_stream_bits) {
    c.cycles += ceil_div(t.lut_stream_bits, p.fill_bits_per_cycle());
    c.events[Ev::LutSramWriteBit] += t.lut_stream_bits;
    c.w_read_bits += t.lut_stream_bits;  // staged through the weight buffer by the DMA
  }
  return c;
}

double lut_weightless_area_um2(const LutUnitParams& p, const LutAreaPrimitives& a) {
  const double sram = static_cast<double>(p.sram_bits()) * a.sram_bitcell / a.sram_efficiency;
  const double cmp = static_cast<double>(p.comparators) * 2 * a.int8_add;
  const double sum = static_cast<double>(p.sum_lanes) * (p.sum_fp16 ? a.fp16_add : a.int32_add);
  const double xbar = static_cast<double>(p.lookups_per_cycle * p.word_bits) * a.register_bit;
  return sram + cmp + sum + xbar;
}

namespace {

class LutWeightless : public ComputeUnit {
 public:
  LutWeightless(sc_core::sc_module_name name, const UnitSpec& spec, const LutUnitParams& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), p_(p) {}

  TileCost cost(const Tile& t) const override {
    uint64_t st = 0;
    TileCost c = lut_tile_cost(p_, t, &st);
    // Statistics only: cost() runs once per simulated tile.
    stall_cycles_ += st;
    if (t.lut_stage == LutStage::Lookup) lookups_ += t.m * t.lut->layers.at(t.lut_index).luts;
    stream_bits_ += t.lut_stream_bits;
    return c;
  }

  // Why these leakage proxies: the LUT SRAM leaks like any SRAM KiB; a comparator or an int adder
  // lane is taken as an INT8 PE, an FP16 adder lane as an FP16 PE (an over-estimate: no multiplier).
  double leakage_uw() const override {
    const auto& t = *ctx_.tech;
    return static_cast<double>(p_.sram_kib) * t.leak("sram_kib") +
           static_cast<double>(p_.comparators) * t.leak("int8_pe") +
           static_cast<double>(p_.sum_lanes) * t.leak(p_.sum_fp16 ? "fp16_pe" : "int8_pe");
  }

  void collect(ModuleStats& out) const override {
    ComputeUnit::collect(out);
    const SramClass& sc = ctx_.tech->sram_class(static_cast<double>(p_.sram_kib));
    out.prices[Ev::LutSramReadBit] = sc.read_pj_per_bit;
    out.prices[Ev::LutSramWriteBit] = sc.write_pj_per_bit;
    out.scalars["bank_conflict_stall_cycles"] = static_cast<double>(stall_cycles_);
    out.scalars["lookups"] = static_cast<double>(lookups_);
    out.scalars["streamed_table_bits"] = static_cast<double>(stream_bits_);
  }

 private:
  LutUnitParams p_;
  mutable uint64_t stall_cycles_ = 0, lookups_ = 0, stream_bits_ = 0;
};

const bool registered =
    UnitDef<LP>("lut_weightless")
        .doc(
            "DWN/QuWeiT weightless unit: FP16 thermometer comparators, banked LUT SRAM (lookups from the real "
            "network's addresses), conditional-sum adders (int or fp16) or GroupSum popcount")
        .params(kParams)
        .capabilities({Capability::LutLayer})
        .stats({{"bank_conflict_stall_cycles", "cycles", "lookup cycles lost to LUT SRAM bank/port conflicts"},
                {"lookups", "count", "LUT reads (tokens x LUTs per layer)"},
                {"streamed_table_bits", "bit", "tables/thresholds streamed from DRAM"}})
        .area([](const LP& p, const TechTable& t) {
          const double kib = static_cast<double>(p.sram_bits()) / 8192.0;
          LutAreaPrimitives a;
          a.sram_bitcell = t.area("sram_bitcell");
          a.sram_efficiency = t.sram_array_efficiency(kib);
          a.int8_add = t.area("int8_add");
          a.int32_add = t.area("int32_add");
          a.fp16_add = t.area("fp16_add");
          a.register_bit = t.area("register_bit");
          AreaItem item;
          item.what = "LUT SRAM (bits x cell / efficiency) + FP16 comparators + sum lanes + lookup crossbar";
          item.um2 = lut_weightless_area_um2(p, a);
          return item;
        })
        .make<LutWeightless>()
        .add();

}  // namespace
}  // namespace lpusim
