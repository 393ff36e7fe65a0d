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
  // Absurd sizes fail at the key, not as an allocation of max_size() later.
  check_bad_design({"huge_banks", "  weight: {size_kib: 1024, banks: 16",
                    "  weight: {size_kib: 1024, banks: 4611686018427387904",
                    "buffers.weight.banks: expected at most 65536, got 4611686018427387904"});
}

TEST_CASE("bad design: a name that is not a plain word, a buffer no SRAM class prices") {
  // Both fail at the key the user wrote, before anything is simulated or written.
  check_bad_design({"slash_name", "name: lpu_64x64\n", "name: sub/dir/lpu\n", "name: expected up to 64 letters"});
  check_bad_design(
      {"huge_buffer", "  weight: {size_kib: 1024", "  weight: {size_kib: 1048576", "buffers.weight.size_kib: "});
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
                     W{"  batch: 2\n", "  batch: -1\n", "scenario.batch: expected an integer > 0"},
                     // Near INT64_MAX the sum with generated_tokens would overflow: bounded at the key.
                     W{"  prompt_tokens: 24\n", "  prompt_tokens: 9223372036854775000\n",
                       "scenario.prompt_tokens: expected at most 16777216"},
                     W{"  layers: 2\n", "  layers: 1000000000\n", "model.layers: expected at most 4096"}}) {
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

TEST_CASE("workload keys with a family default are optional and take the default") {
  const std::string dir = temp_tree("minimal_workload");
  // Only the keys without a sensible default: shape, precision of the linear layers, weights.
  write_file(dir + "/min.yaml",
             "name: min\nsource: test\nmodel:\n  family: decoder\n  layers: 2\n  hidden: 256\n  heads: 4\n"
             "  kv_heads: 2\n  ffn: 640\n  vocab: 1000\n"
             "  precision: {attention_projections: ternary, ffn: ternary}\n"
             "  weights: {distribution: ternary_iid, zero_fraction: 0.31, seed: 7}\n"
             "scenario: {batch: 2, prompt_tokens: 24, generated_tokens: 4}\n");
  const lpusim::WorkloadSpec w = lpusim::load_workload(dir + "/min.yaml");
  CHECK(w.model.ffn_activation == "swiglu");
  CHECK(w.model.norm == "rmsnorm");
  CHECK(w.model.position_embedding == "rope");
  CHECK_FALSE(w.model.subln);
  CHECK_FALSE(w.model.tied_embeddings);
  CHECK_FALSE(w.model.linear_bias);
  CHECK_FALSE(w.model.lut_mlp.enabled);
  CHECK(w.model.kv_cache == lpusim::Precision::Fp16);
  CHECK(w.model.lm_head == lpusim::Precision::Fp16);
  // The resolved workload states every default it used.
  const std::string y = w.resolved_yaml();
  CHECK(y.find("ffn_activation: swiglu") != std::string::npos);
  CHECK(y.find("subln: false") != std::string::npos);
  // A wrong value of a defaulted key is still an error at that key; an encoder-only key is unknown.
  for (const auto& [extra, expect] :
       std::vector<std::pair<std::string, std::string>>{{"  norm: batchnorm\n", "model.norm: expected one of"},
                                                        {"  class_tokens: 1\n", "model.class_tokens: unknown key"}}) {
    write_file(dir + "/bad.yaml",
               replace_once(read_file(dir + "/min.yaml"), "  vocab: 1000\n", "  vocab: 1000\n" + extra));
    CmdResult r = run_lpusim("run " + src("configs/designs/lpu.yaml") + " " + dir + "/bad.yaml", "wl");
    INFO("stderr: " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(expect) != std::string::npos);
  }
}

TEST_CASE("duplicate keys are errors at the second occurrence, in every YAML file") {
  const std::string dir = temp_tree("dup_keys");
  // Design: a repeated unit parameter; workload: a repeated model key; both name file:line and the key.
  std::string design = read_file(dir + "/configs/designs/lpu.yaml");
  write_file(dir + "/configs/designs/dup.yaml",
             replace_once(design, "clock_ghz: 1.0\n", "clock_ghz: 1.0\nclock_ghz: 2.0\n"));
  CmdResult r = run_lpusim("run " + dir + "/configs/designs/dup.yaml " + src("tests/data/tiny.yaml"), "dup");
  INFO("stderr: " << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("dup.yaml:") != std::string::npos);
  CHECK(r.err.find("clock_ghz: duplicate key (first at line") != std::string::npos);
  write_file(dir + "/w.yaml",
             replace_once(read_file(src("tests/data/tiny.yaml")), "  layers: 2\n", "  layers: 2\n  layers: 3\n"));
  r = run_lpusim("run " + src("configs/designs/lpu.yaml") + " " + dir + "/w.yaml", "dupw");
  INFO("stderr: " << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("model.layers: duplicate key") != std::string::npos);
}
