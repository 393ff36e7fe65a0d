// The test-only residual_adder unit (this folder) end to end: a design that lists it loads through its
// declared parameters, the compiler gives it the residual adds and takes its lowering, and the simulated
// cycles match its closed form. Nothing outside this folder names the unit.
#include <catch2/catch.hpp>

#include <map>

#include "config/loaders.h"
#include "helpers.h"
#include "residual_adder.h"
#include "simulate/simulate.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

// configs/designs/lpu.yaml with the adder listed first (the compiler gives an op to the first unit
// that takes it), written into a temp tree beside the shipped tech tables.
std::string design_with_adder(const std::string& tag, const std::string& adder_yaml) {
  const std::string dir = temp_tree(tag);
  const std::string path = dir + "/configs/designs/lpu_adder.yaml";
  write_file(path, replace_once(read_file(src("configs/designs/lpu.yaml")), "units:\n", "units:\n" + adder_yaml));
  return path;
}

}  // namespace

TEST_CASE("test-only unit from one folder: residual_adder runs the residual adds end to end") {
  const uint64_t lanes = 24, latency = 5, max_tile = 1000;
  const std::string path = design_with_adder("residual_adder",
                                             "  adder:\n    impl: residual_adder\n    lanes: 24\n    latency: 5\n"
                                             "    max_tile_elements: 1000\n");
  DesignSpec d = load_design(path);
  REQUIRE(d.units.front().name == "adder");
  CHECK(d.units.front().i("lanes") == 24);
  CHECK(d.resolved_yaml().find("  adder:\n    impl: residual_adder\n    lanes: 24\n    latency: 5\n"
                               "    max_tile_elements: 1000\n") != std::string::npos);

  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  SimulationRun run = simulate(w, {d});
  REQUIRE(run.designs.size() == 1);
  const DesignRun& r = run.designs[0];

  // Every residual add went to the adder, cut by its own lowering; nothing else did.
  uint64_t want_tiles = 0, want_cycles = 0, want_adds = 0, add_ops = 0;
  for (const ProgramOp& po : r.program.ops) {
    const bool is_add = po.op.kind == OpKind::Vector && po.op.vop == VecOp::Add;
    CHECK(is_add == (po.unit_name == "adder"));
    if (!is_add) continue;
    ++add_ops;
    const uint64_t E = po.op.elements;
    CHECK(po.num_tiles == (E + max_tile - 1) / max_tile);
    for (uint64_t e0 = 0; e0 < E; e0 += max_tile) {
      want_cycles += residual_adder_tile_cycles(std::min(max_tile, E - e0), lanes, latency);
      ++want_tiles;
    }
    want_adds += E;
  }
  REQUIRE(add_ops > 0);

  const ModuleStats* adder = nullptr;
  for (const ModuleStats& m : r.modules) {
    if (m.kind == "residual_adder") adder = &m;
  }
  REQUIRE(adder != nullptr);
  CHECK(adder->scalars.at("tiles") == static_cast<double>(want_tiles));
  CHECK(adder->scalars.at("busy_cycles") - adder->scalars.at("sram_stall_cycles") == static_cast<double>(want_cycles));
  uint64_t adds = 0;
  for (const EventCounts& e : adder->per_key) adds += e[Ev::Fp16Add];
  CHECK(adds == want_adds);
  CHECK(r.total_cycles >= want_cycles);
}

TEST_CASE("test-only unit from one folder: its declared ranges, defaults and keys are enforced") {
  const auto msg = [](const std::string& adder_yaml, const std::string& tag) {
    try {
      load_design(design_with_adder(tag, adder_yaml));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(msg("  adder:\n    impl: residual_adder\n    lanes: 0\n", "ra_min"),
             Catch::Contains("units.adder.lanes: expected an integer >= 1, got 0"));
  CHECK_THAT(msg("  adder:\n    impl: residual_adder\n    lanes: 5000\n", "ra_max"),
             Catch::Contains("units.adder.lanes: expected an integer <= 4096, got 5000"));
  CHECK_THAT(msg("  adder:\n    impl: residual_adder\n    lanes: 8\n    width: 3\n", "ra_unknown"),
             Catch::Contains("width"));
  CHECK_THAT(msg("  adder:\n    impl: residual_adder\n", "ra_required"), Catch::Contains("lanes"));
  const DesignSpec d =
      load_design(design_with_adder("ra_default", "  adder:\n    impl: residual_adder\n    lanes: 8\n"));
  CHECK(d.units.front().i("latency") == 2);
  CHECK(d.units.front().i("max_tile_elements") == 4096);
}
