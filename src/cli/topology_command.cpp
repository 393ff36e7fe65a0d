#include "cli/topology_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/config_error.h"
#include "base/parse.h"
#include "config/loaders.h"
#include "report/gemm_timing.h"

namespace lpusim {

const char* kTopologyHelp =
    "usage: lpusim topology DESIGN FILE.csv [--unit NAME] [-o DIR] [--zero-fraction P] [--seed S]\n"
    "\n"
    "Times every layer of a SCALE-Sim GEMM topology (header 'Layer, M, N, K,', then one\n"
    "'name, M, N, K,' line per layer) on DESIGN: all layers back to back in one program, compiled\n"
    "and simulated in SystemC like a full run, on the design reduced to the arrays that run its\n"
    "linear layers (or to unit NAME), its buffers and DRAM. Prints one row per layer: cycles (the\n"
    "layer's share of the critical path), array cycles, utilization, SRAM and DRAM bytes, energy.\n"
    "  -o DIR            also write DIR/topology.csv and DIR/topology.json (mapping, energy by class)\n"
    "  --unit NAME       run every layer on this MAC array\n"
    "  --zero-fraction P zero fraction of the synthetic ternary weights (default 0)\n"
    "  --seed S          seed of the synthetic ternary weights (default 1)\n"
    "A bad line is one error 'FILE:LINE: ...' and exit code 2.\n";

int run_topology(const std::vector<std::string>& args) {
  const std::string hint = "lpusim topology --help";
  std::vector<std::string> pos;
  std::string out_dir;
  GemmTimingOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    auto value = [&] { return option_value(args, i, "topology: ", hint); };
    if (s == "-h" || s == "--help") {
      std::fputs(kTopologyHelp, stdout);
      return 0;
    } else if (s == "-o" || s == "--out") {
      out_dir = value();
    } else if (s == "--unit") {
      o.unit = value();
    } else if (s == "--seed") {
      const int64_t v = parse_int(s, value(), hint);
      if (v < 0) usage_error("topology: --seed expects a non-negative integer", hint);
      o.seed = static_cast<uint64_t>(v);
    } else if (s == "--zero-fraction") {
      const std::string v = value();
      size_t used = 0;
      try {
        o.zero_fraction = std::stod(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != v.size() || !(o.zero_fraction >= 0 && o.zero_fraction < 1))
        usage_error("topology: --zero-fraction expects a fraction in [0, 1), got '" + v + "'", hint);
    } else if (!s.empty() && s[0] == '-') {
      usage_error("topology: unknown option '" + s + "'", hint);
    } else {
      pos.push_back(s);
    }
  }
  if (pos.size() != 2) usage_error("topology: expected a design file and a topology CSV", hint);
  const DesignSpec d = load_design(pos[0]);
  const std::vector<GemmJob> jobs = load_topology_csv(pos[1]);
  const GemmTimingRun r = time_gemms(d, jobs, o);
  std::fputs(topology_table(r).c_str(), stdout);
  if (!out_dir.empty()) {
    std::filesystem::create_directories(out_dir);
    for (const auto& [name, text] :
         {std::make_pair("topology.csv", topology_csv(r)), std::make_pair("topology.json", topology_json(r))}) {
      std::ofstream f(out_dir + "/" + name, std::ios::binary);
      f << text;
      if (!f) throw ConfigError(out_dir + "/" + name + ": cannot write");
    }
    std::printf("wrote %s/topology.csv, topology.json\n", out_dir.c_str());
  }
  return 0;
}

}  // namespace lpusim
