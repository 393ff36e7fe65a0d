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

TEST_CASE("Report metrics: power, TOPS/W, tokens/J and DRAM bandwidth per phase follow their definitions") {
  const WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  const SimulationRun run =
      simulate(w, {load_design(src("configs/designs/lpu.yaml")), load_design(src("configs/designs/fp16.yaml")),
                   load_design(src("configs/designs/lpu_64x64.yaml"))});
  std::vector<DesignReport> rs;
  for (const auto& d : run.designs) rs.push_back(build_report(run, d));
  auto v = [](const char* name, const DesignReport& r) { return design_metric(name).value(r); };
  for (const DesignReport& r : rs) {
    INFO(r.name);
    const double e = r.energy.total(), dram = r.energy[EnergyClass::Dram];
    REQUIRE(r.total_s > 0);
    REQUIRE(r.decode_s > 0);
    CHECK(v("average_power_w", r) == Approx(e * 1e-12 / r.total_s));
    CHECK(v("on_chip_power_w", r) == Approx((e - dram) * 1e-12 / r.total_s));
    CHECK(v("prefill_power_w", r) == Approx(r.prefill_energy.total() * 1e-12 / r.prefill_s));
    CHECK(v("decode_power_w", r) == Approx(r.decode_energy.total() * 1e-12 / r.decode_s));
    CHECK(v("decode_on_chip_power_w", r) ==
          Approx((r.decode_energy.total() - r.decode_energy[EnergyClass::Dram]) * 1e-12 / r.decode_s));
    uint64_t macs = 0;
    for (const Row& o : r.ops) macs += o.macs;
    CHECK(r.macs == macs);
    CHECK(v("tops_per_w", r) == Approx(2.0 * static_cast<double>(macs) / e));  // ops per pJ = TOPS/W
    CHECK(v("tokens_per_j", r) ==
          Approx(static_cast<double>(w.scenario.batch * w.scenario.generated_tokens) / (e * 1e-12)));
    CHECK(r.prefill_dram_bytes + r.decode_dram_bytes == r.dram_read_bytes + r.dram_write_bytes);
    const double gbs = static_cast<double>(r.dram_read_bytes + r.dram_write_bytes) / r.total_s * 1e-9;
    CHECK(v("dram_gb_s", r) == Approx(gbs));
    CHECK(v("dram_peak_fraction", r) == Approx(gbs / r.dram_peak_gb_s));
    CHECK(v("decode_dram_peak_fraction", r) ==
          Approx(static_cast<double>(r.decode_dram_bytes) / r.decode_s * 1e-9 / r.dram_peak_gb_s));
    CHECK(v("decode_dram_peak_fraction", r) < 1.0);  // never above the pin peak
  }
  // One ratio convention: the advantage is > 1 exactly when the first design is better, whichever way
  // the metric improves; the JSON keeps the raw ratio design / first next to it.
  const json j = json::parse(to_json(w, rs));
  CHECK_FALSE(j.contains("ratios"));  // B / A of the two-design report only
  const json& cmp = j.at("comparison");
  CHECK(cmp["reference"] == "lpu");
  REQUIRE(cmp["designs"].size() == 2);
  for (size_t i = 1; i < rs.size(); ++i) {
    const json& c = cmp["designs"][i - 1];
    CHECK(c["name"] == rs[i].name);
    for (const char* name : {"time_per_output_token_s", "tokens_per_j", "energy_total_pj", "tops_per_w"}) {
      const DesignMetric& m = design_metric(name);
      INFO(name);
      const double a = m.value(rs[0]), b = m.value(rs[i]);
      CHECK(c["ratios"][m.ratio].get<double>() == Approx(b / a));
      const double adv = c["advantage"][m.ratio].get<double>();
      CHECK(adv == Approx(m.better == Better::Lower ? b / a : a / b));
      const bool first_better = m.better == Better::Lower ? a < b : a > b;
      CHECK((adv > 1) == first_better);
    }
  }
  const std::string console = console_table(w, rs);
  CHECK(console.find("lpu vs fp16") != std::string::npos);
  CHECK(console.find("lpu vs lpu_64x64") != std::string::npos);
  for (const char* line : {"average power", "TOPS/W", "tokens/J", "decode DRAM bandwidth", "  of DRAM peak"}) {
    INFO(line);
    CHECK(console.find("\n" + std::string(line)) != std::string::npos);
  }
  const std::string md = summary_markdown(w, rs);
  CHECK(md.find("| lpu vs fp16 | lpu vs lpu_64x64 |") != std::string::npos);
  CHECK(md.find("| tokens/J |") != std::string::npos);
  // Two designs: the B / A `ratios` object is still written, with the new metrics.
  const json two = json::parse(to_json(w, {rs[0], rs[1]}));
  CHECK(two["ratios"]["definition"] == "fp16 / lpu");
  CHECK(two["ratios"]["tokens_per_j"].get<double>() == Approx(v("tokens_per_j", rs[1]) / v("tokens_per_j", rs[0])));
}

TEST_CASE("Human units: integers in full, fractions as percentages, power scaled; encoders per image") {
  CHECK(human_value(9530070000.0, "cycles", 6) == "9,530,070,000");
  CHECK(human_value(512, "count", 6) == "512");
  CHECK(human_value(0.342, "fraction", 6) == "34.2%");
  CHECK(human_value(2.04, "W", 6) == "2.04 W");
  CHECK(human_value(0.00439, "W", 6) == "4.39 mW");
  CHECK(human_value(17.51, "GB/s", 6) == "17.51 GB/s");
  CHECK(human_value(6.5812, "tokens/J", 6) == "6.581");
  DesignMetric higher{"x", "x", "", "d", Better::Higher, Aggregation::Derived, [](const DesignReport&) { return 0.0; }};
  CHECK(*advantage(higher, 4, 2) == 2);
  CHECK_FALSE(advantage(higher, 4, 0).has_value());
  higher.better = Better::None;
  CHECK_FALSE(advantage(higher, 4, 2).has_value());
  // An encoder's tokens/J line is images/J, and it has no decode lines.
  const WorkloadSpec w = load_workload(src("workloads/deit_tiny.yaml"));
  DesignReport d;
  d.name = "d";
  d.clock_ghz = 1;
  const std::string console = console_table(w, {d});
  CHECK(console.find("images/J") != std::string::npos);
  CHECK(console.find("tokens/J") == std::string::npos);
  CHECK(console.find("decode power") == std::string::npos);
}
