// Standalone GEMM timing (issue 13, item 3): `lpusim gemm --timing` and `lpusim topology` compile and
// simulate GEMMs like a full run; a single-tile GEMM's array cycles are the closed form (and so
// SCALE-Sim's measured total); SCALE-Sim topology CSV parsing and its errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "base/config_error.h"
#include "config/loaders.h"
#include "helpers.h"
#include "report/gemm_timing.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

DesignSpec fp16_array(uint64_t R, uint64_t C, const std::string& dataflow) {
  DesignSpec d = load_design(src("configs/designs/fp16_64x64.yaml"));
  for (auto& u : d.units) {
    if (u.name != "fpmac") continue;
    u.ints["rows"] = static_cast<int64_t>(R);
    u.ints["cols"] = static_cast<int64_t>(C);
    u.enums["dataflow"] = dataflow;
    u.enums["timing"] = "scale_sim";
  }
  return d;
}

// SCALE-Sim's rows of tests/data/scalesim_gemm.csv for one array and dataflow, as topology layers.
std::vector<std::pair<GemmJob, uint64_t>> scalesim_layers(uint64_t R, uint64_t C, const std::string& df) {
  std::vector<std::pair<GemmJob, uint64_t>> out;
  std::istringstream in(read_file(src("tests/data/scalesim_gemm.csv")));
  std::string line;
  const std::string prefix = std::to_string(R) + "," + std::to_string(C) + "," + df + ",";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::vector<uint64_t> v;
    std::stringstream ss(line.substr(prefix.size()));
    std::string x;
    for (int i = 0; i < 4 && std::getline(ss, x, ','); ++i) v.push_back(std::stoull(x));
    GemmJob j;
    j.name = "l" + std::to_string(out.size());
    j.m = v[0], j.n = v[1], j.k = v[2];
    out.push_back({j, v[3]});
  }
  return out;
}

// Every SCALE-Sim layer of one array/dataflow as one topology, simulated: each is a single tile,
// and its array cycles are SCALE-Sim's Total Cycles.
void check_topology_against_scalesim(uint64_t R, uint64_t C, const std::string& df, const std::string& dataflow) {
  const auto layers = scalesim_layers(R, C, df);
  REQUIRE(layers.size() >= 7);
  std::vector<GemmJob> jobs;
  for (const auto& l : layers) jobs.push_back(l.first);
  GemmTimingOptions whole;
  whole.whole = true;
  const GemmTimingRun r = time_gemms(fp16_array(R, C, dataflow), jobs, whole);
  REQUIRE(r.gemms.size() == layers.size());
  CHECK(r.sram_stall_cycles == 0);
  for (size_t i = 0; i < layers.size(); ++i) {
    const GemmTiming& t = r.gemms[i];
    INFO(R << "x" << C << " " << df << " M=" << t.gemm.m << " N=" << t.gemm.n << " K=" << t.gemm.k);
    CHECK(t.mapping.tiles == 1);
    CHECK(t.mapping.dataflow == dataflow);
    CHECK(t.array_cycles == layers[i].second);
    CHECK(t.cycles >= t.array_cycles);
  }
}

}  // namespace

TEST_CASE("gemm --timing: a single-tile GEMM's array cycles are the closed form, i.e. SCALE-Sim's measured total") {
  // SCALE-Sim v2 measured 10135 cycles for OS 100 x 300 x 200 on 32 x 32 (tests/data/scalesim_gemm.csv).
  const DesignSpec d = fp16_array(32, 32, "output_stationary");
  const GemmTimingRun r = time_gemms(d, {GemmJob{"gemm", 100, 300, 200}}, GemmTimingOptions{"fpmac", 0, 1, true});
  REQUIRE(r.gemms.size() == 1);
  const GemmTiming& t = r.gemms[0];
  CHECK(t.mapping.tiles == 1);
  CHECK(t.mapping.tm == 100);
  CHECK(t.mapping.tk == 300);
  CHECK(t.mapping.tn == 200);
  CHECK(t.mapping.folds == 28);
  CHECK(t.mapping.closed_form_cycles == 10135);
  CHECK(t.mapping.whole_gemm_cycles == 10135);
  CHECK(t.array_cycles == 10135);  // no SRAM port stalls
  CHECK(r.sram_stall_cycles == 0);
  CHECK(t.cycles == r.total_cycles);
  CHECK(t.cycles > t.array_cycles);  // the weights come from DRAM first
  CHECK(t.macs == 100ull * 300 * 200);
  CHECK(t.peak_macs_per_cycle == 32 * 32);
  CHECK(t.utilization == Approx(6e6 / (1024.0 * static_cast<double>(t.cycles))));
  CHECK(t.dram_read_bytes >= 300ull * 200 * 2);  // FP16 weights, each once
  CHECK(t.sram_read_bytes > 0);
  CHECK(t.energy[EnergyClass::Compute] > 0);
  CHECK(t.energy[EnergyClass::Sram] > 0);
  CHECK(t.energy[EnergyClass::Dram] > 0);
  CHECK(t.energy[EnergyClass::Leakage] > 0);
  CHECK(t.mapping.unit == "fpmac");
  CHECK(t.mapping.dataflow == "output_stationary");
  const std::string text = gemm_timing_text(r);
  CHECK(text.find("closed form 10135") != std::string::npos);
}

TEST_CASE("topology: every layer in one simulation, rows add up to the run") {
  // The LPU's ternary array (64 x 64 OS, 1 unpack stage): layers are ragged and the biggest is tiled.
  const DesignSpec d = load_design(src("configs/designs/lpu_64x64.yaml"));
  const std::vector<GemmJob> jobs = parse_topology_csv(
      "Layer, M, N, K,\nfc1, 100, 200, 300,\nproj, 1, 3200, 3200,\nfc1, 77, 129, 515,\nbig, 512, 4096, 4096,\n",
      "t.csv");
  GemmTimingOptions whole;
  whole.whole = true;  // one tile where the buffers hold it; the biggest layer does not fit and is tiled
  const GemmTimingRun r = time_gemms(d, jobs, whole);
  REQUIRE(r.gemms.size() == 4);
  uint64_t cycles = 0;
  for (const GemmTiming& t : r.gemms) {
    INFO(t.gemm.name << " " << t.gemm.m << "x" << t.gemm.n << "x" << t.gemm.k);
    CHECK(t.mapping.unit == "tmac");
    CHECK(t.mapping.weights == "ternary");
    CHECK(t.macs == t.gemm.m * t.gemm.n * t.gemm.k);
    CHECK(t.array_cycles >= t.mapping.closed_form_cycles);
    CHECK(t.cycles > 0);
    CHECK(t.dram_read_bytes > 0);
    cycles += t.cycles;
  }
  CHECK(cycles == r.total_cycles);
  // One tile: the closed form with E = 1 per fold: 2 x 4 folds of 64 + 64 + 300 - 2 + 1, minus 1.
  CHECK(r.gemms[0].mapping.tiles == 1);
  CHECK(r.gemms[0].mapping.closed_form_cycles == 8 * 427 - 1);
  CHECK(r.gemms[3].mapping.tiles > 1);
  // 512 x 4096 x 4096 on 64 x 64 (E = 1): untiled, 8 x 64 folds of 64 + 64 + 4096 - 2 + 1, minus 1. The
  // tiles (64 rows x full K x 512 columns) keep the folds; each of them drops SCALE-Sim's 1 cycle.
  CHECK(r.gemms[3].mapping.whole_gemm_cycles == 8 * 64 * 4223 - 1);
  CHECK(r.gemms[3].mapping.closed_form_cycles == r.gemms[3].mapping.whole_gemm_cycles + 1 - r.gemms[3].mapping.tiles);
  const std::string csv = topology_csv(r);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
  CHECK(csv.rfind("layer,name,M,N,K,unit,", 0) == 0);
  CHECK(topology_json(r).find("\"closed_form_cycles\": 3415") != std::string::npos);
}

TEST_CASE("topology CSV: SCALE-Sim's format is read, bad lines are file:line errors") {
  // Trailing commas optional, CRLF and blank lines accepted, header case-insensitive.
  auto jobs = parse_topology_csv("Layer, M, N, K,\r\n\r\nq, 1, 2, 3,\r\nk,4,5,6\n", "ok.csv");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].name == "q");
  CHECK((jobs[0].m == 1 && jobs[0].n == 2 && jobs[0].k == 3));
  CHECK(jobs[0].line == 3);
  CHECK((jobs[1].m == 4 && jobs[1].n == 5 && jobs[1].k == 6));
  CHECK(parse_topology_csv("layer,m,n,k\na,1,1,1\n", "x.csv").size() == 1);

  auto error_of = [](const std::string& text) {
    try {
      parse_topology_csv(text, "t.csv");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("Layer, M, N,\na, 1, 2,\n").rfind("t.csv:1: expected SCALE-Sim's GEMM topology header", 0) == 0);
  CHECK(error_of("Layer, M, N, K,\na, 1, 2, 3,\nb, 1, 2,\n").rfind("t.csv:3: expected 4 fields", 0) == 0);
  CHECK(error_of("Layer, M, N, K,\na, 1, 2, 3, 4,\n").rfind("t.csv:2: expected 4 fields", 0) == 0);
  CHECK(error_of("Layer, M, N, K,\n\na, 1, x, 3,\n") == "t.csv:3: layer 'a': N must be a positive integer, got 'x'");
  CHECK(error_of("Layer, M, N, K,\na, 0, 2, 3,\n") == "t.csv:2: layer 'a': M must be a positive integer, got '0'");
  CHECK(error_of("Layer, M, N, K,\na, 1, 2, -3,\n") == "t.csv:2: layer 'a': K must be a positive integer, got '-3'");
  CHECK(error_of("Layer, M, N, K,\n, 1, 2, 3,\n") == "t.csv:2: empty layer name");
  CHECK(error_of("Layer, M, N, K,\n").rfind("t.csv:1: no layers", 0) == 0);
  CHECK(error_of("").rfind("t.csv:1: empty topology", 0) == 0);
}

TEST_CASE("lpusim topology: a bad CSV line is one error line naming file:line, exit 2") {
  const std::string dir = temp_tree("topology_cli");
  write_file(dir + "/bad.csv", "Layer, M, N, K,\nfc1, 64, 64, 64,\nfc2, 64, 64,\n");
  const CmdResult r =
      run_lpusim("topology " + src("configs/designs/fp16_64x64.yaml") + " " + dir + "/bad.csv", "topo_bad");
  CHECK(r.code == 2);
  CHECK(r.err == "lpusim: error: " + dir + "/bad.csv:3: expected 4 fields 'name, M, N, K,', got 3 in 'fc2, 64, 64,'\n");
  CHECK(r.out.empty());
  write_file(dir + "/good.csv", "Layer, M, N, K,\nfc1, 64, 64, 64,\n");
  const CmdResult u =
      run_lpusim("topology " + src("configs/designs/lpu_64x64.yaml") + " " + dir + "/good.csv --unit vec", "topo_unit");
  CHECK(u.code == 2);
  CHECK(u.err.find("units.vec: impl vector_unit does not run weight GEMMs") != std::string::npos);
}

TEST_CASE("lpusim topology and gemm --timing: outputs") {
  const std::string dir = temp_tree("topology_out");
  write_file(dir + "/t.csv", "Layer, M, N, K,\nfc1, 100, 200, 300,\nfc2, 5, 300, 47,\n");
  const CmdResult r = run_lpusim(
      "topology " + src("configs/designs/fp16_64x64.yaml") + " " + dir + "/t.csv -o " + dir + "/out", "topo_ok");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("fc1") != std::string::npos);
  const std::string csv = read_file(dir + "/out/topology.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  CHECK(read_file(dir + "/out/topology.json").find("\"layers\"") != std::string::npos);
  const CmdResult g = run_lpusim(
      "gemm " + src("configs/designs/fp16_64x64.yaml") + " --unit fpmac --m 100 --k 300 --n 200 --timing --whole",
      "gemm_timing");
  REQUIRE(g.code == 0);
  // 64 x 64 OS: 2 x 4 folds of 64 + 64 + 300 - 2, minus 1.
  CHECK(g.out.find("closed form 3407 + 0 SRAM port stalls") != std::string::npos);
  // Left to the mapper, the GEMM is tiled along N so that weight loads overlap compute: it finishes
  // sooner than the one tile, whose weights must all arrive before the array starts.
  const CmdResult m = run_lpusim(
      "gemm " + src("configs/designs/fp16_64x64.yaml") + " --unit fpmac --m 100 --k 300 --n 200 --timing", "gemm_map");
  REQUIRE(m.code == 0);
  auto cycles_of = [](const std::string& out) {
    const size_t at = out.find("\n  cycles");
    return at == std::string::npos ? 0ull : std::stoull(out.substr(at + 10));
  };
  CHECK(m.out.find("mapping      4 tiles") != std::string::npos);
  CHECK(cycles_of(m.out) > 0);
  CHECK(cycles_of(m.out) < cycles_of(g.out));
}

TEST_CASE("topology on a 16 x 64 weight-stationary array: every layer's array cycles are SCALE-Sim's") {
  check_topology_against_scalesim(16, 64, "ws", "weight_stationary");
}

TEST_CASE("topology on a 64 x 16 input-stationary array: every layer's array cycles are SCALE-Sim's") {
  check_topology_against_scalesim(64, 16, "is", "input_stationary");
}
