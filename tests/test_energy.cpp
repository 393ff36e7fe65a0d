// Energy: events x table entries; one FP16 MAC over one ternary MAC equals the table's ratio;
// zero gating removes exactly the zero-weight adds.
#include <catch2/catch.hpp>
#include <systemc>

#include "helpers.h"
#include "memory/sram_buffer.h"
#include "spec/design.h"
#include "unit_bench.h"
#include "units/compute_unit.h"

using namespace lpusim;
using namespace lpusim_test;

TEST_CASE("one ternary MAC and one FP16 MAC cost exactly their table entries") {
  UnitBench u("configs/designs/lpu_64x64.yaml");
  UnitSpec tern = u.unit("tmac");
  UnitSpec fp = u.unit("fpmac");
  fp.enums["accumulate"] = "fp16";
  auto ta = u.make(tern);
  auto fa = u.make(fp);
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = t.k = t.n = 1;
  t.w_nonzero = 1;
  t.last_k = false;  // arithmetic only: no output rescale
  const EventPrices p = u.design.tech.arithmetic_prices();
  const auto& tab = u.design.tech.event_pj;
  // Ternary: one add, one 32-bit accumulator write, one 2-bit weight unpacked.
  CHECK(price(ta->cost(t).events, p).total() ==
        Approx(tab.at("int8_add") + 32 * tab.at("register_file_bit") + tab.at("unpack_packed2_weight")));
  // FP16: multiply, FP16 add, 16-bit accumulator write.
  CHECK(price(fa->cost(t).events, p).total() ==
        Approx(tab.at("fp16_mul") + tab.at("fp16_add") + 16 * tab.at("register_file_bit")));
}

TEST_CASE("zero gating saves exactly the zero weights' adds and accumulator writes, not their cycles") {
  UnitBench u("configs/designs/lpu_64x64.yaml");
  UnitSpec gated = u.unit("tmac");
  UnitSpec ungated = gated;
  ungated.bools["zero_gating"] = false;
  auto g = u.make(gated);
  auto ng = u.make(ungated);
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 8, t.k = 64, t.n = 64;
  t.w_nonzero = 1000;
  t.last_k = false;
  const uint64_t zeros = 64 * 64 - 1000;
  CHECK(g->cost(t).events[Ev::Int8Add] == 8 * 1000);
  CHECK(ng->cost(t).events[Ev::Int8Add] == 8 * 64 * 64);
  CHECK(g->cost(t).events[Ev::GatedSlot] == 8 * zeros);
  CHECK(ng->cost(t).events[Ev::GatedSlot] == 0);
  CHECK(g->cost(t).cycles == ng->cost(t).cycles);
  const EventPrices p = u.design.tech.arithmetic_prices();
  const auto& tab = u.design.tech.event_pj;
  const double saved = price(ng->cost(t).events, p).total() - price(g->cost(t).events, p).total();
  CHECK(saved == Approx(8.0 * zeros * (tab.at("int8_add") + 32 * tab.at("register_file_bit") - tab.at("gated_slot"))));
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
