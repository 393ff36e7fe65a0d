// Sweeps: expansion (cartesian / zip / random counts, key paths, constraint drops), constraint
// expressions, bad sweep files (file:line:col), and the runner end to end through the lpusim
// binary: rows and values, resume after a kill, shards merged byte for byte, determinism, retries.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/config_error.h"
#include "config/loaders.h"
#include "helpers.h"
#include "spec/area.h"
#include "sweep/sweep.h"

using namespace lpusim;
using namespace lpusim_test;
namespace fs = std::filesystem;

namespace {

// A sweep file inside a temp tree (configs/designs, configs/tech copied); workloads come from
// the source tree. `body` holds everything after the design/workload lines.
std::string sweep_file(const std::string& tag, const std::string& body) {
  const std::string dir = temp_tree("sweep_" + tag);
  const std::string path = dir + "/configs/sweeps/s.yaml";
  write_file(path, "name: " + tag +
                       "\nbase_design: ../designs/lpu_64x64.yaml\nbaseline_design: ../designs/fp16_64x64.yaml\n" +
                       "workloads: [" + src("tests/data/tiny.yaml") + "]\n" + body);
  return path;
}

std::string out_dir(const std::string& sweep, const std::string& name) {
  return fs::path(sweep).parent_path().parent_path().parent_path().string() + "/" + name;
}

std::vector<nlohmann::json> rows(const std::string& dir) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(dir + "/results.jsonl"));
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

const char* k2x2 = "mode: cartesian\nparameters:\n  units.tmac.rows: [32, 64]\n  units.tmac.cols: [16, 48]\n";

std::string config_error(const std::string& sweep) {
  try {
    SweepSpec::load(sweep);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("constraint expressions: precedence, comparisons, logic") {
  auto ev = [](const std::string& t) {
    return Expr::parse(t, "x").eval([](const std::string& n) { return n == "a.b" ? 3.0 : n == "c" ? 4.0 : 0.0; });
  };
  CHECK(ev("1 + 2 * 3") == 7);
  CHECK(ev("(1 + 2) * 3") == 9);
  CHECK(ev("a.b * c - 2") == 10);
  CHECK(ev("8 / 2 / 2") == 2);
  CHECK(ev("-a.b + 1") == -2);
  CHECK(ev("a.b <= 3 && c > 3") == 1);
  CHECK(ev("a.b < 3 || c != 4") == 0);
  CHECK(ev("!(a.b == 3)") == 0);
  CHECK(ev("c >= 4.5") == 0);
  CHECK(Expr::parse("a.b * c <= sram_kib", "x").names() == std::vector<std::string>{"a.b", "c", "sram_kib"});
  CHECK_THROWS_WITH(Expr::parse("a.b <= ", "f.yaml:3:5"),
                    Catch::Contains("f.yaml:3:5") && Catch::Contains("character 8"));
  CHECK_THROWS_WITH(Expr::parse("(1 + 2", "x"), Catch::Contains("expected ')'"));
  CHECK_THROWS_WITH(Expr::parse("1 $ 2", "x"), Catch::Contains("unexpected '$'"));
  // Hostile nesting is an error, not a stack overflow.
  CHECK_THROWS_WITH(Expr::parse(std::string(10000, '(') + "1" + std::string(10000, ')'), "x"),
                    Catch::Contains("longer than 4096 characters"));
  CHECK_THROWS_WITH(Expr::parse(std::string(1000, '(') + "1" + std::string(1000, ')'), "x"),
                    Catch::Contains("nested deeper than 256 levels"));
  CHECK(Expr::parse(std::string(200, '(') + "1" + std::string(200, ')'), "x").eval([](const std::string&) {
    return 0.0;
  }) == 1);
}

TEST_CASE("Pareto front on hand-made points") {
  // (3,6) is dominated by (2,5); (2.5,5) by (2,5); (5,2) by (4,2). Same set as reports/test_reports.py.
  const std::vector<std::pair<double, double>> pts = {{1, 9}, {2, 5},   {3, 6}, {4, 2},
                                                      {5, 2}, {2.5, 5}, {6, 1}, {0.5, 10}};
  CHECK(pareto_front(pts) == std::vector<size_t>{7, 0, 1, 3, 6});
  CHECK(pareto_front({{2, 3}, {2, 3}, {1, 4}}) == std::vector<size_t>{2, 0, 1});
  CHECK(pareto_front({}).empty());
}

TEST_CASE("cartesian expansion: 2 x 2 variants with the values set at their key paths") {
  const std::string sw = sweep_file("cart", k2x2);
  const std::string out = out_dir(sw, "out");
  Expansion ex = expand(SweepSpec::load(sw), out);
  REQUIRE(ex.design_points == 4);
  REQUIRE(ex.points.size() == 5);  // baseline + 4 variants
  CHECK(ex.points[0].baseline);
  CHECK(ex.points[0].id == "baseline-tiny");
  const std::vector<std::pair<int, int>> want = {{32, 16}, {32, 48}, {64, 16}, {64, 48}};
  for (size_t i = 0; i < 4; ++i) {
    const SweepPoint& p = ex.points[i + 1];
    CHECK(p.id == "d000" + std::to_string(i) + "-tiny");
    CHECK(p.index == i + 1);
    CHECK(p.values == std::vector<std::string>{std::to_string(want[i].first), std::to_string(want[i].second)});
    // The written design is the base with exactly these values.
    DesignSpec d = load_design(out + "/" + p.design_file);
    CHECK(d.units[0].i("rows") == want[i].first);
    CHECK(d.units[0].i("cols") == want[i].second);
    CHECK(d.units[1].i("rows") == 16);  // fpmac untouched
    CHECK(p.derived.at("peak_macs_per_cycle") == want[i].first * want[i].second + 16 * 16);
    CHECK(p.derived.at("sram_kib") == 2048);
    CHECK(p.derived.at("area_mm2") == Approx(design_area(d).total_mm2()));
  }
  // A bigger ternary array is a bigger chip.
  CHECK(ex.points[4].derived.at("area_mm2") > ex.points[1].derived.at("area_mm2"));
}

TEST_CASE("zip and random expansion counts, random draws seeded and distinct") {
  const std::string zip = sweep_file("zip",
                                     "mode: zip\nparameters:\n  units.tmac.rows: [16, 32, 64]\n"
                                     "  units.tmac.cols: [16, 32, 64]\n");
  Expansion z = expand(SweepSpec::load(zip), out_dir(zip, "out"));
  REQUIRE(z.points.size() == 4);
  for (size_t i = 1; i < 4; ++i) CHECK(z.points[i].values[0] == z.points[i].values[1]);

  auto random = [](const std::string& tag, int seed, int samples) {
    const std::string sw =
        sweep_file(tag, "mode: random\nsamples: " + std::to_string(samples) + "\nseed: " + std::to_string(seed) +
                            "\nparameters:\n  units.tmac.rows: [8, 16, 32, 64]\n"
                            "  units.tmac.cols: [8, 16, 32, 64]\n  buffers.weight.size_kib: [512, 1024]\n");
    std::vector<std::vector<std::string>> v;
    for (const auto& p : expand(SweepSpec::load(sw), out_dir(sw, "out")).points) {
      if (!p.baseline) v.push_back(p.values);
    }
    return v;
  };
  auto a = random("rnd_a", 5, 10), b = random("rnd_b", 5, 10), c = random("rnd_c", 6, 10);
  CHECK(a.size() == 10);
  CHECK(a == b);
  CHECK(a != c);
  std::set<std::vector<std::string>> distinct(a.begin(), a.end());
  CHECK(distinct.size() == 10);
  CHECK_THROWS_WITH(random("rnd_d", 1, 33), Catch::Contains("only 32 points"));
}

TEST_CASE("constraints drop exactly the points that fail them") {
  const std::string sw = sweep_file("cons", std::string(k2x2) +
                                                "constraints:\n  - \"peak_macs_per_cycle <= 1536 + 256\"\n"
                                                "  - \"units.tmac.rows * 2 != units.tmac.cols * 4\"\n");
  Expansion ex = expand(SweepSpec::load(sw), out_dir(sw, "out"));
  // 32x16 = 512 ok but 32*2 == 16*4 -> dropped; 32x48 = 1536 ok; 64x16 = 1024 ok; 64x48 = 3072 dropped.
  std::vector<std::string> ids;
  for (const auto& p : ex.points) ids.push_back(p.id);
  CHECK(ids == std::vector<std::string>{"baseline-tiny", "d0001-tiny", "d0002-tiny"});
  CHECK(ex.dropped == 2);
  REQUIRE(ex.dropped_reasons.size() == 2);
  CHECK(ex.dropped_reasons[0].find("d0000") == 0);
  CHECK(ex.dropped_reasons[0].find("units.tmac.rows=32") != std::string::npos);
  CHECK(ex.dropped_reasons[1].find("d0003: fails 'peak_macs_per_cycle") == 0);
  CHECK_FALSE(fs::exists(out_dir(sw, "out") + "/designs/d0003.yaml"));
}

TEST_CASE("bad sweep files give file:line:col errors") {
  struct Bad {
    std::string body, where, what;
  };
  const std::vector<Bad> cases = {
      {"mode: grid\nparameters:\n  units.tmac.rows: [1]\n", "s.yaml:5:7", "expected one of {cartesian, zip, random}"},
      {"mode: cartesian\nparameters:\n  units.tmac.rowz: [1]\n", "s.yaml:7:20", "units.tmac has: impl, rows"},
      {"mode: cartesian\nparameters:\n  units.tmac.rows: [1]\nfoo: 1\n", "s.yaml:8:1", "unknown key"},
      {"mode: zip\nparameters:\n  units.tmac.rows: [1, 2]\n  units.tmac.cols: [1]\n", "s.yaml:8:20", "equal length"},
      {"mode: cartesian\nparameters:\n  units.tmac.rows: [16]\nconstraints: [\"sram_kb < 4\"]\n", "s.yaml:8:15",
       "unknown name 'sram_kb'"},
      {"mode: cartesian\nparameters:\n  units.tmac.rows: [16]\nconstraints: [\"sram_kib < \"]\n", "s.yaml:8:15",
       "expected a number"},
      {"mode: cartesian\nparameters:\n  units.tmac.rows: [16]\nconstraints: [\"area_mm3 < 4\"]\n", "s.yaml:8:15",
       "unknown name 'area_mm3'"},
      {"mode: cartesian\nseed: 3\nparameters:\n  units.tmac.rows: [16]\n", "s.yaml:6:7", "only used with mode: random"},
      {"mode: cartesian\nparameters:\n  units.tmac: [16]\n", "s.yaml:7:15", "not a scalar"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string sw = sweep_file("bad" + std::to_string(i), cases[i].body);
    const std::string err = config_error(sw);
    INFO(cases[i].body << " -> " << err);
    CHECK(err.find(cases[i].where) != std::string::npos);
    CHECK(err.find(cases[i].what) != std::string::npos);
  }
  // Through the CLI: exit 2, one line.
  const std::string sw = sweep_file("badcli", cases[1].body);
  CmdResult r = run_lpusim("sweep " + sw + " -o " + out_dir(sw, "out"), "badcli");
  CHECK(r.code == 2);
  CHECK(r.err.find("lpusim: error: " + sw + ":7:20: parameters.units.tmac.rowz") == 0);
}

TEST_CASE("a 2 x 2 sweep gives 4 variant rows with the right values and metrics") {
  const std::string sw = sweep_file("run", k2x2);
  const std::string out = out_dir(sw, "out");
  CmdResult r = run_lpusim("sweep " + sw + " -o " + out + " -j 2", "sweep_run");
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto rs = rows(out);
  REQUIRE(rs.size() == 5);
  CHECK(rs[0]["kind"] == "baseline");
  CHECK(rs[0]["units.tmac.rows"].is_null());
  const std::vector<std::pair<int, int>> want = {{32, 16}, {32, 48}, {64, 16}, {64, 48}};
  for (size_t i = 0; i < 4; ++i) {
    const auto& row = rs[i + 1];
    CHECK(row["kind"] == "variant");
    CHECK(row["units.tmac.rows"] == want[i].first);
    CHECK(row["units.tmac.cols"] == want[i].second);
    CHECK(row["status"] == "ok");
    // Metrics are the point's own report; the resolved design sits beside it.
    const std::string pdir = out + "/" + row["results_dir"].get<std::string>();
    auto rep = nlohmann::json::parse(read_file(pdir + "/report.json"));
    CHECK(row["total_cycles"] == rep["designs"][0]["totals"]["total_cycles"]);
    CHECK(row["energy_total_pj"] == rep["designs"][0]["totals"]["energy_pj"]["total"]);
    const std::string resolved = read_file(pdir + "/design_lpu_64x64.resolved.yaml");
    CHECK(resolved.find("rows: " + std::to_string(want[i].first)) != std::string::npos);
  }
  // A wider array never has more cycles at the same rows here: the sweep sees the model.
  CHECK(rs[2]["total_cycles"].get<uint64_t>() != rs[1]["total_cycles"].get<uint64_t>());
  // CSV: header + 5 lines, parameter columns present.
  const std::string csv = read_file(out + "/results.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);
  CHECK(csv.find(",units.tmac.rows,units.tmac.cols,") != std::string::npos);
  CHECK(csv.find("\nd0003-tiny,4,variant,tiny,designs/d0003.yaml,points/d0003-tiny,64,48,") != std::string::npos);
  // sweep.json: schema and shape; summary.md: one table line per point, the front marked.
  auto meta = nlohmann::json::parse(read_file(out + "/sweep.json"));
  CHECK(meta["schema_version"] == 1);
  CHECK(meta["points"] == 5);
  CHECK(meta["parameters"][1]["values"] == nlohmann::json::array({16, 48}));
  const std::string md = read_file(out + "/summary.md");
  CHECK(md.find("| baseline-tiny | - | - | ok |") != std::string::npos);
  std::vector<std::pair<double, double>> pts;
  for (size_t i = 1; i < 5; ++i)
    pts.push_back({rs[i]["time_per_output_token_s"], rs[i]["energy_per_generated_token_pj"]});
  for (size_t f : pareto_front(pts)) {
    const std::string id = rs[f + 1]["point"];
    const size_t at = md.find("| " + id + " |");
    REQUIRE(at != std::string::npos);
    CHECK(md.substr(at, md.find('\n', at) - at).find("**front**") != std::string::npos);
  }
}

TEST_CASE("sweeps: determinism, resume after a kill, shards merged byte for byte") {
  const std::string sw = sweep_file("res", k2x2);
  auto run = [&](const std::string& name, const std::string& extra) {
    CmdResult r = run_lpusim("sweep " + sw + " -o " + out_dir(sw, name) + " " + extra, "res_" + name);
    INFO(r.err);
    REQUIRE(r.code == 0);
    return r;
  };
  run("full", "-j 2");
  run("again", "-j 1");
  const std::string full = out_dir(sw, "full");
  const std::string csv = read_file(full + "/results.csv"), jl = read_file(full + "/results.jsonl");
  CHECK(csv == read_file(out_dir(sw, "again") + "/results.csv"));
  CHECK(jl == read_file(out_dir(sw, "again") + "/results.jsonl"));

  SECTION("resume") {
    // Simulated kill: rows 3.. lost (jsonl torn mid-line), point 4 finished but unrecorded,
    // point 3 never finished (no status).
    const std::string k = out_dir(sw, "again");
    const size_t cut = jl.find('\n', jl.find('\n') + 1) + 1;  // after 2 rows
    write_file(k + "/results.jsonl", jl.substr(0, cut + 40));
    write_file(k + "/results.csv", csv.substr(0, csv.find('\n') + 5));
    fs::remove(k + "/points/d0001-tiny/status.json");
    CmdResult r = run("again", "-j 2");
    CHECK(r.out.find("ran 1, resumed 2, 2 already recorded") != std::string::npos);
    CHECK(read_file(k + "/results.jsonl") == jl);
    CHECK(read_file(k + "/results.csv") == csv);
    // A finished sweep re-run does nothing and changes nothing.
    CmdResult r2 = run("again", "");
    CHECK(r2.out.find("ran 0, resumed 0, 5 already recorded") != std::string::npos);
    CHECK(read_file(k + "/results.jsonl") == jl);
  }
  SECTION("shards") {
    run("s1", "--shard 1/2");
    run("s2", "--shard 2/2 -j 1");
    CHECK(rows(out_dir(sw, "s1")).size() == 3);
    CHECK(rows(out_dir(sw, "s2")).size() == 2);
    CmdResult m = run_lpusim(
        "sweep-merge " + out_dir(sw, "s2") + " " + out_dir(sw, "s1") + " -o " + out_dir(sw, "merged"), "res_merge");
    REQUIRE(m.code == 0);
    CHECK(read_file(out_dir(sw, "merged") + "/results.csv") == csv);
    CHECK(read_file(out_dir(sw, "merged") + "/results.jsonl") == jl);
    CHECK(read_file(out_dir(sw, "merged") + "/summary.md") == read_file(full + "/summary.md"));
    CHECK(read_file(out_dir(sw, "merged") + "/sweep.json") == read_file(full + "/sweep.json"));
    CHECK(fs::exists(out_dir(sw, "merged") + "/points/d0003-tiny/report.json"));
    // One shard alone is incomplete, and a shard twice is a duplicate.
    CmdResult bad = run_lpusim("sweep-merge " + out_dir(sw, "s1") + " -o " + out_dir(sw, "m2"), "res_merge2");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("points without results") != std::string::npos);
    CmdResult dup = run_lpusim(
        "sweep-merge " + out_dir(sw, "s1") + " " + out_dir(sw, "s1") + " -o " + out_dir(sw, "m3"), "res_merge3");
    CHECK(dup.code == 2);
    CHECK(dup.err.find("is also in") != std::string::npos);
    // A results folder belongs to one shard.
    CmdResult other = run_lpusim("sweep " + sw + " -o " + out_dir(sw, "s1") + " --shard 2/2", "res_wrong_shard");
    CHECK(other.code == 2);
  }
}

TEST_CASE("a failing point is retried once, then recorded failed with its error") {
  // A 0.1 KiB activation buffer loads, but the compiler cannot fit one activation row.
  const std::string sw =
      sweep_file("fail", "mode: cartesian\nparameters:\n  buffers.activation.size_kib: [1024, 0.1]\n");
  const std::string out = out_dir(sw, "out");
  CmdResult r = run_lpusim("sweep " + sw + " -o " + out, "fail");
  CHECK(r.code == 3);
  auto rs = rows(out);
  REQUIRE(rs.size() == 3);
  CHECK(rs[1]["status"] == "ok");
  CHECK(rs[2]["status"] == "failed");
  CHECK(rs[2]["attempts"] == 2);
  CHECK(rs[2]["error"].get<std::string>().find("activation buffer half") != std::string::npos);
  CHECK(rs[2]["total_cycles"].is_null());
  // Re-running keeps the recorded failure (each point exactly once).
  CmdResult r2 = run_lpusim("sweep " + sw + " -o " + out, "fail2");
  CHECK(r2.out.find("ran 0") != std::string::npos);
  CHECK(rows(out).size() == 3);
}

TEST_CASE("a sweep killed mid-run (SIGKILL to it and its workers) resumes to every point exactly once") {
  const std::string sw = sweep_file("kill",
                                    "mode: cartesian\nparameters:\n  units.tmac.rows: [16, 32, 64]\n"
                                    "  units.tmac.cols: [16, 32, 64]\n");
  const std::string full = out_dir(sw, "full"), killed = out_dir(sw, "killed");
  REQUIRE(run_lpusim("sweep " + sw + " -o " + full + " -j 2", "kill_full").code == 0);
  const std::string want = read_file(full + "/results.jsonl");
  REQUIRE(std::count(want.begin(), want.end(), '\n') == 10);

  // Own process group, so one kill takes the runner and its workers down mid-flight.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(LPUSIM_BINARY, LPUSIM_BINARY, "sweep", sw.c_str(), "-o", killed.c_str(), "-j", "2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  size_t rows_at_kill = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string now = read_file(killed + "/results.jsonl");
    rows_at_kill = static_cast<size_t>(std::count(now.begin(), now.end(), '\n'));
    if (rows_at_kill >= 3) break;
    usleep(1000);
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));  // killed, not finished
  INFO("rows when killed: " << rows_at_kill);
  CHECK(rows_at_kill < 10);
  CmdResult r = run_lpusim("sweep " + sw + " -o " + killed + " -j 2", "kill_resume");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(read_file(killed + "/results.jsonl") == want);
  CHECK(read_file(killed + "/results.csv") == read_file(full + "/results.csv"));
}
