// `lpusim topology DESIGN FILE.csv`: SCALE-Sim's GEMM topology, every layer timed on DESIGN.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "cli/command.h"
#include "config/loaders.h"
#include "report/gemm_timing.h"

namespace lpusim {

namespace {

struct TopologyArgs {
  std::string design, topology, out_dir, unit;
  std::optional<double> zero_fraction;
  uint64_t seed = 1;
  bool whole = false;
};

int run_topology(const TopologyArgs& a, const CommandLine&) {
  if (!a.out_dir.empty()) check_output_dir(a.out_dir);
  const DesignSpec d = load_design(a.design);
  const std::vector<GemmJob> jobs = load_topology_csv(a.topology);
  GemmTimingOptions o;
  o.unit = a.unit;
  o.zero_fraction = a.zero_fraction.value_or(0.0);
  o.seed = a.seed;
  o.whole = a.whole;
  const GemmTimingRun r = time_gemms(d, jobs, o);
  std::fputs(topology_table(r).c_str(), stdout);
  if (!a.out_dir.empty()) {
    OutputDir out(a.out_dir);  // all or nothing (base/atomic_output.h)
    out.write("topology.csv", topology_csv(r));
    out.write("topology.json", topology_json(r));
    out.commit();
    std::printf("wrote %s/topology.csv, topology.json\n", a.out_dir.c_str());
  }
  return 0;
}

const bool registered = register_command<TopologyArgs>([] {
  Command<TopologyArgs> c;
  c.name = "topology";
  c.order = 45;
  c.summary = "times every layer of a SCALE-Sim GEMM topology CSV on DESIGN";
  c.description =
      "Times every layer of a SCALE-Sim GEMM topology (header 'Layer, M, N, K,', then one 'name, M, N, K,' line per "
      "layer) on DESIGN: all layers back to back in one program, compiled and simulated in SystemC like a full run, "
      "each layer's loads after the previous layer, on the design reduced to the arrays that run its linear layers "
      "(or to unit NAME), its buffers and DRAM. Prints one row per layer: cycles, array cycles, utilization, SRAM "
      "and DRAM bytes, energy. A bad line is one error 'FILE:LINE: ...' and exit code 2.";
  c.declare = [](CommandLine& cl, TopologyArgs& a) {
    cl.operand("DESIGN", &a.design, "a design file (configs/designs/*.yaml)");
    cl.operand("FILE.csv", &a.topology, "a SCALE-Sim GEMM topology (Layer, M, N, K,)");
    cl.option("out,o", text(&a.out_dir, "DIR"), "also writes DIR/topology.csv and DIR/topology.json");
    cl.option("unit", text(&a.unit, "NAME"), "runs every layer on this MAC array");
    cl.option("zero-fraction", number(&a.zero_fraction, Interval{0, 1, false, true}, "P"),
              "zero fraction of the synthetic ternary weights (default 0)");
    cl.option("seed", non_negative(&a.seed, "S"), "seed of the synthetic ternary weights");
    cl.flag("whole", &a.whole,
            "each layer as one tile when the buffers hold it, as SCALE-Sim times it (default: the mapper's tiling)");
  };
  c.run = run_topology;
  return c;
}());

}  // namespace

}  // namespace lpusim
