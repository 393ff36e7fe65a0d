// Module statistics are declared (name, unit, meaning) where the module writes them; the statistics
// walk rejects a module that emits an undeclared scalar or leaves out a declared one.
#include <catch2/catch.hpp>

#include <set>

#include "config/loaders.h"
#include "helpers.h"
#include "observe/stats.h"
#include "simulate/simulate.h"
#include "spec/unit_registry.h"

using namespace lpusim;
using lpusim_test::src;

TEST_CASE("Every module kind emits exactly its declared statistics") {
  // One simulation whose designs hold every shipped module kind: ternary and FP16 arrays, the vector
  // unit, the popcount engine, the LUT unit, both SRAM buffers, DRAM and its channels, DMA, controller.
  const WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  const SimulationRun run = simulate(
      w, {load_design(src("configs/designs/lpu_bitformer.yaml")), load_design(src("configs/designs/lpu_lut.yaml"))});
  std::set<std::string> kinds;
  for (const DesignRun& d : run.designs) {
    for (const ModuleStats& m : d.modules) {
      INFO(m.name << " (" << m.kind << ")");
      kinds.insert(m.kind);
      std::set<std::string> declared, emitted;
      for (const StatDecl& s : m.declared) {
        CHECK_FALSE(s.unit.empty());
        CHECK_FALSE(s.description.empty());
        CHECK(declared.insert(s.name).second);  // declared once
      }
      for (const auto& kv : m.scalars) emitted.insert(kv.first);
      CHECK(declared == emitted);
      CHECK_FALSE(declared.empty());
    }
  }
  const std::set<std::string> want = {"ternary_mac_array", "fp16_mac_array", "vector_unit", "popcount_attention",
                                      "lut_weightless",    "sram_buffer",    "dram",        "dram_channel",
                                      "dma_engine",        "controller"};
  for (const auto& k : want) {
    INFO(k);
    CHECK(kinds.count(k) == 1);
  }
}

namespace {
struct FakeModule : IStatsProvider {
  std::vector<StatDecl> decl;
  std::vector<std::string> emit;
  std::vector<StatDecl> declared_stats() const override { return decl; }
  void collect(ModuleStats& out) const override {
    out.kind = "fake";
    for (const auto& e : emit) out.scalars[e] = 1;
  }
};
}  // namespace

TEST_CASE("An undeclared or a missing statistic is an error naming it") {
  FakeModule f;
  f.decl = {{"hits", "count", "cache hits"}};
  f.emit = {"hits"};
  CHECK(collect_checked(f, "chip.fake").scalars.at("hits") == 1);
  f.emit = {"hits", "misses"};
  CHECK_THROWS_WITH(collect_checked(f, "chip.fake"),
                    Catch::Contains("chip.fake") && Catch::Contains("emits undeclared 'misses'"));
  f.emit = {};
  CHECK_THROWS_WITH(collect_checked(f, "chip.fake"), Catch::Contains("declares 'hits' but does not emit it"));
}
