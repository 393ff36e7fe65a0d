// Timing: a unit simulated in SystemC takes exactly its closed-form cycles; SRAM ports contend.
// (Fold closed forms for every dataflow and timing mode: test_mac_arrays.cpp; DRAM: test_dram.cpp.)
#include <catch2/catch.hpp>
#include <systemc>

#include "datapath/systolic.h"
#include "helpers.h"
#include "memory/sram_buffer.h"
#include "spec/design.h"
#include "unit_bench.h"
#include "units/compute_unit.h"

using namespace lpusim;
using namespace lpusim_test;

TEST_CASE("a ternary tile simulated in SystemC takes its closed-form cycles") {
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 100, t.k = 300, t.n = 130;  // non-divisible on 64 x 64
  t.a_bits = 8, t.w_bits = 2, t.acc_bits = 32;
  t.w_nonzero = 300 * 130;
  UnitBench b("configs/designs/lpu_64x64.yaml");
  auto cu = b.make(b.unit("tmac"));
  const uint64_t cf = cu->cost(t).cycles;
  const uint64_t sim = b.run_tile(*cu, t);
  // scale_sim, output stationary: ceil(100/64) * ceil(130/64) = 6 folds of 64 + 64 + 300 - 2 + 1 unpack
  // stage = 427, minus 1 (SCALE-Sim counts cycles from 0).
  CHECK(cf == 6 * 427 - 1);
  CHECK(sim == cf);
}

TEST_CASE("an FP16 tile simulated in SystemC takes its closed-form cycles") {
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 64, t.k = 3200, t.n = 256;
  t.w_nonzero = 3200 * 256;
  UnitBench b("configs/designs/fp16_64x64.yaml");
  auto cu = b.make(b.unit("fpmac"));
  const uint64_t cf = cu->cost(t).cycles;
  const uint64_t sim = b.run_tile(*cu, t);
  CHECK(cf == 4 * (64 + 64 + 3200 - 2) - 1);
  CHECK(sim == cf);
}

TEST_CASE("SRAM port contention stretches a tile") {
  // One port, 1 bank x 8 bits: reading the weights (64 x 64 x 2 bits = 8192 bits) takes 1024
  // cycles, more than the 190-cycle fold, so the tile finishes when the port does.
  UnitBench b("configs/designs/lpu_64x64.yaml", [](DesignSpec& d) {
    d.weight_buffer.banks = 1;
    d.weight_buffer.ports = 1;
    d.weight_buffer.width_bits = 8;
  });
  auto cu = b.make(b.unit("tmac"));
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 1, t.k = 64, t.n = 64, t.a_bits = 8, t.w_bits = 2, t.w_nonzero = 4096;
  const uint64_t done = b.run_tile(*cu, t);
  CHECK(cu->cost(t).cycles == 64 + 64 + 64 - 2 + 1 - 1);
  CHECK(done == 1024);
}
