// `lpusim run` (timing, or --functional), `lpusim compare` and `lpusim bench`.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "cli/command.h"
#include "cli/common_options.h"
#include "config/loaders.h"
#include "functional/functional_model.h"
#include "report/report.h"
#include "simulate/simulate.h"
#include "spec/iso.h"

namespace lpusim {

namespace {

const char* kFunctionalGroup = "functional mode (--functional)";

struct SimArgs {
  std::vector<std::string> designs;  // run: 1, compare: 2 or more, bench: 1 or more
  std::vector<std::string> others;   // compare: the designs after the first
  std::string workload, out_dir, iso;
  bool decode_step = false;
  ScenarioOverrides scenario;
  std::vector<ParamOverride> params;  // -p KEY=VALUE
  TraceOptions trace;
  // run --functional
  bool functional = false;
  std::string tokens_file;
  FunctionalOptions fn;
};

void declare_out(CommandLine& cl, SimArgs& a) {
  cl.option("out,o", text(&a.out_dir, "DIR"),
            "writes report.json, ops.csv, layers.csv, dram.csv, summary.md and the resolved design(s) and "
            "workload into DIR (created)");
}

// Every output path is checked before anything is simulated (base/atomic_output.h).
void check_outputs(const SimArgs& a) {
  if (!a.out_dir.empty()) check_output_dir(a.out_dir);
  if (!a.trace.vcd_file.empty()) check_output_file(a.trace.vcd_file, "--trace-vcd");
  if (!a.trace.timeline_file.empty()) check_output_file(a.trace.timeline_file, "--trace-timeline");
}

int simulate_and_report(const SimArgs& a) {
  check_outputs(a);
  std::vector<std::string> files = a.designs;
  files.insert(files.end(), a.others.begin(), a.others.end());
  std::vector<DesignSpec> designs = load_designs_with_params(files, a.params);
  WorkloadSpec w = load_workload_with_overrides(a.workload, a.scenario, false, a.params);
  std::vector<std::string> iso_notes(designs.size());
  if (!a.iso.empty()) {
    for (size_t i = 1; i < designs.size(); ++i) {
      IsoResult iso = hold_iso(designs[0], designs[i], a.iso);
      designs[i] = iso.design;
      iso_notes[i] = iso.note;
    }
  }
  apply_batch_max(w, designs);
  check_work(w, designs, a.scenario);
  SimulationRun run = simulate(w, designs, false, a.trace);
  std::vector<DesignReport> reports;
  for (const auto& d : run.designs) reports.push_back(build_report(run, d));
  for (size_t i = 0; i < reports.size(); ++i) reports[i].iso_note = iso_notes[i];
  if (!a.out_dir.empty()) write_outputs(a.out_dir, w, reports);
  std::cout << console_table(w, reports);
  for (size_t i = 0; i < reports.size(); ++i) {
    if (!iso_notes[i].empty()) std::cout << "budget [" << reports[i].name << "] " << iso_notes[i] << "\n";
  }
  if (!a.out_dir.empty())
    std::cout << "wrote " << a.out_dir << "/report.json, ops.csv, layers.csv, dram.csv, summary.md\n";
  return 0;
}

// The token ids of --tokens-file: separated by commas and/or whitespace.
std::vector<int64_t> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the token file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string joined;  // every run of separators becomes one comma
  for (char c : ss.str()) {
    const bool sep = c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!sep) {
      joined += c;
    } else if (!joined.empty() && joined.back() != ',') {
      joined += ',';
    }
  }
  if (!joined.empty() && joined.back() == ',') joined.pop_back();
  std::vector<int64_t> ids;
  const std::string err = integer_list(&ids).set(joined);
  if (!err.empty()) throw ConfigError(path + ": token ids " + err.substr(err.find("expects")));
  return ids;
}

int run_functional_mode(const SimArgs& a, const CommandLine& cl) {
  if (!cl.given("tokens") && !cl.given("tokens-file")) cl.usage("--functional needs --tokens or --tokens-file");
  check_outputs(a);
  FunctionalOptions o = a.fn;
  if (!a.tokens_file.empty()) o.tokens = read_token_file(a.tokens_file);
  const DesignSpec d = load_designs_with_params({a.designs[0]}, a.params)[0];
  const WorkloadSpec w = load_workload_with_overrides(a.workload, {}, false, a.params);
  const FunctionalResult r = run_functional(w, d, o);
  std::cout << functional_table(r);
  if (!a.out_dir.empty()) {
    write_functional_outputs(a.out_dir, r);
    std::cout << "wrote " << a.out_dir << "/functional.csv, functional.json\n";
  }
  return 0;
}

const bool run_registered = register_command<SimArgs>([] {
  Command<SimArgs> c;
  c.name = "run";
  c.order = 10;
  c.summary = "simulates WORKLOAD on DESIGN: latency, throughput, energy, memory (--functional: datapath accuracy)";
  c.description =
      "Simulates WORKLOAD (prefill, then one decode step per generated token after the first) on DESIGN and "
      "prints latency, memory and energy, per op, layer and unit with -o.\n"
      "\n"
      "With --functional, runs the decoder WORKLOAD on the given token ids (prefill) through DESIGN's functional "
      "datapath (ternary arrays, FP16 arrays) and through an FP32 reference instead, and prints per layer the "
      "cosine similarity, relative L2 error and max abs error of the hidden states, then the logits' top-1 match "
      "rate and mean KL(reference || datapath); no timing simulation. With -o it writes functional.csv and "
      "functional.json.";
  c.declare = [](CommandLine& cl, SimArgs& a) {
    a.designs.resize(1);
    cl.operand("DESIGN", &a.designs[0], "a design file (configs/designs/*.yaml)");
    cl.operand("WORKLOAD", &a.workload, "a workload file (workloads/*.yaml)");
    cl.usage_form("run DESIGN WORKLOAD --functional (--tokens IDS | --tokens-file FILE) [options]");
    declare_out(cl, a);
    declare_param_option(cl, a.params);
    declare_scenario_options(cl, a.scenario);
    declare_trace_options(cl, a.trace);
    cl.group(kFunctionalGroup);
    cl.flag("functional", &a.functional, "functional datapath vs FP32 reference instead of the timing simulation");
    cl.option("tokens", integer_list(&a.fn.tokens, kNoMin, kNoMax, {}, "IDS"), "the prompt's token ids, e.g. 1,2,3")
        .needs("functional")
        .conflicts("tokens-file");
    cl.option("tokens-file", text(&a.tokens_file, "FILE"), "the prompt's token ids, separated by commas or whitespace")
        .needs("functional");
    cl.option("generate", non_negative(&a.fn.generate),
              "greedy decode steps after the prompt (the reference's argmax is fed to both paths; each step reruns "
              "the whole sequence: no KV cache), reported with the datapath's own choices")
        .needs("functional");
    cl.option("reference", choice(&a.fn.reference, {"ternary_fp32", "fp32"}),
              "ternary_fp32: ternary layers use the ternary weights x gamma in FP32; fp32: the full-precision "
              "weights before ternarisation")
        .needs("functional");
    cl.option("max-gib", number(&a.fn.max_gib, Interval{0, Interval{}.hi, true, false}, "G"),
              "refuse models whose estimated footprint exceeds G GiB")
        .needs("functional");
    // The timing simulation's options do not apply to the functional mode.
    for (const auto& g : {kScenarioGroup, kTraceGroup}) {
      for (const auto& n : option_names_in_group(cl, g)) cl.refine(n).conflicts("functional");
    }
  };
  c.run = [](const SimArgs& a, const CommandLine& cl) {
    if (a.functional) return run_functional_mode(a, cl);
    return simulate_and_report(a);
  };
  return c;
}());

const bool compare_registered = register_command<SimArgs>([] {
  Command<SimArgs> c;
  c.name = "compare";
  c.order = 20;
  c.summary = "simulates WORKLOAD on two or more designs, side by side with the first design's advantage";
  c.description =
      "Simulates WORKLOAD on every design in one SystemC run and prints them side by side, with one column per "
      "design after the first: \"A vs B\", how many times better A (the first design) is than B on that line, "
      "whichever way the line improves (> 1: A is better; compare lpu.yaml fp16.yaml ... gives 'lpu vs fp16'). "
      "With -o, writes the same files as run, holding every design; report.json keeps the raw ratios B / A.";
  c.declare = [](CommandLine& cl, SimArgs& a) {
    a.designs.resize(1);
    cl.operand("DESIGN_A", &a.designs[0], "the reference design (configs/designs/*.yaml)");
    cl.operands("DESIGN_B", &a.others, 1, "the designs compared with it");
    cl.operand("WORKLOAD", &a.workload, "a workload file (workloads/*.yaml)");
    declare_out(cl, a);
    cl.option("iso", choice(&a.iso, {"area", "peak-ops"}),
              "area: resizes each other design's linear-layer MAC arrays (rows and columns by one factor) to the "
              "largest that keeps its silicon area within A's; peak-ops: so that its peak linear-layer MACs/cycle "
              "reach A's. The report says what was resized and by how much; buffers and DRAM stay as they are");
    declare_param_option(cl, a.params);
    declare_scenario_options(cl, a.scenario);
    declare_trace_options(cl, a.trace);
  };
  c.run = [](const SimArgs& a, const CommandLine&) { return simulate_and_report(a); };
  return c;
}());

const bool bench_registered = register_command<SimArgs>([] {
  Command<SimArgs> c;
  c.name = "bench";
  c.order = 30;
  c.summary = "measures the simulator itself: wall time, simulated cycles/s, tiles/s";
  c.description =
      "Measures the simulator itself: host wall time, simulated cycles, tiles and SystemC delta cycles per "
      "second, e.g.\n"
      "  lpusim bench workloads/bitnet_b158_70b.yaml configs/designs/lpu.yaml configs/designs/fp16.yaml "
      "--decode-step";
  c.declare = [](CommandLine& cl, SimArgs& a) {
    cl.operand("WORKLOAD", &a.workload, "a workload file (workloads/*.yaml)");
    cl.operands("DESIGN", &a.designs, 1, "design files (configs/designs/*.yaml)");
    cl.flag("decode-step", &a.decode_step,
            "simulates one decode step at context prompt_tokens + 1 (no prefill), the figure of merit for large "
            "models");
    declare_param_option(cl, a.params);
    declare_scenario_options(cl, a.scenario);
  };
  c.run = [](const SimArgs& a, const CommandLine&) {
    WorkloadSpec w = load_workload_with_overrides(a.workload, a.scenario, a.decode_step, a.params);
    std::vector<DesignSpec> designs = load_designs_with_params(a.designs, a.params);
    apply_batch_max(w, designs);
    check_work(w, designs, a.scenario, a.decode_step);
    const auto t0 = std::chrono::steady_clock::now();
    SimulationRun run = simulate(w, designs, a.decode_step);
    const auto t1 = std::chrono::steady_clock::now();
    const double total = std::chrono::duration<double>(t1 - t0).count();
    std::printf("bench %s (%s)\n", w.name.c_str(), a.decode_step ? "one decode step" : "full scenario");
    if (a.scenario.batch == kBatchMax) {
      std::printf("  batch max -> %lld (largest that fits dram.capacity_gib)\n",
                  static_cast<long long>(w.scenario.batch));
    }
    uint64_t cycles = 0;
    for (const auto& d : run.designs) {
      std::printf("  %-12s simulated cycles %llu, tiles %zu\n", d.design.name.c_str(),
                  static_cast<unsigned long long>(d.total_cycles), d.program.tiles.size());
      cycles += d.total_cycles;
    }
    std::printf("  wall time: %.3f s total (compile + simulate), %.3f s in SystemC\n", total, run.wall_seconds);
    std::printf("  tiles/s: %.0f   SystemC delta cycles: %llu (%.0f /s)   simulated cycles/s: %.3g\n",
                run.tiles / run.wall_seconds, static_cast<unsigned long long>(run.delta_cycles),
                run.delta_cycles / run.wall_seconds, cycles / run.wall_seconds);
    return 0;
  };
  return c;
}());

}  // namespace

}  // namespace lpusim
