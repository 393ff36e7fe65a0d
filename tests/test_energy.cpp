// Energy: events x table entries; one FP16 MAC over one ternary MAC equals the table's ratio;
// zero gating removes exactly the zero-weight adds.
#include <catch2/catch.hpp>
#include <systemc>

#include "helpers.h"
#include "unit_bench.h"
#include "models/compute_unit.h"
#include "models/sram_buffer.h"
#include "sim/design.h"

using namespace lpusim;
using namespace lpusim_test;


TEST_CASE("one FP16 MAC over one ternary MAC equals the tech table's ratio") {
  UnitBench u("configs/designs/lpu.yaml");
  UnitSpec tern = u.design.units[0];
  UnitSpec fp = u.design.units[1];
  fp.enums["accumulate"] = "fp16";
  auto ta = u.make(tern);
  auto fa = u.make(fp);
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = t.k = t.n = 1;
  t.w_nonzero = 1;
  t.last_k = false;  // arithmetic only: no output rescale
  const EventPrices p = u.design.tech.arithmetic_prices();
  const double e_tern = price(ta->cost(t).events, p).total();
  const double e_fp = price(fa->cost(t).events, p).total();
  const auto& tab = u.design.tech.event_pj;
  CHECK(e_tern == Approx(tab.at("int8_add")));
  CHECK(e_fp == Approx(tab.at("fp16_mul") + tab.at("fp16_add")));
  CHECK(e_fp / e_tern == Approx((0.34 + 0.16) / 0.007));  // BitNet 7nm table
}

TEST_CASE("zero gating removes the adds of zero weights, not their cycles") {
  UnitBench u("configs/designs/lpu.yaml");
  UnitSpec gated = u.design.units[0];
  UnitSpec ungated = gated;
  ungated.bools["zero_gating"] = false;
  auto g = u.make(gated);
  auto ng = u.make(ungated);
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 8, t.k = 64, t.n = 64;
  t.w_nonzero = 1000;
  t.last_k = false;
  CHECK(g->cost(t).events[Ev::Int8Add] == 8 * 1000);
  CHECK(ng->cost(t).events[Ev::Int8Add] == 8 * 64 * 64);
  CHECK(g->cost(t).cycles == ng->cost(t).cycles);
}

TEST_CASE("price() splits events into compute, SRAM and DRAM classes") {
  EventCounts c;
  c[Ev::Int8Add] = 10;
  c[Ev::SramReadBit] = 100;
  c[Ev::DramWriteBit] = 1000;
  EventPrices p;
  p[Ev::Int8Add] = 0.5;
  p[Ev::SramReadBit] = 0.25;
  p[Ev::DramWriteBit] = 2;
  EnergyBreakdown e = price(c, p);
  CHECK(e[EnergyClass::Compute] == 5);
  CHECK(e[EnergyClass::Sram] == 25);
  CHECK(e[EnergyClass::Dram] == 2000);
  CHECK(e[EnergyClass::Leakage] == 0);
  CHECK(e.total() == 2030);
}
