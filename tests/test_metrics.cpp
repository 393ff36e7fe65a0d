// The report metric registry (report/metrics.h): every declared design metric is where it says in
// report.json, the CSV headers are the declared columns, and text cells cannot shift columns.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "config/loaders.h"
#include "helpers.h"
#include "report/metrics.h"
#include "simulate/simulate.h"

using namespace lpusim;
using lpusim_test::src;
using json = nlohmann::json;

TEST_CASE("Every design metric sits at its declared JSON location with its value and ratio") {
  const WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  const SimulationRun run =
      simulate(w, {load_design(src("configs/designs/lpu.yaml")), load_design(src("configs/designs/fp16.yaml"))});
  const std::vector<DesignReport> rs = {build_report(run, run.designs[0]), build_report(run, run.designs[1])};
  const json j = json::parse(to_json(w, rs));
  for (size_t i = 0; i < rs.size(); ++i) {
    for (const DesignMetric& m : design_metrics()) {
      INFO(m.name);
      CHECK_FALSE(m.unit.empty());
      CHECK_FALSE(m.description.empty());
      if (m.json.empty() || (m.show == DesignMetric::Lut && !rs[i].lut_mlp.present)) continue;
      double sum = 0;
      for (const auto& path : m.json) sum += j["designs"][i].at(json::json_pointer("/" + path)).get<double>();
      CHECK(sum == Approx(m.value(rs[i])).epsilon(1e-12));
    }
  }
  for (const DesignMetric& m : design_metrics()) {
    if (m.ratio.empty()) continue;
    INFO(m.ratio);
    const double a = m.value(rs[0]), b = m.value(rs[1]);
    CHECK(j["ratios"].at(m.ratio).get<double>() == Approx(a != 0 ? b / a : 0.0));
  }
  // report.json describes every column it writes.
  CHECK(j["columns"]["ops"].size() > 10);
  CHECK(j["columns"]["metrics"].size() == design_metrics().size());
}

TEST_CASE("CSV headers are the declared columns and a text cell with a comma is quoted") {
  DesignReport d;
  d.name = "d";
  d.clock_ghz = 1;
  Row r;
  r.phase = "prefill";
  r.name = "q_proj";
  r.unit = "tmac,odd";
  r.cycles = 1000;
  r.dram_read_bytes = 2000;
  d.ops.push_back(r);
  const std::string csv = ops_csv({d});
  std::string header;
  for (const RowColumn& c : row_columns()) {
    if ((c.where & kCsv) && (c.where & kOpsRow)) header += (header.empty() ? "" : ",") + c.name;
  }
  CHECK(csv.substr(0, csv.find('\n')) == header);
  CHECK(csv.find(",\"tmac,odd\",") != std::string::npos);
  CHECK(csv.find(",2000,0,2,") != std::string::npos);  // dram read, write, achieved GB/s = 2000 B / 1 us
}
