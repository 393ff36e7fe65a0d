// End to end: both designs in one simulation; energy breakdown adds up; per-op cycles add up to
// the total; decode is no faster than its DRAM traffic allows; reports are byte-identical.
#include <catch2/catch.hpp>

#include <numeric>

#include "config/loaders.h"
#include "helpers.h"
#include "report/report.h"
#include "simulate/simulate.h"

using namespace lpusim;
using namespace lpusim_test;

TEST_CASE("LPU vs FP16 on the tiny model: totals are consistent") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  std::vector<DesignSpec> ds = {load_design(src("configs/designs/lpu_64x64.yaml")),
                                load_design(src("configs/designs/fp16_64x64.yaml"))};
  SimulationRun run = simulate(w, ds);
  REQUIRE(run.designs.size() == 2);
  std::vector<DesignReport> reps;
  for (const auto& d : run.designs) reps.push_back(build_report(run, d));

  for (size_t i = 0; i < 2; ++i) {
    const DesignRun& d = run.designs[i];
    const DesignReport& r = reps[i];
    INFO(r.name);
    // Critical-path cycles per key add up to the total.
    CHECK(std::accumulate(d.key_cycles.begin(), d.key_cycles.end(), uint64_t{0}) == d.total_cycles);
    CHECK(d.prefill_cycles > 0);
    CHECK(d.prefill_cycles < d.total_cycles);
    // Energy: classes add to the total; op rows add to the total; units add to the total.
    double classes = 0;
    for (double v : r.energy.pj) classes += v;
    CHECK(classes == Approx(r.energy.total()).epsilon(1e-12));
    double ops = 0;
    for (const auto& o : r.ops) ops += o.energy.total();
    CHECK(ops == Approx(r.energy.total()).epsilon(1e-9));
    double units = 0;
    for (const auto& u : r.units) units += u.dynamic_pj + u.leakage_pj;
    CHECK(units == Approx(r.energy.total()).epsilon(1e-9));
    CHECK(r.energy[EnergyClass::Compute] > 0);
    CHECK(r.energy[EnergyClass::Sram] > 0);
    CHECK(r.energy[EnergyClass::Dram] > 0);
    CHECK(r.energy[EnergyClass::Leakage] > 0);
    // DRAM energy class = the channels' energy by operation (ACT/PRE/bursts x preset pJ + refresh and
    // background power x time), and the bursts carry at least the bytes moved.
    double chan = 0;
    uint64_t burst_bytes = 0;
    for (const auto& c : r.dram_channels) {
      chan += c.total_pj();
      burst_bytes += (c.read_bursts + c.write_bursts) * d.design.dram.burst_bytes();
    }
    REQUIRE(r.dram_channels.size() == 4);
    CHECK(r.energy[EnergyClass::Dram] == Approx(chan).epsilon(1e-9));
    CHECK(burst_bytes >= r.dram_read_bytes + r.dram_write_bytes);
    // No run can beat its DRAM traffic at full bandwidth.
    const double bw_bytes_per_cycle =
        static_cast<double>(d.design.dram.channels) * d.design.dram.peak_gb_s_per_channel() / d.design.clock_ghz;
    CHECK(static_cast<double>(d.total_cycles) >= (r.dram_read_bytes + r.dram_write_bytes) / bw_bytes_per_cycle);
    // Every ternary-weight byte streamed per decode step matches the footprint (weights stream
    // once per step at batch 2 since M fits one tile).
    uint64_t w_bytes = 0;
    for (const Tile& t : d.program.tiles) {
      const Op& op = d.program.ops[t.op].op;
      if (op.phase == Phase::Decode && op.step == 1 && op.kind == OpKind::Gemm && op.wclass != WeightClass::KvCache)
        w_bytes += t.load_weight_bytes;
    }
    const uint64_t norms = (2 * w.model.layers + 1) * w.model.hidden * 2;
    // Per-tile packing rounds up per block; allow that rounding (at most one byte per tile).
    CHECK(w_bytes + norms >= d.footprint.weights - 7 * 4 * w.model.layers);
    CHECK(w_bytes + norms <= d.footprint.weights + d.program.tiles.size());
  }
  // The LPU moves fewer weight bytes and spends less arithmetic energy.
  CHECK(reps[0].footprint.weights < reps[1].footprint.weights);
  CHECK(reps[0].energy[EnergyClass::Compute] < reps[1].energy[EnergyClass::Compute]);
  CHECK(reps[0].dram_read_bytes < reps[1].dram_read_bytes);
}

TEST_CASE("two runs of the same inputs give byte-identical reports") {
  const std::string args = "compare " + src("configs/designs/lpu_64x64.yaml") + " " +
                           src("configs/designs/fp16_64x64.yaml") + " " + src("tests/data/tiny.yaml") + " -o ";
  const std::string a = temp_tree("det_a") + "/out", b = temp_tree("det_b") + "/out";
  CmdResult ra = run_lpusim(args + a, "det_a");
  CmdResult rb = run_lpusim(args + b, "det_b");
  REQUIRE(ra.code == 0);
  REQUIRE(rb.code == 0);
  for (const char* f : {"report.json", "ops.csv", "layers.csv", "summary.md", "design_lpu_64x64.resolved.yaml"}) {
    INFO(f);
    const std::string x = read_file(a + "/" + f);
    CHECK(!x.empty());
    CHECK(x == read_file(b + "/" + f));
  }
  // stdout differs only in the output folder's name.
  CHECK(ra.out.substr(0, ra.out.find("wrote")) == rb.out.substr(0, rb.out.find("wrote")));
  const std::string json = read_file(a + "/report.json");
  CHECK(json.find("\"schema_version\": 1") != std::string::npos);
  CHECK(json.find("\"definition\": \"fp16_64x64 / lpu_64x64\"") != std::string::npos);
}

TEST_CASE("run writes a single-design report") {
  const std::string out = temp_tree("run1") + "/out";
  CmdResult r = run_lpusim("run " + src("configs/designs/lpu_64x64.yaml") + " " + src("tests/data/tiny.yaml") +
                               " --generated-tokens 3 -o " + out,
                           "run1");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("time per output token") != std::string::npos);
  const std::string json = read_file(out + "/report.json");
  CHECK(json.find("\"generated_tokens\": 3") != std::string::npos);
  CHECK(json.find("\"ratios\"") == std::string::npos);
}
