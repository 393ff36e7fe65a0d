// Steering runs from the command line: `-p KEY=VALUE` overrides (checked exactly like the key in the
// file), `compare` with more than two designs, and the config search path for tech/ and dram/ tables.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "base/config_error.h"
#include "config/loaders.h"
#include "config/yaml_reader.h"
#include "helpers.h"

using namespace lpusim;
using namespace lpusim_test;
namespace fs = std::filesystem;

namespace {

KeyOverride p(const std::string& key, const std::string& value) { return {key, value, "-p " + key + "=" + value}; }

std::string design_error(const std::vector<KeyOverride>& ov) {
  try {
    load_design(src("configs/designs/lpu.yaml"), ov);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Overrides (-p) set design and workload keys, including defaulted ones, checked like the file") {
  const DesignSpec base = load_design(src("configs/designs/lpu.yaml"));
  const DesignSpec d =
      load_design(src("configs/designs/lpu.yaml"),
                  {p("units.tmac.cols", "512"), p("dram.channels", "8"), p("units.tmac.index_bits", "6"),
                   p("units.vec.ops", "[rmsnorm, softmax, swiglu, add, quantize, rope, gather, copy]")});
  CHECK(d.dram.channels == 8);
  const std::string y = d.resolved_yaml();
  CHECK(y.find("cols: 512") != std::string::npos);
  CHECK(y.find("index_bits: 6") != std::string::npos);
  CHECK(base.resolved_yaml().find("cols: 512") == std::string::npos);
  const WorkloadSpec w = load_workload(src("workloads/bitnet_b158_700m.yaml"), {p("scenario.batch", "4")});
  CHECK(w.scenario.batch == 4);

  // Errors name the file, the override and the key path, as the loader words them for the file.
  const std::string unknown = design_error({p("units.tmac.colz", "1")});
  CHECK(
      unknown.find("configs/designs/lpu.yaml (-p units.tmac.colz=1): units.tmac.colz: unknown key (expected one of:") !=
      std::string::npos);
  const std::string bad = design_error({p("units.tmac.cols", "wide")});
  CHECK(bad.find("(-p units.tmac.cols=wide): units.tmac.cols: expected an integer, got 'wide'") != std::string::npos);
  CHECK(design_error({p("clock_ghz.x", "1")}).find("(-p clock_ghz.x=1): clock_ghz.x: clock_ghz is '1.0', not a map") !=
        std::string::npos);
  CHECK(design_error({p("dram.channels", "3")}).find("channels must be a power of two") != std::string::npos);
  CHECK(design_error({p("dram.preset", "lpddr9")}).find("unknown DRAM preset 'lpddr9'") != std::string::npos);
  CHECK(design_error({p("bogus", "1")}).find("(-p bogus=1): bogus: unknown key") != std::string::npos);
  // A map the override creates on its way (a unit the design does not have) is named by the override too.
  CHECK(design_error({p("units.tmac2.cols", "8")}).find("(-p units.tmac2.cols=8): units.tmac2: missing required key") !=
        std::string::npos);
}

TEST_CASE("Command line: -p and compare: N designs, one-line errors with exit 2") {
  const std::string lpu = src("configs/designs/lpu.yaml"), fp16 = src("configs/designs/fp16.yaml"),
                    tiny = src("tests/data/tiny.yaml");
  CmdResult three = run_lpusim("compare " + lpu + " " + fp16 + " " + lpu + " " + tiny +
                                   " -p 3:name=lpu512 -p 3:units.tmac.cols=512 -p scenario.batch=2",
                               "steer_three");
  REQUIRE(three.code == 0);
  CHECK(three.err.empty());
  CHECK(three.out.find("batch 2,") != std::string::npos);
  CHECK(three.out.find("lpu vs fp16") != std::string::npos);
  CHECK(three.out.find("lpu vs lpu512") != std::string::npos);
  struct Bad {
    std::string args, expect;
  };
  for (const Bad& b :
       {Bad{"run " + lpu + " " + tiny + " -p units.tmac.colz=1", "units.tmac.colz: unknown key"},
        Bad{"run " + lpu + " " + tiny + " -p units.tmac.cols", "expects KEY=VALUE"},
        Bad{"run " + lpu + " " + tiny + " -p 2:units.tmac.cols=8", "no design named or numbered '2'"},
        Bad{"run " + lpu + " " + tiny + " -p fp16:scenario.batch=2", "belongs to no design"},
        Bad{"bench " + tiny + " " + lpu + " -p scenario.batch=0", "scenario.batch: expected an integer > 0"},
        Bad{"compare " + lpu + " " + tiny, "missing DESIGN_B"}}) {
    INFO(b.args);
    CmdResult r = run_lpusim(b.args, "steer_bad");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(b.expect) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("tech and dram resolve in the design's folder, then configs/, then LPUSIM_CONFIG_PATH") {
  const fs::path dir = fs::temp_directory_path() / ("lpusim_search_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string text = read_file(src("configs/designs/lpu.yaml"));
  // A design copied alone into another folder finds the shipped tables.
  write_file((dir / "alone/lpu.yaml").string(), text);
  const DesignSpec alone = load_design((dir / "alone/lpu.yaml").string());
  CHECK(fs::equivalent(alone.tech.file, src("configs/tech/7nm.yaml")));
  CHECK(fs::equivalent(alone.dram.preset_file, src("configs/dram/lpddr5.yaml")));
  // A table in the design's folder wins.
  write_file((dir / "alone/tech/7nm.yaml").string(), read_file(src("configs/tech/7nm.yaml")));
  CHECK(load_design((dir / "alone/lpu.yaml").string()).tech.file == (dir / "alone/tech/7nm.yaml").string());
  // A preset only on LPUSIM_CONFIG_PATH (second entry) is found there, and not without it.
  write_file((dir / "extra/dram/mydram.yaml").string(), read_file(src("configs/dram/lpddr5.yaml")));
  write_file((dir / "alone/mine.yaml").string(), replace_once(text, "preset: lpddr5", "preset: mydram"));
  ::unsetenv("LPUSIM_CONFIG_PATH");
  try {
    load_design((dir / "alone/mine.yaml").string());
    FAIL("mydram should not be found");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("unknown DRAM preset 'mydram': no mydram.yaml in ") != std::string::npos);
  }
  ::setenv("LPUSIM_CONFIG_PATH", ((dir / "nowhere").string() + ":" + (dir / "extra").string()).c_str(), 1);
  const DesignSpec mine = load_design((dir / "alone/mine.yaml").string());
  CHECK(mine.dram.preset_file == (dir / "extra/dram/mydram.yaml").string());
  ::unsetenv("LPUSIM_CONFIG_PATH");
  fs::remove_all(dir);
}
