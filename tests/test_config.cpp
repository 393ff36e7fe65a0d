// Bad input: every case gives a one-line error naming file:line:column and the key path, exit 2,
// and no report. Good input: the shipped designs, tech tables and workloads all load.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <filesystem>

#include "config/loaders.h"
#include "helpers.h"
#include "spec/design.h"
#include "spec/workload.h"

using namespace lpusim_test;

namespace {

struct BadCase {
  const char* name;
  const char* from;  // text in lpu.yaml to replace
  const char* to;
  const char* expect;  // substring of the error line
};

void check_bad_design(const BadCase& c) {
  const std::string dir = temp_tree(std::string("bad_") + c.name);
  const std::string design = dir + "/configs/designs/bad.yaml";
  std::string text = read_file(dir + "/configs/designs/lpu_64x64.yaml");
  write_file(design, c.from[0] ? replace_once(text, c.from, c.to) : std::string(c.to));
  const std::string out = dir + "/out";
  CmdResult r = run_lpusim("run " + design + " " + src("tests/data/tiny.yaml") + " -o " + out, c.name);
  INFO("stderr: " << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad.yaml:") != std::string::npos);
  CHECK(r.err.find(c.expect) != std::string::npos);
  // One line, and nothing written.
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(out + "/report.json"));
}

}  // namespace

TEST_CASE("bad design: unknown key names file:line:col and key path") {
  check_bad_design({"unknown_key", "    rows: 64\n    cols: 64\n    dataflow: output_stationary\n    accumulator_bits",
                    "    rows: 64\n    colz: 64\n    dataflow: output_stationary\n    accumulator_bits",
                    "units.tmac.colz: unknown key"});
  // Line and column of the offending key: `colz` sits on line 20, column 5 of the edited file.
  const std::string dir = temp_tree("unknown_key_pos");
  std::string text = read_file(dir + "/configs/designs/lpu_64x64.yaml");
  std::string bad = replace_once(text, "    cols: 64\n    dataflow: output_stationary\n    accumulator_bits",
                                 "    colz: 64\n    dataflow: output_stationary\n    accumulator_bits");
  size_t pos = bad.find("colz");
  int line = 1 + static_cast<int>(std::count(bad.begin(), bad.begin() + static_cast<long>(pos), '\n'));
  write_file(dir + "/configs/designs/bad.yaml", bad);
  CmdResult r = run_lpusim("run " + dir + "/configs/designs/bad.yaml " + src("tests/data/tiny.yaml"), "pos");
  CHECK(r.err.find("bad.yaml:" + std::to_string(line) + ":5: units.tmac.colz") != std::string::npos);
}

TEST_CASE("bad design: wrong type") {
  check_bad_design({"wrong_type", "clock_ghz: 1.0", "clock_ghz: fast", "clock_ghz: expected a number, got 'fast'"});
}

TEST_CASE("bad design: missing field") {
  check_bad_design(
      {"missing", "    accumulator_bits: 32\n", "", "units.tmac: missing required key 'accumulator_bits'"});
}

TEST_CASE("bad design: negative and zero sizes") {
  check_bad_design({"negative", "  weight: {size_kib: 1024", "  weight: {size_kib: -4",
                    "buffers.weight.size_kib: expected a number > 0"});
  check_bad_design({"zero_rows", "    rows: 64", "    rows: 0", "units.tmac.rows: expected an integer >= 1"});
  check_bad_design({"zero_channels", "channels: 4", "channels: 0", "dram.channels: expected an integer > 0"});
}

TEST_CASE("bad design: not YAML, and not a map") {
  check_bad_design({"not_yaml", "", "name: [lpu\nclock: {", "not valid YAML"});
  check_bad_design({"scalar", "", "just a sentence", "expected a YAML map"});
}

TEST_CASE("bad design: unknown unit implementation and enum value") {
  check_bad_design(
      {"impl", "impl: ternary_mac_array", "impl: quantum_array", "unknown unit implementation 'quantum_array'"});
  check_bad_design({"enum", "dataflow: output_stationary\n    accumulator_bits",
                    "dataflow: diagonal\n    accumulator_bits",
                    "units.tmac.dataflow: expected one of {output_stationary, weight_stationary, input_stationary}"});
}

TEST_CASE("bad workload: unknown key, missing field, indivisible heads") {
  const std::string dir = temp_tree("bad_workload");
  const std::string text = read_file(src("tests/data/tiny.yaml"));
  struct W {
    const char* from;
    const char* to;
    const char* expect;
  };
  for (const W& w : {W{"  layers: 2\n", "  layers: 2\n  dropout: 0.1\n", "model.dropout: unknown key"},
                     W{"  vocab: 1000\n", "", "model: missing required key 'vocab'"},
                     W{"  heads: 4\n", "  heads: 3\n", "model.heads: hidden must be divisible by heads"},
                     W{"  batch: 2\n", "  batch: -1\n", "scenario.batch: expected an integer > 0"}}) {
    write_file(dir + "/w.yaml", replace_once(text, w.from, w.to));
    CmdResult r = run_lpusim("run " + src("configs/designs/lpu_64x64.yaml") + " " + dir + "/w.yaml", "wl");
    INFO("stderr: " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("w.yaml:") != std::string::npos);
    CHECK(r.err.find(w.expect) != std::string::npos);
  }
}

TEST_CASE("bad tech table: missing source is an error") {
  const std::string dir = temp_tree("bad_tech");
  std::string t = read_file(dir + "/configs/tech/7nm.yaml");
  auto pos = t.find("int8_add:");
  auto end = t.find('\n', pos);
  t.replace(pos, end - pos, "int8_add: {pj: 0.007}");
  write_file(dir + "/configs/tech/7nm.yaml", t);
  CmdResult r = run_lpusim("run " + dir + "/configs/designs/lpu_64x64.yaml " + src("tests/data/tiny.yaml"), "tech");
  CHECK(r.code == 2);
  CHECK(r.err.find("events.int8_add: missing required key 'source'") != std::string::npos);
}

TEST_CASE("missing file and bad usage exit 2") {
  CHECK(run_lpusim("run /nonexistent.yaml " + src("tests/data/tiny.yaml"), "nofile").code == 2);
  CHECK(run_lpusim("run " + src("configs/designs/lpu_64x64.yaml"), "usage").code == 2);
  CHECK(run_lpusim("frobnicate", "cmd").code == 2);
  CHECK(run_lpusim("run --help", "help").code == 0);
  CmdResult v = run_lpusim("--version", "ver");
  CHECK(v.code == 0);
  CHECK(v.out.rfind("lpusim ", 0) == 0);
}

TEST_CASE("every shipped design, tech table and workload loads") {
  namespace fs = std::filesystem;
  for (const auto& e : fs::directory_iterator(src("configs/designs"))) {
    INFO(e.path());
    CHECK_NOTHROW(lpusim::load_design(e.path().string()));
  }
  for (const auto& e : fs::directory_iterator(src("workloads"))) {
    INFO(e.path());
    CHECK_NOTHROW(lpusim::load_workload(e.path().string()));
  }
  CHECK_NOTHROW(lpusim::load_tech(src("configs/tech/45nm.yaml")));
  auto w = lpusim::load_workload(src("workloads/bitnet_b158_3b.yaml"));
  CHECK(w.model.hidden == 3200);
  CHECK(w.model.layers == 26);
  CHECK(w.model.heads == 32);
  CHECK(w.model.ffn == 8640);
  CHECK(w.model.vocab == 32000);
  CHECK(w.scenario.prompt_tokens == 512);
  CHECK(w.scenario.generated_tokens == 128);
}
