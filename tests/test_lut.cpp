// LUT weightless unit (QuWeiT / DWN): functional model bit-exact against the plain reference and
// hand-worked cases, .lutnet round trip and bad files, per-tile cycles against closed forms, bank
// conflicts from real addresses, DRAM streaming vs reject, energy = events x prices, and the MLP
// replacement removing exactly the FFN MACs.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numeric>

#include <nlohmann/json.hpp>

#include "base/config_error.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "datapath/lut_layer.h"
#include "helpers.h"
#include "ir/graph.h"
#include "report/report.h"
#include "simulate/simulate.h"
#include "unit_bench.h"
#include "units/lut_weightless/lut_weightless.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

lut::GenSpec spec(uint32_t F, uint32_t z, std::vector<lut::GenLayer> layers, lut::SumKind sum, uint32_t outs) {
  lut::GenSpec g;
  g.features = F;
  g.therm_bits = z;
  g.layers = std::move(layers);
  g.sum = sum;
  g.outputs = outs;
  return g;
}

std::string err_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// A tile of one stage over `tokens` synthetic tokens.
Tile lut_tile(const lut::LutNetwork& n, LutStage st, uint64_t tokens, uint32_t index = 0) {
  Tile t;
  t.kind = OpKind::Lut;
  t.lut = &n;
  t.lut_stage = st;
  t.lut_index = index;
  t.m = tokens;
  t.n = n.outputs;
  t.k = n.final_bits();
  t.lut_seed = 42;
  return t;
}

LutUnitParams params(uint64_t banks, uint64_t ports, uint64_t G, bool word_interleave, uint64_t word_bits = 64) {
  LutUnitParams p;
  p.comparators = 32;
  p.sram_kib = 64;
  p.banks = banks;
  p.ports = ports;
  p.word_bits = word_bits;
  p.lookups_per_cycle = G;
  p.word_interleave = word_interleave;
  p.sum_fp16 = true;
  p.sum_lanes = 128;
  p.depth = 3;
  return p;
}

}  // namespace

TEST_CASE("fp16 helpers round to nearest even") {
  CHECK(lut::half_from_double(1.0) == 0x3c00);
  CHECK(lut::half_from_double(1.0 + std::ldexp(1.0, -11)) == 0x3c00);      // tie -> even (down)
  CHECK(lut::half_from_double(1.0 + 3 * std::ldexp(1.0, -11)) == 0x3c02);  // tie -> even (up)
  CHECK(lut::half_from_double(65519.0) == 0x7bff);
  CHECK(lut::half_from_double(65520.0) == 0x7c00);
  CHECK(lut::half_from_double(std::ldexp(1.0, -24)) == 0x0001);
  CHECK(lut::half_from_double(-2.0) == 0xc000);
  CHECK(lut::half_add(0x3c00, 0x1000) == 0x3c00);  // 1 + 2^-11: exact tie, stays 1
  for (uint32_t h = 0; h < 0x7c00; h += 7) CHECK(lut::half_from_double(lut::half_to_float(uint16_t(h))) == h);
}

TEST_CASE("hand-worked block: thermometer, an OR LUT and an int8 conditional sum") {
  lut::LutNetwork n;
  n.features = 1;
  n.therm_bits = 2;
  n.thresholds = {lut::half_from_double(0.0), lut::half_from_double(1.0)};
  lut::LutLayer L;
  L.luts = 1;
  L.inputs = 2;
  L.in_bits = 2;
  L.mapping = {1, 0};        // address bit 0 = (x > 1), bit 1 = (x > 0)
  L.entries = {0, 1, 0, 1};  // entry = address bit 0 -> 1 only when x > 1
  n.layers = {L};
  n.sum = lut::SumKind::CondInt8;
  n.outputs = 2;
  n.bias_i = {2, -3};
  n.values_i8 = {5, -7};
  lut::validate(n, "hand");
  const std::vector<uint16_t> x = {lut::half_from_double(-1.0), lut::half_from_double(0.5), lut::half_from_double(1.0),
                                   lut::half_from_double(1.5)};
  lut::Trace tr;
  const lut::Outputs o = lut::run(n, x, 4, &tr);
  CHECK(tr.addr[0] == std::vector<uint32_t>{0, 2, 2, 3});  // x = 1.0 is not > 1 (strict compare)
  CHECK(o.i == std::vector<int32_t>{2, -3, 2, -3, 2, -3, 7, -10});
  CHECK(o == lut::run_reference(n, x, 4));
}

TEST_CASE("functional model is bit-exact against the reference (fp16/int8/group sum, n = 1 and 6, two layers)") {
  struct Case {
    lut::GenSpec g;
    size_t tokens;
  };
  const std::vector<Case> cases = {
      {spec(24, 4, {{48, 6, 1}}, lut::SumKind::CondFp16, 24), 9},
      {spec(24, 4, {{48, 6, 1}}, lut::SumKind::CondInt8, 16), 9},
      {spec(16, 3, {{32, 1, 1}}, lut::SumKind::GroupSum, 8), 7},
      {spec(20, 8, {{64, 6, 3}, {30, 4, 1}}, lut::SumKind::CondFp16, 10), 5},
      {spec(12, 5, {{40, 6, 1}, {24, 6, 2}}, lut::SumKind::GroupSum, 6), 5},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    INFO("case " << c);
    lut::GenSpec g = cases[c].g;
    for (const char* thr : {"uniform", "quantile"}) {
      g.thresholds = thr;
      const lut::LutNetwork n = lut::generate(g, 100 + c);
      const auto x = lut::synthetic_inputs(g.features, cases[c].tokens, 7 + c);
      const lut::Outputs fast = lut::run(n, x, cases[c].tokens);
      CHECK(fast == lut::run_reference(n, x, cases[c].tokens));
      CHECK(fast.i.size() + fast.h.size() == cases[c].tokens * g.outputs);
    }
  }
}

TEST_CASE("edge inputs: all below every threshold address 0, all above address 2^n - 1") {
  for (uint32_t nin : {1u, 6u}) {
    INFO("n = " << nin);
    const lut::LutNetwork n = lut::generate(spec(16, 4, {{32, nin, 1}}, lut::SumKind::CondFp16, 16), 5);
    for (double v : {-60000.0, 60000.0, -double(INFINITY), double(INFINITY)}) {
      const std::vector<uint16_t> x(16 * 3, lut::half_from_double(v));
      lut::Trace tr;
      const lut::Outputs o = lut::run(n, x, 3, &tr);
      const uint32_t want = v > 0 ? (1u << nin) - 1 : 0;
      for (uint32_t a : tr.addr[0]) CHECK(a == want);
      CHECK(o == lut::run_reference(n, x, 3));
      // Every token reads the same entries: output o = bias + sum of values of LUTs whose entry is 1.
      for (uint32_t k = 0; k < 16; ++k) {
        uint16_t acc = n.bias_h[k];
        for (uint32_t l = 0; l < 32; ++l) {
          if (n.layers[0].entries[(l << nin) + want]) acc = lut::half_add(acc, n.values_h[k * 32 + l]);
        }
        CHECK(o.h[2 * 16 + k] == acc);
      }
    }
  }
}

TEST_CASE(".lutnet round trip, and bad files fail with the file and what is wrong") {
  const lut::LutNetwork n = lut::generate(spec(10, 3, {{20, 6, 2}, {12, 5, 1}}, lut::SumKind::CondInt8, 6), 9);
  const auto bytes = lut::serialize(n);
  // Header 8 + 5 x 4 + 2 layers x 12; thresholds 30 x 2; mappings 20 x 6 x 4 + 12 x 5 x 4; tables
  // 20 x 64 x 2 / 8 + 12 x 32 / 8; sum 6 x 4 + 6 x 12.
  CHECK(bytes.size() == 8 + 20 + 24 + 60 + 480 + 240 + 320 + 48 + 24 + 72);
  const std::string dir = temp_tree("lutfile");
  const std::string path = dir + "/block.lutnet";
  lut::save(n, path);
  const lut::LutNetwork back = lut::load(path);
  CHECK(back.thresholds == n.thresholds);
  CHECK(back.layers[1].mapping == n.layers[1].mapping);
  CHECK(back.layers[0].entries == n.layers[0].entries);
  CHECK(back.values_i8 == n.values_i8);
  CHECK(back.bias_i == n.bias_i);
  CHECK(lut::serialize(back) == bytes);

  auto bad = [&](std::vector<uint8_t> b) { return err_of([&] { lut::deserialize(b, "x.lutnet"); }); };
  auto b = bytes;
  b[0] = 'X';
  CHECK(bad(b).find("x.lutnet: not a LUT network file") != std::string::npos);
  b = bytes;
  b.pop_back();
  CHECK(bad(b).find("truncated") != std::string::npos);
  b = bytes;
  b.push_back(0);
  CHECK(bad(b).find("1 trailing bytes") != std::string::npos);
  b = bytes;
  const size_t map0 = 8 + 20 + 24 + 60;  // first mapping index
  b[map0] = 30;                          // layer 0 reads 30 encoded bits: index 30 is outside
  CHECK(bad(b).find("mapping[0] = 30 is outside the 30 bits") != std::string::npos);
  b = bytes;
  b[8 + 20 + 24] = 0x00;  // threshold 0 of feature 0 -> +0, above threshold 1 (negative)
  b[8 + 20 + 24 + 1] = 0x7b;
  CHECK(bad(b).find("thresholds of feature 0 must ascend") != std::string::npos);
  b = bytes;
  b[8 + 12] = 7;  // sum kind
  CHECK(bad(b).find("sum_kind 7") != std::string::npos);
  CHECK(err_of([&] { lut::load(dir + "/missing.lutnet"); }).find("missing.lutnet: cannot open") != std::string::npos);
}

TEST_CASE("per-tile cycles equal the closed forms when no lookups conflict") {
  const lut::LutNetwork n = lut::generate(spec(32, 4, {{128, 6, 1}}, lut::SumKind::CondFp16, 32), 3);
  const LutUnitParams p = params(16, 1, 16, false);  // 16 consecutive LUTs in 16 distinct banks
  const uint64_t T = 10;
  uint64_t stalls = 99;
  const TileCost enc = lut_tile_cost(p, lut_tile(n, LutStage::Encode, T));
  CHECK(enc.cycles == (T * 32 * 4 + 31) / 32 + 3);
  CHECK(enc.events[Ev::Fp16Compare] == T * 32 * 4);
  const TileCost look = lut_tile_cost(p, lut_tile(n, LutStage::Lookup, T), &stalls);
  CHECK(stalls == 0);
  CHECK(look.cycles == T * 128 / 16 + 3);
  CHECK(look.events[Ev::LutSramReadBit] == T * 128 * 64);
  // Sum: ceil(32 outputs x 128 bits / 128 lanes) = 32 folds, each streaming T tokens.
  const TileCost sum = lut_tile_cost(p, lut_tile(n, LutStage::Sum, T));
  CHECK(sum.cycles == 32 * T + 3);
  lut::Trace tr;
  lut::run(n, lut::synthetic_inputs(32, T, 42), T, &tr, false);
  CHECK(sum.events[Ev::Fp16Add] == 32 * std::accumulate(tr.final_ones.begin(), tr.final_ones.end(), uint64_t{0}));
  CHECK(sum.w_read_bits == 32 * 128 * 16 + 32 * 16);
}

TEST_CASE("bank conflicts: two tables on one single-port bank in the same cycle stall one cycle") {
  const lut::LutNetwork n = lut::generate(spec(4, 2, {{2, 3, 1}}, lut::SumKind::GroupSum, 2), 1);
  uint64_t stalls = 0;
  const TileCost c1 = lut_tile_cost(params(1, 1, 2, false), lut_tile(n, LutStage::Lookup, 1), &stalls);
  CHECK(stalls == 1);
  CHECK(c1.cycles == 2 + 3);
  const TileCost c2 = lut_tile_cost(params(2, 1, 2, false), lut_tile(n, LutStage::Lookup, 1), &stalls);
  CHECK(stalls == 0);
  CHECK(c2.cycles == 1 + 3);
  lut_tile_cost(params(1, 2, 2, false), lut_tile(n, LutStage::Lookup, 1), &stalls);  // two ports
  CHECK(stalls == 0);
}

TEST_CASE("word-interleaved banks: conflicts follow the real addresses, appear with 1 bank, vanish with enough") {
  // n = 8, 1-bit entries, 64-bit words: LUT l's table is words 4l..4l+3, chosen by address bits 6-7.
  const lut::LutNetwork n = lut::generate(spec(16, 4, {{64, 8, 1}}, lut::SumKind::CondFp16, 16), 11);
  const uint64_t T = 20, G = 4;
  lut::Trace tr;
  lut::run(n, lut::synthetic_inputs(16, T, 42), T, &tr, false);
  // Hand count: groups of 4 consecutive requests (LUTs 4g..4g+3 of a token), 4 single-port banks.
  uint64_t expect = 0;
  const auto& a = tr.addr[0];
  for (size_t g0 = 0; g0 < a.size(); g0 += G) {
    uint64_t cnt[4] = {0, 0, 0, 0}, worst = 1;
    for (size_t r = g0; r < g0 + G; ++r) worst = std::max(worst, ++cnt[(((r % 64) * 256 + a[r]) / 64) % 4]);
    expect += worst - 1;
  }
  REQUIRE(expect > 0);  // synthetic activations do collide
  uint64_t stalls = 0;
  lut_tile_cost(params(4, 1, G, true), lut_tile(n, LutStage::Lookup, T), &stalls);
  CHECK(stalls == expect);
  // One bank: every group of 4 takes 4 cycles.
  lut_tile_cost(params(1, 1, G, true), lut_tile(n, LutStage::Lookup, T), &stalls);
  CHECK(stalls == T * 64 / G * 3);
  // 16 banks: the 4 LUTs of a group own words 4l..4l+3 of 16 consecutive words -> distinct banks.
  lut_tile_cost(params(16, 1, G, true), lut_tile(n, LutStage::Lookup, T), &stalls);
  CHECK(stalls == 0);
}

TEST_CASE("the lut unit simulates a tile in its cost's cycles and prices LUT SRAM by its size class") {
  UnitBench b("configs/designs/lpu_lut.yaml");
  const UnitSpec& us = b.unit("lut");
  auto cu = b.make(us);
  const lut::LutNetwork n = lut::generate(spec(192, 4, {{768, 6, 1}}, lut::SumKind::CondInt8, 192), 2);
  const Tile t = lut_tile(n, LutStage::Lookup, 4);
  const TileCost c = lut_tile_cost(LutUnitParams::from(us), t);  // (cu->cost would count statistics)
  CHECK(c.cycles == 4 * 768 / 64 + 4);  // lpu_lut: 64 banks, 64 lookups/cycle, lut_modulo, depth 4
  CHECK(b.run_tile(*cu, t) == c.cycles);
  ModuleStats st;
  cu->collect(st);
  CHECK(st.prices[Ev::LutSramReadBit] == b.design.tech.sram_class(128).read_pj_per_bit);
  CHECK(st.prices[Ev::Fp16Compare] == b.design.tech.event_pj.at("fp16_compare"));
  CHECK(st.scalars.at("lookups") == 4 * 768);
  const EnergyBreakdown e = price(st.per_key[0], st.prices);
  CHECK(e[EnergyClass::Sram] == Approx(double(c.events[Ev::LutSramReadBit]) * st.prices[Ev::LutSramReadBit]));
  CHECK(e[EnergyClass::Compute] == 0);
}

TEST_CASE("area formula adds LUT SRAM cells, comparators, sum lanes and the crossbar") {
  const DesignSpec d = load_design(src("configs/designs/lpu_lut.yaml"));
  const UnitSpec* u = d.first_with(Capability::LutLayer);
  REQUIRE(u);
  LutAreaPrimitives a;
  a.sram_bitcell = 0.027;
  a.sram_efficiency = 0.65;
  a.int8_add = 2.5;
  a.int32_add = 10;
  a.fp16_add = 73;
  a.register_bit = 0.2;
  const double want = 128.0 * 8192 * 0.027 / 0.65 + 256 * 2 * 2.5 + 1024 * 10 + 64 * 64 * 0.2;
  CHECK(lut_weightless_area_um2(LutUnitParams::from(*u), a) == Approx(want));
}

TEST_CASE("tables that do not fit: stream_from_dram loads each block's tables, reject is a compile error") {
  const WorkloadSpec w = load_workload(src("workloads/deit_tiny_quweit.yaml"));
  DesignSpec d = load_design(src("configs/designs/lpu_lut.yaml"));
  const Program resident = compile(w, d);
  UnitSpec& u = d.units[3];
  REQUIRE(u.impl == "lut_weightless");
  u.ints["lut_sram_kib"] = 16;  // < 90 KiB of tables + thresholds, > one block's 6 KiB / 1.5 KiB
  CHECK(err_of([&] { compile(w, d); })
            .find("units.lut.lut_sram_kib: the LUT tables and thresholds of workload "
                  "'deit_tiny_quweit' need 90 KiB (12 blocks) but the LUT SRAM holds 16 KiB") != std::string::npos);
  u.enums["on_overflow"] = "stream_from_dram";
  const Program streamed = compile(w, d);
  auto bytes = [](const Program& p, uint64_t Tile::*f) {
    uint64_t s = 0;
    for (const auto& t : p.tiles) s += t.*f;
    return s;
  };
  uint64_t stream_bits = 0;
  for (const auto& t : streamed.tiles) stream_bits += t.lut_stream_bits;
  CHECK(stream_bits == 12 * (768 * 64 + 192 * 4 * 16));
  CHECK(bytes(streamed, &Tile::load_weight_bytes) - bytes(resident, &Tile::load_weight_bytes) == stream_bits / 8);
  u.ints["lut_sram_kib"] = 4;  // one layer's 6 KiB of tables does not fit even streamed
  CHECK(err_of([&] { compile(w, d); }).find("even when streamed") != std::string::npos);
}

TEST_CASE("a sum datapath that does not match the workload's LUT blocks is a clear compile error") {
  const WorkloadSpec w = load_workload(src("workloads/nanogpt_shakespeare_char_quweit.yaml"));
  DesignSpec d = load_design(src("configs/designs/lpu_lut.yaml"));
  d.units[3].enums["sum_datapath"] = "fp16";
  CHECK(err_of([&] {
          compile(w, d);
        }).find("units.lut.sum_datapath: 'fp16' cannot run the workload's conditional_sum_int8") != std::string::npos);
}

TEST_CASE("workload mlp keys are strict") {
  const std::string dir = temp_tree("lutwl");
  const std::string base = read_file(src("workloads/deit_tiny_quweit.yaml"));
  auto load_err = [&](const std::string& text) {
    write_file(dir + "/w.yaml", text);
    return err_of([&] { load_workload(dir + "/w.yaml"); });
  };
  CHECK(load_err(replace_once(base, "inputs_per_lut: 6", "inputs_per_lut: 17"))
            .find("model.mlp.layers[0].inputs_per_lut: expected 1..16") != std::string::npos);
  CHECK(load_err(replace_once(base, "    seed: 1\nscenario", "    seed: 1\n    lanes: 3\nscenario")).find("lanes") !=
        std::string::npos);
  CHECK(load_err(replace_once(base, "output: conditional_sum_int8", "output: group_sum")).empty());  // 768 % 192 == 0
  CHECK(load_err(replace_once(replace_once(base, "output: conditional_sum_int8", "output: group_sum"), "luts: 768",
                              "luts: 700"))
            .find("group_sum needs the last layer's 700 bits") != std::string::npos);
  CHECK(load_err(replace_once(base, "    tables: generate\n", "    tables: nothere.lutnet\n"))
            .find("nothere.lutnet: cannot open") != std::string::npos);
  // A file with the wrong shape is named with what differs.
  lut::save(lut::generate(spec(192, 4, {{768, 5, 1}}, lut::SumKind::CondInt8, 192), 1), dir + "/b.lutnet");
  CHECK(load_err(replace_once(base, "    tables: generate\n", "    tables: b.lutnet\n"))
            .find("layer 0 is 768 LUTs x 5 inputs") != std::string::npos);
}

TEST_CASE("tables from a .lutnet file: one file per layer via {layer} gives those networks") {
  const std::string dir = temp_tree("lutfiles");
  for (int l = 0; l < 12; ++l) {
    lut::save(lut::generate(spec(192, 4, {{768, 6, 1}}, lut::SumKind::CondInt8, 192), 500 + l),
              dir + "/blk" + std::to_string(l) + ".lutnet");
  }
  write_file(dir + "/w.yaml", replace_once(read_file(src("workloads/deit_tiny_quweit.yaml")), "    tables: generate\n",
                                           "    tables: \"blk{layer}.lutnet\"\n"));
  const WorkloadSpec w = load_workload(dir + "/w.yaml");
  REQUIRE(w.model.lut_mlp.nets.size() == 12);
  CHECK(w.model.lut_mlp.nets[7]->layers[0].entries ==
        lut::generate(spec(192, 4, {{768, 6, 1}}, lut::SumKind::CondInt8, 192), 507).layers[0].entries);
}

TEST_CASE("DeiT-Tiny QuWeiT on lpu_lut: FFN MACs removed exactly, L lookups per token, energy = events x prices") {
  const WorkloadSpec base = load_workload(src("workloads/deit_tiny.yaml"));
  const WorkloadSpec qw = load_workload(src("workloads/deit_tiny_quweit.yaml"));
  const DesignSpec d = load_design(src("configs/designs/lpu_lut.yaml"));
  GraphOptions g;
  g.quantize_ternary_inputs = true;
  auto macs = [&](const WorkloadSpec& w) {
    uint64_t s = 0;
    for (const Op& o : build_graph(w, g)) s += o.macs();
    return s;
  };
  const uint64_t L = 12, T = 197, H = 192, F = 768;
  const uint64_t removed = L * T * 2 * H * F;
  CHECK(macs(base) - macs(qw) == removed);
  CHECK(macs(base) == closed_form_prefill_macs(base));
  CHECK(macs(qw) == closed_form_prefill_macs(qw));
  // Fraction of all multiplications removed, from the shapes.
  const double frac = double(removed) / double(closed_form_prefill_macs(base));
  CHECK(frac == Approx(1.0 - double(macs(qw)) / double(macs(base))));
  CHECK(frac > 0.5);

  SimulationRun run = simulate(qw, {d});
  const DesignReport r = build_report(run, run.designs[0]);
  uint64_t lut_macs = 0;
  bool saw_ffn = false, saw_lookup = false;
  for (const Row& o : r.ops) {
    if (o.name == "ffn_up" || o.name == "ffn_down") saw_ffn = true;
    if (o.name.rfind("lut_", 0) == 0) {
      lut_macs += o.macs;
      CHECK(o.unit == "lut");
    }
    if (o.name == "lut_lookup") {
      saw_lookup = true;
      CHECK(o.instances == L);
    }
  }
  CHECK_FALSE(saw_ffn);
  CHECK(saw_lookup);
  CHECK(lut_macs == 0);
  uint64_t report_macs = 0;
  for (const Row& o : r.ops) report_macs += o.macs;
  CHECK(report_macs == macs(qw));
  for (const ModuleStats& m : run.designs[0].modules) {
    if (m.kind != "lut_weightless") continue;
    CHECK(m.scalars.at("lookups") == double(L * T * F));
    CHECK(m.scalars.at("bank_conflict_stall_cycles") == 0);  // lut_modulo over 64 banks, 64 per cycle
    // Energy of the unit = its events x its prices, LUT SRAM at the 128 KiB class, comparators at fp16_compare.
    EventCounts all;
    for (const auto& k : m.per_key) all += k;
    CHECK(all[Ev::Fp16Compare] == L * T * H * 4);
    CHECK(all[Ev::LutSramReadBit] == L * (T * F * 64 + H * 4 * 16));
    const double want = double(all[Ev::Fp16Compare]) * d.tech.event_pj.at("fp16_compare") +
                        double(all[Ev::LutSramReadBit]) * d.tech.sram_class(128).read_pj_per_bit +
                        double(all[Ev::Int32Add]) * d.tech.event_pj.at("int32_add");
    CHECK(price(all, m.prices).total() == Approx(want).epsilon(1e-12));
  }
  // Report: the per-run weightless summary.
  CHECK(r.lut_mlp.present);
  CHECK(r.lut_mlp.blocks == L);
  CHECK(r.lut_mlp.macs_removed == removed);
  CHECK(r.lut_mlp.macs_removed_fraction == Approx(frac).epsilon(1e-12));
  CHECK(r.lut_mlp.lookups == L * T * F);
  double lut_pj = 0;
  for (const Row& o : r.ops) lut_pj += o.name.rfind("lut_", 0) == 0 ? o.energy.total() : 0.0;
  CHECK(r.lut_mlp.energy_pj == Approx(lut_pj));
  // Footprint: tables + thresholds + int8 values + int32 bias per block instead of the ternary FFN.
  CHECK(r.footprint.lut_weights == L * ((768 * 64 + 192 * 4 * 16 + 192 * 768 * 8 + 192 * 32) / 8));
}

TEST_CASE(
    "lpusim run: streamed tables show up as DRAM traffic and in the LUT summary, and reports are byte-identical") {
  const std::string dir = temp_tree("lutstream");
  const std::string design = read_file(dir + "/configs/designs/lpu_lut.yaml");
  write_file(dir + "/configs/designs/stream.yaml",
             replace_once(replace_once(design, "lut_sram_kib: 128", "lut_sram_kib: 16"), "on_overflow: reject",
                          "on_overflow: stream_from_dram"));
  write_file(dir + "/configs/designs/small.yaml", replace_once(design, "lut_sram_kib: 128", "lut_sram_kib: 16"));
  const std::string wl = src("workloads/deit_tiny_quweit.yaml");
  auto run = [&](const std::string& d, const std::string& out) {
    return run_lpusim("run " + dir + "/configs/designs/" + d + " " + wl + " -o " + dir + "/" + out, "lutstream");
  };
  REQUIRE(run("lpu_lut.yaml", "a").code == 0);
  REQUIRE(run("lpu_lut.yaml", "b").code == 0);
  CHECK(read_file(dir + "/a/report.json") == read_file(dir + "/b/report.json"));
  const CmdResult s = run("stream.yaml", "s");
  REQUIRE(s.code == 0);
  CHECK(s.out.find("note [lpu_lut] lut_lookup -> lut: 768 LUTs x 6 inputs x 1 bit(s), tables streamed from DRAM") !=
        std::string::npos);
  const auto a = nlohmann::json::parse(read_file(dir + "/a/report.json"))["designs"][0];
  const auto st = nlohmann::json::parse(read_file(dir + "/s/report.json"))["designs"][0];
  const uint64_t stream_bytes = 12 * (768 * 64 + 192 * 4 * 16) / 8;
  CHECK(st["totals"]["dram_read_bytes"].get<uint64_t>() - a["totals"]["dram_read_bytes"].get<uint64_t>() ==
        stream_bytes);
  CHECK(st["lut_mlp"]["streamed_table_bits"].get<uint64_t>() == stream_bytes * 8);
  CHECK(a["lut_mlp"]["streamed_table_bits"].get<uint64_t>() == 0);
  const CmdResult rej = run("small.yaml", "r");
  CHECK(rej.code == 2);
  CHECK(rej.err.find(
            "units.lut.lut_sram_kib: the LUT tables and thresholds of workload 'deit_tiny_quweit' need 90 KiB") !=
        std::string::npos);
}

TEST_CASE("without a lut unit the LUT blocks run as the MAC MLPs they replace, block for block") {
  const WorkloadSpec w = load_workload(src("workloads/deit_tiny_quweit.yaml"));
  std::vector<DesignSpec> ds = {load_design(src("configs/designs/lpu_lut.yaml")),
                                load_design(src("configs/designs/fp16_64x64.yaml")),
                                load_design(src("configs/designs/lpu_64x64.yaml"))};
  SimulationRun run = simulate(w, ds);
  std::vector<DesignReport> r;
  for (const auto& d : run.designs) r.push_back(build_report(run, d));
  CHECK_FALSE(r[0].lut_mlp.as_mac);
  CHECK(r[1].lut_mlp.as_mac);
  CHECK(r[2].lut_mlp.as_mac);
  // Same blocks on every design; the MAC MLPs run exactly the MACs the LUT blocks removed.
  CHECK(r[1].lut_mlp.blocks == r[0].lut_mlp.blocks);
  CHECK(r[2].lut_mlp.blocks == r[0].lut_mlp.blocks);
  uint64_t mlp_macs = 0;
  for (const ProgramOp& po : run.designs[1].program.ops) {
    if (po.op.kind == OpKind::Gemm && po.op.name.rfind("ffn_", 0) == 0) {
      mlp_macs += po.op.macs();
      CHECK_THAT(po.note, Catch::Contains("LUT MLP block run as the MAC MLP"));
    }
  }
  CHECK(mlp_macs == r[0].lut_mlp.macs_removed);
  for (const auto& x : r) CHECK(x.lut_mlp.cycles > 0);
  // The FP16 MAC MLP costs more energy per block than the LUT block (the point of QuWeiT).
  CHECK(r[1].lut_mlp.energy_pj > r[0].lut_mlp.energy_pj);
}
