// MAC arrays (issue 3, timing side): both fold-timing modes against closed forms on divisible and
// ragged shapes for all three dataflows; zero skipping follows the real per-column zero pattern;
// decoder events follow the weight format; GEMMs split across several arrays.
#include <catch2/catch.hpp>
#include <systemc>

#include <algorithm>
#include <map>
#include <set>

#include "base/config_error.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "datapath/systolic.h"
#include "helpers.h"
#include "report/report.h"
#include "simulate/simulate.h"
#include "unit_bench.h"
#include "units/compute_unit.h"
#include "units/ternary_mac_array/weight_format.h"
#include "workload/weight_source.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

ArrayShape shape(Dataflow df, FoldTiming ft, uint64_t R, uint64_t C, uint64_t E) {
  ArrayShape a;
  a.dataflow = df;
  a.timing = ft;
  a.rows = R;
  a.cols = C;
  a.unpack_stages = E;
  return a;
}

// A deterministic, visibly non-uniform zero pattern: column c of a block starting at row k0 has
// (c * 7 + k0) mod 13 zeros (capped at k), so columns differ and densest columns are known.
class PatternWeights : public IWeightSource {
 public:
  BlockZeros block(int, const std::string&, uint64_t k0, uint64_t k, uint64_t n0, uint64_t n,
                   bool per_column) const override {
    BlockZeros b;
    for (uint64_t j = 0; j < n; ++j) {
      const uint64_t nz = k - std::min<uint64_t>(k, ((n0 + j) * 7 + k0) % 13);
      b.nonzero += nz;
      if (per_column) b.col_nonzero.push_back(static_cast<uint32_t>(nz));
    }
    return b;
  }
  std::string describe() const override { return "test pattern"; }
};

UnitSpec& unit_named(DesignSpec& d, const std::string& name) {
  for (auto& u : d.units) {
    if (u.name == name) return u;
  }
  throw std::runtime_error("no unit " + name);
}

}  // namespace

TEST_CASE("both fold-timing modes match their closed forms for every dataflow, divisible and ragged") {
  struct Case {
    uint64_t R, C, M, K, N;
  };
  // Divisible, ragged in every dimension, and short streams (T < R, where the drain dominates).
  const Case cases[] = {{64, 64, 128, 256, 192}, {32, 16, 100, 70, 130}, {16, 8, 1, 33, 19}, {8, 8, 3, 5, 7}};
  for (const Case& c : cases) {
    for (Dataflow df : {Dataflow::OutputStationary, Dataflow::WeightStationary, Dataflow::InputStationary}) {
      uint64_t sr = c.M, sc = c.N, T = c.K;
      if (df == Dataflow::WeightStationary) sr = c.K, sc = c.N, T = c.M;
      if (df == Dataflow::InputStationary) sr = c.K, sc = c.M, T = c.N;
      const uint64_t folds = cdiv(sr, c.R) * cdiv(sc, c.C), E = 2;
      const uint64_t full = 2 * c.R + c.C + T - 2 + E;
      // SCALE-Sim: an output-stationary fold drains under the skew (no extra R); its total is the
      // index of the last cycle (- 1).
      const uint64_t scale_fold = (df == Dataflow::OutputStationary ? c.R : 2 * c.R) + c.C + T - 2 + E;
      INFO("R=" << c.R << " C=" << c.C << " M=" << c.M << " K=" << c.K << " N=" << c.N
                << " df=" << static_cast<int>(df));
      const SystolicTiming s = systolic_gemm(shape(df, FoldTiming::ScaleSim, c.R, c.C, E), c.M, c.K, c.N);
      const SystolicTiming p = systolic_gemm(shape(df, FoldTiming::Pipelined, c.R, c.C, E), c.M, c.K, c.N);
      CHECK(s.folds == folds);
      CHECK(s.cycles == folds * scale_fold - 1);
      CHECK(p.cycles == (folds - 1) * std::max(T, c.R) + full);
      // Pipelining hides fills once there are several folds that stream at least as long as the
      // drain. (A single fold costs pipelined timing its R-cycle drain, which SCALE-Sim's
      // output-stationary accounting does not count, and the cycle SCALE-Sim's 0-based total drops.)
      if (folds > 1 && T >= c.R) CHECK(p.cycles < s.cycles);
    }
  }
  // Worked example: OS 128 x 256 x 192 on 64 x 64, no unpack: 6 folds, T = 256.
  //   scale_sim: 6 x (64 + 64 + 256 - 2) - 1 = 2291;  pipelined: 5 x 256 + 446 = 1726.
  CHECK(systolic_gemm(shape(Dataflow::OutputStationary, FoldTiming::ScaleSim, 64, 64, 0), 128, 256, 192).cycles ==
        2291);
  CHECK(systolic_gemm(shape(Dataflow::OutputStationary, FoldTiming::Pipelined, 64, 64, 0), 128, 256, 192).cycles ==
        1726);
}

TEST_CASE("a pipelined ternary tile simulated in SystemC takes its closed-form cycles") {
  UnitBench b("configs/designs/lpu_64x64.yaml");
  UnitSpec s = b.unit("tmac");
  s.enums["timing"] = "pipelined";
  auto cu = b.make(s);
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 100, t.k = 300, t.n = 130, t.a_bits = 8, t.w_bits = 2, t.w_nonzero = 300 * 130;
  // 2 x 3 folds, T = K = 300 > R: 5 x 300 + (2*64 + 64 + 300 - 2 + 1 unpack) = 1991.
  CHECK(cu->cost(t).cycles == 1991);
  CHECK(b.run_tile(*cu, t) == 1991);
}

TEST_CASE("zero skipping: each column fold streams as long as its densest column") {
  UnitBench b("configs/designs/lpu_64x64.yaml");
  UnitSpec s = b.unit("tmac");
  s.enums["weight_format"] = "sparse";
  s.ints["index_bits"] = 4;
  auto cu = b.make(s);
  UnitSpec dense_spec = b.unit("tmac");
  dense_spec.name = "tmac_dense";
  auto dense = b.make(dense_spec);  // modules must exist before the simulation starts
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 100, t.k = 300, t.n = 130, t.a_bits = 8;
  t.w_nonzero = 20000;
  t.nfold_stream = std::make_shared<const std::vector<uint32_t>>(std::vector<uint32_t>{200, 150, 10});
  // scale_sim: 2 M folds x (3 column folds of 64 + 64 - 2 + 1 unpack + S_j), S = 200, 150, 10, minus 1.
  // A tile without its zero pattern cannot be costed (the compiler always provides it). Checked
  // before sc_start: exceptions after SystemC has switched stacks confuse AddressSanitizer.
  Tile no_pattern = t;
  no_pattern.nfold_stream.reset();
  CHECK_THROWS_AS(cu->cost(no_pattern), std::logic_error);
  const TileCost c = cu->cost(t);
  CHECK(c.cycles == 2 * (3 * 127 + 200 + 150 + 10) - 1);
  CHECK(b.run_tile(*cu, t) == c.cycles);
  CHECK(c.events[Ev::Int8Add] == 100 * 20000);  // only nonzeros reach the PEs
  CHECK(c.events[Ev::GatedSlot] == 0);
  CHECK(c.events[Ev::IndexDecodeBit] == 20000 * 4 * 2);  // decoded once per M-fold weight stream
  // A dense tile of the same shape takes the full K in every fold.
  CHECK(dense->cost(t).cycles == 6 * (127 + 300) - 1);
}

TEST_CASE("weight decoders: one event per streamed weight (packed2) or per streamed byte (base3)") {
  UnitBench b("configs/designs/lpu_64x64.yaml");
  UnitSpec p2 = b.unit("tmac");
  UnitSpec b3 = p2;
  b3.enums["weight_format"] = "base3";
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 130, t.k = 64, t.n = 21;  // OS: ceil(130/64) = 3 weight streams; 64*21 = 1344 weights
  t.w_nonzero = 1344;
  CHECK(b.make(p2)->cost(t).events[Ev::UnpackPacked2] == 1344 * 3);
  CHECK(b.make(b3)->cost(t).events[Ev::UnpackBase3Byte] == cdiv(1344, 5) * 3);
  // Stored sizes: packed2 4 weights a byte, base3 5, sparse (b = 4) per column ceil(k/16) counts of
  // 5 bits plus 5 bits per nonzero.
  CHECK(ternary_block_bits({TernaryFormat::Packed2, 4}, 64, 21, 1344) == 336 * 8);
  CHECK(ternary_block_bits({TernaryFormat::Base3, 4}, 64, 21, 1344) == 269 * 8);
  CHECK(ternary_block_bits({TernaryFormat::Sparse, 4}, 64, 21, 900) == 21 * 4 * 5 + 900 * 5);
}

TEST_CASE("sparse tiles carry the real zero pattern of their weight block") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  DesignSpec d = load_design(src("configs/designs/lpu_64x64.yaml"));
  unit_named(d, "tmac").enums["weight_format"] = "sparse";
  const uint64_t C = unit_named(d, "tmac").i("cols");
  PatternWeights pw;
  Program p = compile(w, d, false, &pw);
  size_t checked = 0;
  for (const Tile& t : p.tiles) {
    if (t.kind != OpKind::Gemm || p.ops[t.op].unit_name != "tmac") continue;
    REQUIRE(t.nfold_stream);
    REQUIRE(t.nfold_stream->size() == cdiv(t.n, C));
    CHECK(t.w_block_bits == ternary_block_bits({TernaryFormat::Sparse, 4}, t.k, t.n, t.w_nonzero));
    CHECK(t.load_weight_bytes == cdiv(t.w_block_bits, 8));
    ++checked;
  }
  CHECK(checked > 0);
  // Recompute one block by hand: q_proj of layer 0, first tile (k0 = 0, n0 = 0).
  for (const Tile& t : p.tiles) {
    const ProgramOp& po = p.ops[t.op];
    if (po.op.name != "q_proj" || po.op.layer != 0 || !t.first_k) continue;
    BlockZeros bz = pw.block(0, "q_proj", 0, t.k, 0, t.n, true);
    CHECK(t.w_nonzero == bz.nonzero);
    for (size_t f = 0; f < t.nfold_stream->size(); ++f) {
      uint32_t mx = 0;
      for (size_t j = f * C; j < std::min<size_t>(bz.col_nonzero.size(), (f + 1) * C); ++j)
        mx = std::max(mx, bz.col_nonzero[j]);
      CHECK((*t.nfold_stream)[f] == mx);
    }
    break;
  }
  // The footprint follows the sparse format's real nonzeros.
  Footprint f = footprint(w, d, &pw);
  Footprint packed = footprint(w, load_design(src("configs/designs/lpu_64x64.yaml")), &pw);
  CHECK(f.ternary_weights != packed.ternary_weights);
  uint64_t expect = 0;
  const uint64_t H = 256, KV = 128, F = 640;
  const std::pair<const char*, std::pair<uint64_t, uint64_t>> tensors[] = {
      {"q_proj", {H, H}},   {"k_proj", {H, KV}}, {"v_proj", {H, KV}}, {"o_proj", {H, H}},
      {"ffn_gate", {H, F}}, {"ffn_up", {H, F}},  {"ffn_down", {F, H}}};
  for (int l = 0; l < 2; ++l) {
    for (const auto& tn : tensors) {
      const uint64_t K = tn.second.first, N = tn.second.second;
      expect +=
          cdiv(ternary_block_bits({TernaryFormat::Sparse, 4}, K, N, pw.block(l, tn.first, 0, K, 0, N, false).nonzero),
               8) +
          4;
    }
  }
  CHECK(f.ternary_weights == expect);
}

TEST_CASE("sparse weights need an output-stationary array") {
  std::string dir = temp_tree("sparse_ws");
  std::string path = dir + "/configs/designs/lpu_64x64.yaml";
  std::string text = read_file(path);
  text = replace_once(text, "weight_format: packed2", "weight_format: sparse");
  text = replace_once(text, "    dataflow: output_stationary\n    accumulator_bits",
                      "    dataflow: weight_stationary\n    accumulator_bits");
  write_file(path, text);
  try {
    load_design(path);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("units.tmac.weight_format") &&
                             Catch::Contains("need dataflow: output_stationary, got weight_stationary"));
  }
}

TEST_CASE("a GEMM splits across two arrays: K chains stay whole, both arrays work, time drops") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  w.scenario.prompt_tokens = 256;  // enough output tiles to share
  w.scenario.generated_tokens = 1;
  DesignSpec one = load_design(src("configs/designs/lpu_64x64.yaml"));
  one.name = "one_array";
  DesignSpec two = one;
  two.name = "two_arrays";
  UnitSpec second = unit_named(two, "tmac");
  second.name = "tmac_b";
  two.units.insert(two.units.begin() + 1, second);

  Program p = compile(w, two);
  std::map<std::string, uint64_t> tiles_per_unit;
  for (const ProgramOp& po : p.ops) {
    if (po.unit_name != "tmac+tmac_b") continue;
    CHECK(po.window == 2 * po.mapping.depth);  // the mapper's buffering depth x 2 arrays
    uint32_t chain_unit = 0;
    for (uint32_t i = po.first_tile; i < po.first_tile + po.num_tiles; ++i) {
      const Tile& t = p.tiles[i];
      if (t.first_k) chain_unit = t.unit;
      CHECK(t.unit == chain_unit);  // partial sums never move between arrays
      ++tiles_per_unit[two.units[t.unit].name];
    }
  }
  CHECK(tiles_per_unit["tmac"] > 0);
  CHECK(tiles_per_unit["tmac_b"] > 0);

  SimulationRun run = simulate(w, {one, two});
  const DesignReport r1 = build_report(run, run.designs[0]);
  const DesignReport r2 = build_report(run, run.designs[1]);
  uint64_t ternary_cycles_1 = 0, ternary_cycles_2 = 0;
  for (const auto& o : r1.ops)
    if (o.unit == "tmac") ternary_cycles_1 += o.cycles;
  for (const auto& o : r2.ops)
    if (o.unit == "tmac+tmac_b") ternary_cycles_2 += o.cycles;
  CHECK(ternary_cycles_2 < ternary_cycles_1);
  // Per-array utilisation: each array reports its own MACs against its own peak.
  double u_a = -1, u_b = -1;
  for (const auto& u : r2.units) {
    if (u.name.size() >= 5 && u.name.substr(u.name.size() - 5) == ".tmac") u_a = static_cast<double>(u.macs);
    if (u.name.size() >= 7 && u.name.substr(u.name.size() - 7) == ".tmac_b") u_b = static_cast<double>(u.macs);
  }
  CHECK(u_a > 0);
  CHECK(u_b > 0);
}

TEST_CASE("a whole tiled GEMM simulated on one array takes the sum of its tiles' closed forms") {
  // Ragged GEMM, small buffers so it splits into many tiles along M, N and K. One array per
  // (dataflow, timing) pair, all in one elaboration; ports so wide that SRAM never stalls.
  const uint64_t M = 300, K = 1000, N = 700, R = 64, C = 64, E = 1;
  UnitBench b("configs/designs/lpu_64x64.yaml",
              [](DesignSpec& d) { d.weight_buffer.banks = d.activation_buffer.banks = 1 << 20; });
  const GemmTiling tl = choose_gemm_tiling(M, K, N, 8, 2, 32, R, C, 512 * 1024, 1024 * 1024, "test");
  struct Run {
    std::string df, timing;
    std::unique_ptr<ComputeUnit> cu;
    std::vector<Tile> tiles;
    uint64_t expect = 0;
    sc_core::sc_time done;
  };
  std::vector<Run> runs;
  for (const char* df : {"output_stationary", "weight_stationary", "input_stationary"}) {
    for (const char* timing : {"scale_sim", "pipelined"}) {
      Run r;
      r.df = df, r.timing = timing;
      UnitSpec s = b.unit("tmac");
      s.name = std::string("tmac_") + df + "_" + timing;
      s.enums["dataflow"] = df;
      s.enums["timing"] = timing;
      r.cu = b.make(s);
      for (uint64_t m0 = 0; m0 < M; m0 += tl.tm) {
        for (uint64_t n0 = 0; n0 < N; n0 += tl.tn) {
          for (uint64_t k0 = 0; k0 < K; k0 += tl.tk) {
            Tile t;
            t.kind = OpKind::Gemm;
            t.m = std::min(tl.tm, M - m0), t.k = std::min(tl.tk, K - k0), t.n = std::min(tl.tn, N - n0);
            t.a_bits = 8, t.w_bits = 2, t.w_nonzero = t.k * t.n;
            t.first_k = k0 == 0, t.last_k = k0 + tl.tk >= K;
            r.tiles.push_back(t);
            // Independent closed form of this tile.
            uint64_t sr = t.m, sc = t.n, T = t.k;
            if (r.df == "weight_stationary") sr = t.k, sc = t.n, T = t.m;
            if (r.df == "input_stationary") sr = t.k, sc = t.m, T = t.n;
            const uint64_t folds = cdiv(sr, R) * cdiv(sc, C), full = 2 * R + C + T - 2 + E;
            const uint64_t scale_fold = (r.df == "output_stationary" ? R : 2 * R) + C + T - 2 + E;
            r.expect += r.timing == "scale_sim" ? folds * scale_fold - 1 : (folds - 1) * std::max(T, R) + full;
          }
        }
      }
      runs.push_back(std::move(r));
    }
  }
  REQUIRE(runs[0].tiles.size() > 8);
  for (Run& r : runs) {
    for (const Tile& t : r.tiles) r.cu->submit(&t, 0, [&r]() { r.done = sc_core::sc_time_stamp(); });
  }
  sc_core::sc_start();
  for (const Run& r : runs) {
    INFO(r.df << " " << r.timing);
    CHECK(static_cast<uint64_t>(r.done / b.clk + 0.5) == r.expect);
  }
  CHECK(runs[1].expect < runs[0].expect);  // pipelining hides fill and drain
}
