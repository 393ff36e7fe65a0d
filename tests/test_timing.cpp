// Timing: systolic tile cycles against the SCALE-Sim closed form on divisible and non-divisible
// shapes; a unit simulated in SystemC takes exactly its closed-form cycles (DRAM: tests/test_dram.cpp).
#include <catch2/catch.hpp>
#include <systemc>

#include "helpers.h"
#include "unit_bench.h"
#include "models/compute_unit.h"
#include "models/sram_buffer.h"
#include "models/systolic.h"
#include "sim/design.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {
uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
}  // namespace

TEST_CASE("output-stationary fold cycles: 2R + C + K - 2 per fold, ceil(M/R) * ceil(N/C) folds") {
  // Divisible: 128 x 256 x 192 on 64 x 64 -> 2 * 3 folds of 2*64 + 64 + 256 - 2 = 446 cycles.
  SystolicTiming t = systolic_gemm(Dataflow::OutputStationary, 64, 64, 128, 256, 192, 0);
  CHECK(t.folds == 6);
  CHECK(t.cycles_per_fold == 446);
  CHECK(t.cycles == 2676);
  // Non-divisible: 100 x 70 x 130 on 32 x 16 -> ceil(100/32)=4, ceil(130/16)=9 folds of 64+16+70-2.
  t = systolic_gemm(Dataflow::OutputStationary, 32, 16, 100, 70, 130, 0);
  CHECK(t.folds == 36);
  CHECK(t.cycles == 36 * 148);
  // Unpack stages add to every fold.
  CHECK(systolic_gemm(Dataflow::OutputStationary, 32, 16, 100, 70, 130, 3).cycles == 36 * 151);
}

TEST_CASE("weight- and input-stationary fold cycles") {
  // WS: Sr = K, Sc = N, T = M.   IS: Sr = K, Sc = M, T = N.
  for (uint64_t M : {1ull, 17ull, 64ull}) {
    for (uint64_t K : {64ull, 100ull}) {
      for (uint64_t N : {32ull, 96ull, 130ull}) {
        const uint64_t R = 32, C = 16;
        SystolicTiming ws = systolic_gemm(Dataflow::WeightStationary, R, C, M, K, N, 0);
        CHECK(ws.cycles == cdiv(K, R) * cdiv(N, C) * (2 * R + C + M - 2));
        CHECK(ws.w_reads == K * N);
        SystolicTiming is = systolic_gemm(Dataflow::InputStationary, R, C, M, K, N, 0);
        CHECK(is.cycles == cdiv(K, R) * cdiv(M, C) * (2 * R + C + N - 2));
        CHECK(is.a_reads == M * K);
      }
    }
  }
}


TEST_CASE("a ternary tile simulated in SystemC takes its closed-form cycles") {
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 100, t.k = 300, t.n = 130;  // non-divisible on 64 x 64
  t.a_bits = 8, t.w_bits = 2, t.acc_bits = 32;
  t.w_nonzero = 300 * 130;
  UnitBench b("configs/designs/lpu.yaml");
  auto cu = b.make(b.unit("tmac"));
  const uint64_t cf = cu->cost(t).cycles;
  const uint64_t sim = b.run_tile(*cu, t);
  // ceil(100/64) * ceil(130/64) = 6 folds of 2*64 + 64 + 300 - 2 + 1 unpack stage = 491.
  CHECK(cf == 6 * 491);
  CHECK(sim == cf);
}

TEST_CASE("an FP16 tile simulated in SystemC takes its closed-form cycles") {
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 64, t.k = 3200, t.n = 256;
  t.w_nonzero = 3200 * 256;
  UnitBench b("configs/designs/fp16.yaml");
  auto cu = b.make(b.unit("fpmac"));
  const uint64_t cf = cu->cost(t).cycles;
  const uint64_t sim = b.run_tile(*cu, t);
  CHECK(cf == 4 * (2 * 64 + 64 + 3200 - 2));
  CHECK(sim == cf);
}

TEST_CASE("SRAM port contention stretches a tile") {
  // One port, 1 bank x 8 bits: reading the weights (64 x 64 x 2 bits = 8192 bits) takes 1024
  // cycles, more than the 191-cycle fold, so the tile finishes when the port does.
  UnitBench b("configs/designs/lpu.yaml", [](DesignSpec& d) {
    d.weight_buffer.banks = 1;
    d.weight_buffer.ports = 1;
    d.weight_buffer.width_bits = 8;
  });
  auto cu = b.make(b.unit("tmac"));
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 1, t.k = 64, t.n = 64, t.a_bits = 8, t.w_bits = 2, t.w_nonzero = 4096;
  const uint64_t done = b.run_tile(*cu, t);
  CHECK(cu->cost(t).cycles == 2 * 64 + 64 + 64 - 2 + 1);
  CHECK(done == 1024);
}
