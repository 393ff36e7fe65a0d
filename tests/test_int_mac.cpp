// Integer MAC array (issue 15 item 1): the functional datapath bit-exact with a plain triple loop
// (random and ragged shapes, every dataflow, INT8 and INT4 weights, zero-heavy weights, extreme
// values, saturation and error modes); tile cycles and events from the closed forms; int8/int4
// workloads routed to the array, their INT8 input quantisation, weight bytes and the FP16 fallback.
#include <catch2/catch.hpp>
#include <systemc>

#include <random>
#include <set>

#include "base/config_error.h"
#include "compiler/compiler.h"
#include "compiler/mapper.h"
#include "config/loaders.h"
#include "datapath/int_gemm.h"
#include "datapath/systolic.h"
#include "helpers.h"
#include "report/report.h"
#include "simulate/simulate.h"
#include "spec/area.h"
#include "unit_bench.h"

using namespace lpusim;
using namespace lpusim::datapath;
using namespace lpusim_test;

namespace {

constexpr Dataflow kDataflows[] = {Dataflow::OutputStationary, Dataflow::WeightStationary, Dataflow::InputStationary};

// Uniform in [lo, hi]; with probability `zero` a zero instead.
std::vector<int8_t> random_ints(uint64_t n, int lo, int hi, double zero, std::mt19937_64& g) {
  std::uniform_int_distribution<int> v(lo, hi);
  std::bernoulli_distribution z(zero);
  std::vector<int8_t> out(n);
  for (auto& x : out) x = z(g) ? 0 : static_cast<int8_t>(v(g));
  return out;
}

uint64_t closed_form_folds(Dataflow df, uint64_t R, uint64_t C, uint64_t M, uint64_t K, uint64_t N,
                           const TileShape& t) {
  uint64_t folds = 0;
  for_each_tile(M, K, N, t, [&](uint64_t, uint64_t, uint64_t, uint64_t m, uint64_t k, uint64_t n) {
    ArrayShape a;
    a.dataflow = df;
    a.rows = R;
    a.cols = C;
    folds += systolic_gemm(a, m, k, n).folds;
  });
  return folds;
}

IntArrayConfig icfg(uint64_t R, uint64_t C, Dataflow df, int wbits, int acc_bits, OverflowMode mode) {
  IntArrayConfig c;
  c.rows = R;
  c.cols = C;
  c.dataflow = df;
  c.weight_bits = wbits;
  c.accumulator_bits = acc_bits;
  c.overflow = mode;
  return c;
}

// Plain int64 triple loop (no accumulator model): what a wide enough accumulator must give.
std::vector<int64_t> exact(const std::vector<int8_t>& a, const std::vector<int8_t>& w, uint64_t M, uint64_t K,
                           uint64_t N) {
  std::vector<int64_t> y(M * N, 0);
  for (uint64_t m = 0; m < M; ++m)
    for (uint64_t n = 0; n < N; ++n)
      for (uint64_t k = 0; k < K; ++k) y[m * N + n] += int64_t{a[m * K + k]} * w[k * N + n];
  return y;
}

}  // namespace

TEST_CASE("int GEMM: tiled model bit-exact with the triple loop, random ragged shapes, INT8 and INT4 weights") {
  std::mt19937_64 g(15);
  struct Shape {
    uint64_t R, C, M, K, N;
    TileShape t;
  };
  std::vector<Shape> shapes = {
      {4, 3, 13, 37, 11, {5, 8, 7}},     // nothing divides anything
      {8, 8, 16, 64, 24, {16, 64, 8}},   // divisible
      {5, 7, 9, 300, 71, {9, 300, 71}},  // one tile, odd K x N (INT4: a half-filled last byte)
      {3, 2, 1, 129, 130, {1, 50, 65}},  // GEMV, K split into tiles
  };
  std::uniform_int_distribution<uint64_t> dim(1, 40), arr(1, 9);
  for (int i = 0; i < 12; ++i) {  // random shapes and tilings
    Shape s{arr(g), arr(g), dim(g), dim(g), dim(g), {}};
    s.t = {std::uniform_int_distribution<uint64_t>(1, s.M)(g), std::uniform_int_distribution<uint64_t>(1, s.K)(g),
           std::uniform_int_distribution<uint64_t>(1, s.N)(g)};
    shapes.push_back(s);
  }
  for (const Shape& s : shapes) {
    for (int wbits : {8, 4}) {
      const int wlo = wbits == 8 ? -128 : -8, whi = wbits == 8 ? 127 : 7;
      for (double zero : {0.0, 0.9}) {  // dense and zero-heavy weights
        const std::vector<int8_t> a = random_ints(s.M * s.K, -128, 127, 0.1, g);
        const std::vector<int8_t> w = random_ints(s.K * s.N, wlo, whi, zero, g);
        const IntGemmResult ref = int_gemm_reference(a, w, s.M, s.K, s.N, 32, OverflowMode::Saturate);
        REQUIRE(ref.acc == exact(a, w, s.M, s.K, s.N));
        REQUIRE(ref.saturations == 0);
        const std::vector<uint8_t> p = pack_int_weights(w, wbits);
        REQUIRE(p.size() == (wbits == 8 ? s.K * s.N : (s.K * s.N + 1) / 2));
        for (Dataflow df : kDataflows) {
          CAPTURE(s.R, s.C, s.M, s.K, s.N, s.t.tm, s.t.tk, s.t.tn, wbits, zero, static_cast<int>(df));
          const IntGemmResult r =
              int_gemm_tiled(icfg(s.R, s.C, df, wbits, 32, OverflowMode::Saturate), s.t, a, s.M, s.K, p, s.N);
          REQUIRE(r.acc == ref.acc);
          REQUIRE(r.saturations == 0);
          REQUIRE(r.macs == s.M * s.K * s.N);
          REQUIRE(r.folds == closed_form_folds(df, s.R, s.C, s.M, s.K, s.N, s.t));
        }
      }
    }
  }
}

TEST_CASE("int GEMM extremes: -128/127 activations with -128/127 and -8/7 weights, INT4 nibble packing") {
  // Every product at its extreme: (-128) x (-128) = 16384 is the largest, 127 x (-128) the most negative.
  const uint64_t M = 3, K = 70, N = 5;
  std::vector<int8_t> a(M * K), w8(K * N), w4(K * N);
  for (uint64_t i = 0; i < a.size(); ++i) a[i] = i % 3 == 0 ? -128 : 127;
  for (uint64_t i = 0; i < w8.size(); ++i) w8[i] = i % 2 ? -128 : 127;
  for (uint64_t i = 0; i < w4.size(); ++i) w4[i] = i % 2 ? -8 : 7;
  for (const auto* w : {&w8, &w4}) {
    const int bits = w == &w8 ? 8 : 4;
    const std::vector<uint8_t> p = pack_int_weights(*w, bits);
    for (uint64_t i = 0; i < w->size(); ++i) REQUIRE(unpack_int_weight(p, i, bits) == (*w)[i]);
    for (Dataflow df : kDataflows) {
      const IntGemmResult r =
          int_gemm_tiled(icfg(4, 4, df, bits, 32, OverflowMode::Saturate), {2, 9, 3}, a, M, K, p, N);
      REQUIRE(r.acc == exact(a, *w, M, K, N));
    }
  }
  // Documented nibble order: element 0 in the low nibble. -8 = 0x8, 7 = 0x7, -1 = 0xF.
  REQUIRE(pack_int_weights({-8, 7, -1}, 4) == std::vector<uint8_t>{0x78, 0x0F});
  REQUIRE_THROWS_WITH(pack_int_weights({0, 8}, 4), Catch::Contains("weight 1 = 8"));
  // All (-128) x (-128) over K = 2^17 + 1 rows: 2^31 + 2^14 overflows INT32 at k = 2^17 - 1 (the sum
  // 2^31 first exceeds 2^31 - 1); a 40-bit accumulator holds it.
  const uint64_t K2 = (uint64_t{1} << 17) + 1;
  const std::vector<int8_t> a2(K2, -128), w2(K2, -128);
  const std::vector<uint8_t> p2 = pack_int_weights(w2, 8);
  const IntGemmResult sat = int_gemm_reference(a2, w2, 1, K2, 1, 32, OverflowMode::Saturate);
  REQUIRE(sat.acc[0] == 2147483647);
  REQUIRE(sat.saturations == 2);
  const IntGemmResult sat_t = int_gemm_tiled(icfg(2, 2, Dataflow::WeightStationary, 8, 32, OverflowMode::Saturate),
                                             {1, 1000, 1}, a2, 1, K2, p2, 1);
  REQUIRE(sat_t.acc == sat.acc);
  REQUIRE(sat_t.saturations == sat.saturations);
  REQUIRE(int_gemm_reference(a2, w2, 1, K2, 1, 40, OverflowMode::Saturate).acc[0] == int64_t{16384} * int64_t(K2));
  try {
    int_gemm_tiled(icfg(2, 2, Dataflow::OutputStationary, 8, 32, OverflowMode::Error), {1, 5000, 1}, a2, 1, K2, p2, 1);
    FAIL("no overflow reported");
  } catch (const AccumulatorOverflow& e) {
    CHECK(e.m == 0);
    CHECK(e.n == 0);
    CHECK(e.k == (uint64_t{1} << 17) - 1);
  }
}

TEST_CASE("int_mac_array tiles: closed-form cycles in both timings, INT8 MAC events, group rescales") {
  UnitBench b("configs/designs/int8.yaml");
  std::vector<std::unique_ptr<ComputeUnit>> units;  // alive until the simulation (SystemC elaborates once)
  for (const char* timing : {"scale_sim", "pipelined"}) {
    for (const char* df : {"output_stationary", "weight_stationary", "input_stationary"}) {
      UnitSpec s = b.unit("imac");
      s.enums["timing"] = timing;
      s.enums["dataflow"] = df;
      s.name = std::string("imac_") + timing + "_" + df;
      units.push_back(b.make(s));
      ComputeUnit* cu = units.back().get();
      Tile t;
      t.kind = OpKind::Gemm;
      t.m = 100, t.k = 300, t.n = 130, t.a_bits = 8, t.w_bits = 8, t.acc_bits = 32, t.w_nonzero = 300 * 130;
      const TileCost c = cu->cost(t);
      CAPTURE(timing, df);
      CHECK(c.cycles == systolic_gemm(array_shape(s), t.m, t.k, t.n).cycles);
      CHECK(c.macs == 100 * 300 * 130);
      CHECK(c.events[Ev::Int8Mul] == c.macs);
      CHECK(c.events[Ev::Int32Add] == c.macs);
      CHECK(c.events[Ev::RegFileBit] == c.macs * 32);
      CHECK(c.events[Ev::Fp32Mul] == 100 * 130);  // last K tile: one rescale per output
      CHECK(c.events[Ev::Int8Add] == 0);
      CHECK(c.events[Ev::Fp16Mul] == 0);
    }
  }
  // OS 64 x 64, scale_sim, worked: 2 x 3 folds of 64 + 64 + 300 - 2 = 426 cycles, - 1 = 2555.
  auto cu = b.make(b.unit("imac"));
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 100, t.k = 300, t.n = 130, t.a_bits = 8, t.w_bits = 4, t.acc_bits = 32, t.w_group = 128;
  t.last_k = false;
  const TileCost c = cu->cost(t);
  CHECK(c.cycles == 2555);
  CHECK(b.run_tile(*cu, t) == 2555);
  // INT4 groups of 128 rows: ceil(300 / 128) = 3 rescale multiply-adds per output, no final rescale yet.
  CHECK(c.events[Ev::Fp32Mul] == 3 * 100 * 130);
  CHECK(c.events[Ev::Fp32Add] == 3 * 100 * 130);
  CHECK(c.events[Ev::RegFileBit] == c.macs * 32 + 3 * 100 * 130 * 32);
}

TEST_CASE("int_mac_array parameters and area: weight_bits 8 or 4, a 4-bit PE is smaller") {
  DesignSpec d = load_design(src("configs/designs/int8.yaml"));
  UnitSpec& u = d.units.front();
  REQUIRE(u.impl == "int_mac_array");
  const UnitInfo* info = UnitRegistry::instance().find("int_mac_array");
  const double a8 = info->area(u, d.tech).um2;
  u.ints["weight_bits"] = 4;
  const double a4 = info->area(u, d.tech).um2;
  CHECK(a4 < a8);
  // 4096 PEs x (int8_mul + int32_add + 48 register bits) + 64 columns x (fp32 mul + add + 32 bits).
  const TechTable& t = d.tech;
  const double pe8 = t.area("int8_mul") + t.area("int32_add") + 48 * t.area("register_bit");
  const double col = t.area("fp32_mul") + t.area("fp32_add") + 32 * t.area("register_bit");
  CHECK(a8 == Approx(4096 * pe8 + 64 * col));
  u.ints["weight_bits"] = 6;
  CHECK_THROWS_WITH(info->validate(u), Catch::Contains("expected 8 or 4"));
}

TEST_CASE("int8/int4 workloads: linear layers on the int_mac_array, INT8 input quantisation, packed weight bytes") {
  const DesignSpec d = load_design(src("configs/designs/int8.yaml"));
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  w.model.attn_proj = w.model.ffn_w = Precision::Int8;
  const uint64_t H = 256, F = 640, KV = 128, L = 2;
  const Program p = compile(w, d);
  std::set<std::string> quant;
  for (const ProgramOp& po : p.ops) {
    const Op& op = po.op;
    if (op.kind == OpKind::Vector && op.vop == VecOp::Quantize) quant.insert(op.name);
    if (op.kind != OpKind::Gemm) continue;
    const bool linear = op.wclass == WeightClass::Int8;
    CHECK(po.unit_name == (linear ? "imac" : "fpmac"));
    if (!linear) continue;
    for (uint32_t i = po.first_tile; i < po.first_tile + po.num_tiles; ++i) {
      const Tile& t = p.tiles[i];
      CHECK(t.a_bits == 8);
      CHECK(t.w_bits == 8);
      CHECK(t.w_group == 0);
    }
    if (op.phase == Phase::Prefill && op.name == "q_proj") {
      CHECK(po.mapping.compulsory_dram_bytes >= H * H + H * 2);  // INT8 weights + FP16 column scales
    }
  }
  CHECK(quant == std::set<std::string>{"attn_quant", "o_quant", "ffn_quant", "down_quant"});
  // Footprint: one byte per weight plus one FP16 scale per output channel.
  const uint64_t lin = L * (2 * H * H + 2 * H * KV + 3 * H * F), cols = L * (2 * H + 2 * KV + 2 * F + H);
  CHECK(footprint(w, d).int_weights == lin + 2 * cols);
  // INT4 with groups of 64: half a byte per weight plus one FP16 scale per 64 rows of a column.
  w.model.attn_proj = w.model.ffn_w = Precision::Int4;
  w.model.int4_group_size = 64;
  const uint64_t groups = L * (2 * (H / 64) * H + 2 * (H / 64) * KV + 2 * (H / 64) * F + (F / 64) * H);
  CHECK(footprint(w, d).int_weights == lin / 2 + 2 * groups);
  for (const Tile& t : compile(w, d).tiles) {
    if (t.kind == OpKind::Gemm && t.w_group) {
      CHECK(t.w_bits == 4);
      CHECK(t.w_group == 64);
    }
  }
}

TEST_CASE("int layers without an int_mac_array run as FP16 layers, with a note, and INT8 needs weight_bits 8") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  w.model.attn_proj = w.model.ffn_w = Precision::Int8;
  const DesignSpec fp = load_design(src("configs/designs/fp16.yaml"));
  const Program p = compile(w, fp);
  bool seen = false;
  for (const ProgramOp& po : p.ops) {
    CHECK(!(po.op.kind == OpKind::Vector && po.op.vop == VecOp::Quantize));
    if (po.op.kind == OpKind::Gemm && po.op.wclass == WeightClass::Int8) {
      seen = true;
      CHECK(po.unit_name == "fpmac");
      CHECK(po.note == "int8 layer run with FP16 weights (no int_mac_array with weight_bits 8)");
    }
  }
  CHECK(seen);
  CHECK(footprint(w, fp).int_weights == 0);
  // A 4-bit array takes int4 layers only; an 8-bit one both.
  DesignSpec d4 = load_design(src("configs/designs/int8.yaml"));
  d4.units.front().ints["weight_bits"] = 4;
  CHECK(choose_gemm_unit(d4, WeightClass::Int8).path == "fp16");
  CHECK(choose_gemm_unit(d4, WeightClass::Int4).path == "int");
  const DesignSpec d8 = load_design(src("configs/designs/int8.yaml"));
  CHECK(choose_gemm_unit(d8, WeightClass::Int4).path == "int");
  // Ternary layers on the INT8 design: the FP16 fallback, as on fp16.yaml.
  CHECK(choose_gemm_unit(d8, WeightClass::Ternary).note == "ternary layer run with FP16 weights (no ternary unit)");
}

TEST_CASE("workload precision int8/int4 and int4_group_size load, default 128, and are checked") {
  const WorkloadSpec w8 = load_workload(src("workloads/bitnet_b158_3b_int8.yaml"));
  CHECK(w8.model.attn_proj == Precision::Int8);
  CHECK(w8.model.ffn_w == Precision::Int8);
  const WorkloadSpec w4 = load_workload(src("workloads/bitnet_b158_3b_int4.yaml"));
  CHECK(w4.model.ffn_w == Precision::Int4);
  CHECK(w4.model.int4_group_size == 128);
  CHECK(w4.resolved_yaml().find("int4_group_size: 128") != std::string::npos);
  const std::string dir = temp_tree("int_prec");
  std::string text = read_file(src("tests/data/tiny.yaml"));
  const std::string from = "    ffn: ternary\n";
  text.replace(text.find(from), from.size(), "    ffn: int8\n    int4_group_size: 32\n");
  write_file(dir + "/w.yaml", text);
  CHECK_THROWS_WITH(load_workload(dir + "/w.yaml"), Catch::Contains("only int4 linear layers have weight groups"));
}

TEST_CASE("QuWeiT against its integer baseline: DeiT-Tiny W8A8 with LUT MLPs costs less energy than as I-ViT-T") {
  // One workload: LUT MLPs on int8_lut.yaml, the int8 MAC MLPs they replace on int8.yaml (I-ViT-T).
  const WorkloadSpec w = load_workload(src("workloads/deit_tiny_quweit_int8.yaml"));
  const SimulationRun run =
      simulate(w, {load_design(src("configs/designs/int8_lut.yaml")), load_design(src("configs/designs/int8.yaml"))});
  const DesignReport lut = build_report(run, run.designs[0]), base = build_report(run, run.designs[1]);
  CHECK_FALSE(lut.lut_mlp.as_mac);
  CHECK(base.lut_mlp.as_mac);
  for (const ProgramOp& po : run.designs[1].program.ops) {
    if (po.op.kind == OpKind::Gemm && po.op.layer >= 0 && po.op.wclass != WeightClass::KvCache) {
      CHECK(po.unit_name == "imac");  // projections and the MAC MLP on the integer array
    }
  }
  CHECK(lut.energy.total() < base.energy.total());
  CHECK(lut.lut_mlp.energy_pj < base.lut_mlp.energy_pj);
  // The I-ViT-T workload on int8.yaml is exactly that baseline: the same ops on the same units, the same
  // tiles (compiled only: SystemC elaborates once per process).
  const DesignSpec d = load_design(src("configs/designs/int8.yaml"));
  const Program ivit = compile(load_workload(src("workloads/deit_tiny_int8.yaml")), d);
  const Program& as_mac = run.designs[1].program;
  REQUIRE(ivit.ops.size() == as_mac.ops.size());
  REQUIRE(ivit.tiles.size() == as_mac.tiles.size());
  for (size_t i = 0; i < ivit.ops.size(); ++i) {
    CHECK(ivit.ops[i].op.name == as_mac.ops[i].op.name);
    CHECK(ivit.ops[i].unit_name == as_mac.ops[i].unit_name);
    CHECK(ivit.ops[i].op.macs() == as_mac.ops[i].op.macs());
  }
}
