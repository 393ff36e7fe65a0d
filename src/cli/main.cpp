// lpusim command line. Exit codes: 0 ok, 2 bad input or usage, 1 internal error.
#include <systemc>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/config_error.h"
#include "base/parse.h"
#include "base/version.h"
#include "cli/attention_command.h"
#include "cli/dram_trace_command.h"
#include "cli/gemm_command.h"
#include "cli/sweep_command.h"
#include "compiler/capacity.h"
#include "config/loaders.h"
#include "functional/functional_model.h"
#include "report/report.h"
#include "simulate/simulate.h"
#include "spec/iso.h"
#include "spec/unit_registry.h"
#include "trace/trace.h"
#include "workload/hf_import.h"

using namespace lpusim;

namespace {

const char* kTopHelp =
    "lpusim: cycle-level SystemC simulator of a low-precision processing unit (LPU) vs an FP16 design\n"
    "\n"
    "usage:\n"
    "  lpusim run DESIGN WORKLOAD [-o DIR] [scenario options]\n"
    "  lpusim run DESIGN WORKLOAD --functional --tokens 1,2,3 [--reference ternary_fp32|fp32] [-o DIR]\n"
    "  lpusim compare DESIGN_A DESIGN_B WORKLOAD [-o DIR] [--iso area|peak-ops] [scenario options]\n"
    "  lpusim bench WORKLOAD DESIGN... [--decode-step] [scenario options]\n"
    "  lpusim dram-trace DESIGN TRACE [--outstanding W] [-o DIR]\n"
    "  lpusim gemm DESIGN --unit NAME --m M --k K --n N [--seed S] [--case C] [--zero-fraction P]\n"
    "  lpusim import-hf CONFIG_JSON [-o WORKLOAD_YAML] [--name NAME] [--precision ternary|fp16]\n"
    "                   [--checkpoint MODEL_SAFETENSORS]\n"
    "  lpusim sweep SWEEP.yaml -o DIR [-j N] [--shard I/N]\n"
    "  lpusim sweep-merge DIR... -o OUT\n"
    "  lpusim report DIR\n"
    "  lpusim attention-accuracy DESIGN WORKLOAD [--T 1,2,4] [--lane-bits 64,256,512] [--seq N] [--seed S] [-o DIR]\n"
    "  lpusim --list | --version | --help | COMMAND --help\n"
    "\n"
    "DESIGN is a configs/designs/*.yaml file, WORKLOAD a workloads/*.yaml file.\n";

const char* kRunHelp =
    "usage: lpusim run DESIGN WORKLOAD [-o DIR] [--batch N] [--prompt-tokens N] [--generated-tokens N]\n"
    "\n"
    "Simulates WORKLOAD (prefill, then one decode step per generated token after the first) on\n"
    "DESIGN and prints latency, memory and energy. With -o, writes report.json, ops.csv, layers.csv,\n"
    "summary.md and the fully resolved design and workload into DIR.\n"
    "Scenario options override the workload file's scenario. --batch max runs the largest batch\n"
    "whose peak memory fits the design's dram.capacity_gib.\n";

const char* kCompareHelp =
    "usage: lpusim compare DESIGN_A DESIGN_B WORKLOAD [-o DIR] [--iso area|peak-ops] [--batch N]\n"
    "                      [--prompt-tokens N] [--generated-tokens N]\n"
    "\n"
    "Simulates WORKLOAD on both designs and prints them side by side with B/A ratios\n"
    "(compare lpu.yaml fp16.yaml ... gives FP16 / LPU). With -o, writes the same files as run,\n"
    "holding both designs.\n"
    "--iso area      resizes B's linear-layer MAC arrays (rows and columns by one factor) to the\n"
    "                largest that keeps B's silicon area within A's\n"
    "--iso peak-ops  resizes them so B's peak linear-layer MACs/cycle reach A's\n"
    "The report says what was resized and by how much; buffers and DRAM stay as they are.\n";

const char* kBenchHelp =
    "usage: lpusim bench WORKLOAD DESIGN... [--decode-step] [--batch N] [--prompt-tokens N]\n"
    "                    [--generated-tokens N]\n"
    "\n"
    "Measures the simulator itself: host wall time, simulated cycles, tiles and SystemC delta\n"
    "cycles per second. --decode-step simulates one decode step at context prompt_tokens + 1\n"
    "(no prefill), the figure of merit for large models, e.g.\n"
    "  lpusim bench workloads/bitnet_b158_70b.yaml configs/designs/lpu.yaml configs/designs/fp16.yaml --decode-step\n";

struct Args {
  std::vector<std::string> positional;
  std::string out_dir;
  bool help = false;
  bool decode_step = false;
  std::string iso;  // compare: "area" | "peak-ops"
  std::map<std::string, int64_t> scenario;
  TraceOptions trace;  // --trace-* (run, compare)
};

constexpr int64_t kBatchMax = -1;  // `--batch max`

Args parse(const std::vector<std::string>& a, bool allow_decode_step, bool allow_trace = false,
           bool allow_iso = false) {
  Args r;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string& s = a[i];
    auto value = [&] { return option_value(a, i); };
    if (s == "-h" || s == "--help") {
      r.help = true;
    } else if (s == "-o" || s == "--out") {
      r.out_dir = value();
    } else if (s == "--iso" && allow_iso) {
      r.iso = value();
      if (r.iso != "area" && r.iso != "peak-ops")
        usage_error("--iso expects 'area' or 'peak-ops', got '" + r.iso + "'");
    } else if (allow_trace && is_trace_option(s)) {
      parse_trace_option(s, value(), r.trace);
    } else if (s == "--decode-step" && allow_decode_step) {
      r.decode_step = true;
    } else if (s == "--batch" || s == "--prompt-tokens" || s == "--generated-tokens") {
      std::string v = value();
      if (s == "--batch" && v == "max") {  // the largest batch that fits the design's DRAM (run only)
        r.scenario[s] = kBatchMax;
        continue;
      }
      r.scenario[s] = parse_positive_int(s, v);
    } else if (!s.empty() && s[0] == '-') {
      usage_error("unknown option '" + s + "'");
    } else {
      r.positional.push_back(s);
    }
  }
  return r;
}

WorkloadSpec load_workload_with_overrides(const std::string& path, const Args& a) {
  WorkloadSpec w = load_workload(path);
  if (w.model.encoder() &&
      (a.scenario.count("--prompt-tokens") || a.scenario.count("--generated-tokens") || a.decode_step)) {
    usage_error(path + " is an encoder (one pass per image): only --batch applies");
  }
  for (const auto& kv : a.scenario) {
    if (kv.first == "--batch") w.scenario.batch = kv.second;
    if (kv.first == "--prompt-tokens") w.scenario.prompt_tokens = kv.second;
    if (kv.first == "--generated-tokens") w.scenario.generated_tokens = kv.second;
  }
  return w;
}

// `--batch max`: the largest batch whose peak memory fits the (single) design's DRAM capacity.
void apply_batch_max(WorkloadSpec& w, const std::vector<DesignSpec>& designs) {
  if (w.scenario.batch != kBatchMax) return;
  if (designs.size() != 1) usage_error("--batch max needs a single design (each design fits a different batch)");
  const int64_t b = max_batch_in_dram(w, designs[0]);
  if (b < 0) usage_error("--batch max needs dram.capacity_gib in " + designs[0].file);
  if (b == 0) throw ConfigError(designs[0].file + ": dram.capacity_gib: batch 1 of " + w.name + " does not fit");
  w.scenario.batch = b;
}

int cmd_simulate(const Args& a, size_t n_designs) {
  if (a.positional.size() != n_designs + 1) {
    usage_error("expected " + std::to_string(n_designs) + " design file(s) and one workload file");
  }
  std::vector<DesignSpec> designs;
  for (size_t i = 0; i < n_designs; ++i) designs.push_back(load_design(a.positional[i]));
  WorkloadSpec w = load_workload_with_overrides(a.positional[n_designs], a);
  std::string iso_note;
  if (!a.iso.empty()) {
    IsoResult iso = hold_iso(designs[0], designs[1], a.iso);
    designs[1] = iso.design;
    iso_note = iso.note;
  }
  apply_batch_max(w, designs);
  SimulationRun run = simulate(w, designs, false, a.trace);
  std::vector<DesignReport> reports;
  for (const auto& d : run.designs) reports.push_back(build_report(run, d));
  if (!iso_note.empty()) reports[1].iso_note = iso_note;
  if (!a.out_dir.empty()) write_outputs(a.out_dir, w, reports);
  std::cout << console_table(w, reports);
  if (!iso_note.empty()) std::cout << "budget [" << reports[1].name << "] " << iso_note << "\n";
  if (!a.out_dir.empty())
    std::cout << "wrote " << a.out_dir << "/report.json, ops.csv, layers.csv, dram.csv, summary.md\n";
  return 0;
}

int cmd_bench(const Args& a) {
  if (a.positional.size() < 2) usage_error("bench expects a workload file and at least one design file");
  WorkloadSpec w = load_workload_with_overrides(a.positional[0], a);
  std::vector<DesignSpec> designs;
  for (size_t i = 1; i < a.positional.size(); ++i) designs.push_back(load_design(a.positional[i]));
  apply_batch_max(w, designs);
  const auto t0 = std::chrono::steady_clock::now();
  SimulationRun run = simulate(w, designs, a.decode_step);
  const auto t1 = std::chrono::steady_clock::now();
  const double total = std::chrono::duration<double>(t1 - t0).count();
  std::printf("bench %s (%s)\n", w.name.c_str(), a.decode_step ? "one decode step" : "full scenario");
  if (a.scenario.count("--batch") && a.scenario.at("--batch") == kBatchMax) {
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
}

int cmd_list() {
  std::cout << "compute units (units.<name>.impl):\n";
  for (const UnitInfo* u : UnitRegistry::instance().all()) {
    std::cout << "  " << u->impl << ": " << u->doc << "\n    capabilities:";
    for (Capability c : u->caps) std::cout << " " << capability_name(c);
    std::cout << "\n    parameters:\n";
    for (const auto& p : u->params) {
      std::cout << "      " << p.key << ": " << p.doc;
      if (!p.choices.empty()) {
        std::cout << " {";
        for (size_t i = 0; i < p.choices.size(); ++i) std::cout << (i ? ", " : "") << p.choices[i];
        std::cout << "}";
      }
      if (!p.default_value.empty()) std::cout << " (default: " << p.default_value << ")";
      std::cout << "\n";
    }
    std::cout << "    statistics:\n";
    for (const auto& s : u->stats) std::cout << "      " << s << "\n";
  }
  std::cout << "memories: sram_buffer (buffers.weight, buffers.activation), dram (dram.preset: lpddr5 | lpddr5x | hbm3 "
               "| ddr5, configs/dram/)\n";
  return 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kTopHelp;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "lpusim " << kLpusimVersion << "\n";
      return 0;
    }
    if (args[0] == "--list") return cmd_list();
    const std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "gemm") return cmd_gemm(rest);
    if (cmd == "dram-trace") return cmd_dram_trace(rest);
    if (cmd == "import-hf") return run_import_hf(rest);
    if (cmd == "run" && std::find(rest.begin(), rest.end(), "--functional") != rest.end()) {
      if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) return std::cout << kFunctionalHelp, 0;
      return run_functional_command(rest);
    }
    if (cmd == "run" || cmd == "compare" || cmd == "bench") {
      Args a = parse(rest, cmd == "bench", cmd != "bench", cmd == "compare");
      if (a.help) {
        std::cout << (cmd == "run" ? kRunHelp : cmd == "compare" ? kCompareHelp : kBenchHelp);
        if (cmd == "run") std::cout << "\n" << kFunctionalHelp;
        if (cmd != "bench") std::cout << "\n" << kTraceOptionsHelp;
        return 0;
      }
      if (cmd == "bench") return cmd_bench(a);
      return cmd_simulate(a, cmd == "run" ? 1 : 2);
    }
    if (cmd == "sweep") return cmd_sweep(rest);
    if (cmd == "sweep-merge") return cmd_sweep_merge(rest);
    if (cmd == "report") return cmd_report(rest);
    if (cmd == "attention-accuracy") return run_attention_accuracy(rest);
    usage_error("unknown command '" + cmd + "'");
  } catch (const ConfigError& e) {
    std::cerr << "lpusim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lpusim: internal error: " << e.what() << "\n";
    return 1;
  }
}

// The SystemC banner would break byte-identical stdout; it is printed when the kernel starts,
// so switch it off before any SystemC object exists.
namespace {
const bool kQuietBanner = [] { return setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0; }();
}
