#include "cli/common_options.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "base/config_error.h"
#include "base/parse.h"
#include "compiler/capacity.h"
#include "compiler/compiler.h"
#include "compiler/estimate.h"
#include "config/loaders.h"
#include "config/yaml_reader.h"

namespace lpusim {

const char* const kScenarioGroup = "scenario options (override the workload file's scenario)";
const char* const kTraceGroup = "trace options";

void declare_scenario_options(CommandLine& cl, ScenarioOverrides& s) {
  cl.group(kScenarioGroup);
  // The same ranges as the workload file's scenario keys (config/workload_loader.cpp).
  cl.option("batch", integer(&s.batch, 1, int64_t{1} << 20, {{"max", kBatchMax}}),
            "sequences (images) per batch; max: the largest batch whose peak memory fits the design's "
            "dram.capacity_gib (one design only)");
  cl.option("prompt-tokens", integer(&s.prompt_tokens, 1, int64_t{1} << 24), "prompt tokens per sequence (decoders)");
  cl.option("generated-tokens", integer(&s.generated_tokens, 1, int64_t{1} << 24),
            "generated tokens per sequence (decoders)");
  cl.option("max-memory", number(&s.max_memory_gib, Interval{0, Interval{}.hi, true, false}, "G"),
            "refuses, before simulating, a run whose estimated host memory exceeds G GiB")
      .default_text("3/4 of the machine's RAM");
  cl.group("");
}

namespace {

// "A:B" -> the two sides (either may be empty); false without a colon.
bool split_range(const std::string& v, std::string& a, std::string& b) {
  const auto colon = v.find(':');
  if (colon == std::string::npos) return false;
  a = v.substr(0, colon);
  b = v.substr(colon + 1);
  return true;
}

Value cycle_window(TraceOptions* t) {
  Value v;
  v.metavar = "A:B";
  v.accepts = "A:B, cycles 0 <= A < B (either side may be empty)";
  v.help_accepts = false;
  v.set = [t](const std::string& text) -> std::string {
    std::string a, b;
    int64_t lo = 0, hi = 0;
    if (!split_range(text, a, b) || (!a.empty() && (!parse_integer(a, lo) || lo < 0)) ||
        (!b.empty() && (!parse_integer(b, hi) || hi < 0)))
      return "expects A:B with non-negative cycles A and B, got '" + text + "'";
    const uint64_t begin = a.empty() ? 0 : static_cast<uint64_t>(lo);
    const uint64_t end = b.empty() ? UINT64_MAX : static_cast<uint64_t>(hi);
    if (end <= begin) return "needs A < B, got '" + text + "'";
    t->window_begin = begin;
    t->window_end = end;
    return "";
  };
  v.show = [] { return std::string(); };
  return v;
}

Value layer_range(TraceOptions* t) {
  Value v;
  v.metavar = "A:B";
  v.accepts = "A:B, layers A <= B (either side may be empty)";
  v.help_accepts = false;
  v.set = [t](const std::string& text) -> std::string {
    std::string a, b;
    int64_t lo = 0, hi = 0;
    if (!split_range(text, a, b) || (!a.empty() && (!parse_integer(a, lo) || lo < INT_MIN || lo > INT_MAX)) ||
        (!b.empty() && (!parse_integer(b, hi) || hi < INT_MIN || hi > INT_MAX)))
      return "expects A:B with integer layers A and B, got '" + text + "'";
    const int first = a.empty() ? INT_MIN : static_cast<int>(lo);
    const int last = b.empty() ? INT_MAX : static_cast<int>(hi);
    if (last < first) return "needs A <= B, got '" + text + "'";
    t->layer_lo = first;
    t->layer_hi = last;
    return "";
  };
  v.show = [] { return std::string(); };
  return v;
}

}  // namespace

void declare_trace_options(CommandLine& cl, TraceOptions& t) {
  cl.group(kTraceGroup);
  cl.option("trace-vcd", text(&t.vcd_file, "FILE"),
            "SystemC VCD waveforms (GTKWave): unit busy/queue depth, DMA in flight, ops completed, DRAM bandwidth");
  cl.option("trace-timeline", text(&t.timeline_file, "FILE"),
            "Chrome/Perfetto trace-event JSON: one slice per tile and DMA transfer");
  cl.option("trace-window", cycle_window(&t), "only cycles [A, B) (either side may be empty)");
  cl.option("trace-layers", layer_range(&t),
            "only ops of layers A..B (-1 = embedding, final norm, LM head; either side may be empty)");
  cl.option("trace-sample-cycles", positive(&t.sample_cycles), "DRAM bandwidth sample period in cycles");
  cl.group("");
}

std::vector<std::string> option_names_in_group(const CommandLine& cl, const std::string& group) {
  std::vector<std::string> out;
  for (const auto& o : cl.options()) {
    if (o.group == group) out.push_back(o.long_name);
  }
  return out;
}

namespace {

bool is_workload_key(const std::string& key) {
  const std::string top = key.substr(0, key.find('.'));
  return top == "model" || top == "scenario" || top == "source";
}

Value param_value(std::vector<ParamOverride>* out) {
  Value v;
  v.metavar = "KEY=VALUE";
  v.accepts = "[DESIGN:]KEY=VALUE with a dotted key path, e.g. units.tmac.cols=512";
  v.help_accepts = false;
  v.set = [out](const std::string& text) -> std::string {
    const auto eq = text.find('=');
    if (eq == std::string::npos) return "expects KEY=VALUE, e.g. units.tmac.cols=512, got '" + text + "'";
    ParamOverride o;
    o.text = "-p " + text;
    o.key = text.substr(0, eq);
    o.value = text.substr(eq + 1);
    const auto colon = o.key.find(':');
    if (colon != std::string::npos) {
      o.design = o.key.substr(0, colon);
      o.key = o.key.substr(colon + 1);
      if (o.design.empty()) return "expects a design name or position before ':', got '" + text + "'";
    }
    if (o.key.rfind("workload.", 0) == 0) {
      o.workload = true;
      o.key = o.key.substr(9);
    } else if (o.key.rfind("design.", 0) == 0) {
      o.key = o.key.substr(7);
    } else {
      o.workload = is_workload_key(o.key);
    }
    if (o.key.empty() || o.key.front() == '.' || o.key.back() == '.' || o.key.find("..") != std::string::npos)
      return "expects a dotted key path before '=', got '" + text + "'";
    if (o.workload && !o.design.empty())
      return "sets the workload key " + o.key + ", which belongs to no design ('" + o.design + ":')";
    out->push_back(o);
    return "";
  };
  v.show = [] { return std::string(); };
  return v;
}

KeyOverride key_override(const ParamOverride& p) { return KeyOverride{p.key, p.value, p.text}; }

}  // namespace

void declare_param_option(CommandLine& cl, std::vector<ParamOverride>& p) {
  cl.option("param,p", param_value(&p),
            "[DESIGN:]KEY=VALUE, repeatable: sets a key of the design(s) or the workload by its dotted path, "
            "checked exactly like the key in the file, e.g. -p units.tmac.cols=512 -p dram.channels=8 -p "
            "scenario.batch=4. Keys under model, scenario and source are the workload's (or prefix workload.); the "
            "rest are every design's, or only DESIGN's (its name or position, 1 = the first)")
      .repeatable();
}

std::vector<DesignSpec> load_designs_with_params(const std::vector<std::string>& files,
                                                 const std::vector<ParamOverride>& p) {
  // Names of the designs as their files give them (only when an override targets a design).
  std::vector<std::string> names(files.size());
  for (const auto& o : p) {
    if (o.workload || o.design.empty()) continue;
    if (names[0].empty()) {
      for (size_t i = 0; i < files.size(); ++i) names[i] = load_design(files[i]).name;
    }
    const bool hit = std::find(names.begin(), names.end(), o.design) != names.end() ||
                     (o.design.find_first_not_of("0123456789") == std::string::npos && o.design.size() < 6 &&
                      std::stoul(o.design) >= 1 && std::stoul(o.design) <= files.size());
    if (!hit) usage_error(o.text + ": no design named or numbered '" + o.design + "'");
  }
  std::vector<DesignSpec> out;
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<KeyOverride> mine;
    for (const auto& o : p) {
      if (o.workload) continue;
      if (o.design.empty() || o.design == names[i] || o.design == std::to_string(i + 1))
        mine.push_back(key_override(o));
    }
    out.push_back(load_design(files[i], mine));
  }
  return out;
}

WorkloadSpec load_workload_with_overrides(const std::string& path, const ScenarioOverrides& s, bool decode_step,
                                          const std::vector<ParamOverride>& p) {
  std::vector<KeyOverride> mine;
  for (const auto& o : p) {
    if (o.workload) mine.push_back(key_override(o));
  }
  WorkloadSpec w = load_workload(path, mine);
  if (w.model.encoder() && (s.prompt_tokens || s.generated_tokens || decode_step)) {
    usage_error(path + " is an encoder (one pass per image): only --batch applies");
  }
  if (s.batch) w.scenario.batch = *s.batch;
  if (s.prompt_tokens) w.scenario.prompt_tokens = *s.prompt_tokens;
  if (s.generated_tokens) w.scenario.generated_tokens = *s.generated_tokens;
  const int64_t ctx = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  if (w.model.max_positions > 0 && ctx > w.model.max_positions) {
    usage_error("--prompt-tokens + --generated-tokens - 1 = " + std::to_string(ctx) + " exceeds " + path +
                "'s learned position table (max_positions " + std::to_string(w.model.max_positions) + ")");
  }
  return w;
}

void apply_batch_max(WorkloadSpec& w, const std::vector<DesignSpec>& designs) {
  if (w.scenario.batch != kBatchMax) return;
  if (designs.size() != 1) usage_error("--batch max needs a single design (each design fits a different batch)");
  const int64_t b = max_batch_in_dram(w, designs[0]);
  if (b < 0) usage_error("--batch max needs dram.capacity_gib in " + designs[0].file);
  if (b == 0) throw ConfigError(designs[0].file + ": dram.capacity_gib: batch 1 of " + w.name + " does not fit");
  w.scenario.batch = b;
}

namespace {

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

}  // namespace

void check_work(const WorkloadSpec& w, const std::vector<DesignSpec>& designs, const ScenarioOverrides& s,
                bool decode_step) {
  const double limit = s.max_memory_gib ? *s.max_memory_gib * 1024.0 * 1024.0 * 1024.0 : default_max_memory_bytes();
  const WorkEstimate e = estimate_work(w, designs, decode_step);
  char tiles[32];
  std::snprintf(tiles, sizeof tiles, "%.3g", e.tiles);
  if (e.host_bytes > limit) {
    throw ConfigError(w.file + ": scenario: the run needs about " + gib(e.host_bytes) + " of host memory (about " +
                      tiles + " tiles) but --max-memory is " + gib(limit) + (s.max_memory_gib ? "" : " (3/4 of RAM)") +
                      "; use a smaller batch, prompt or generation, --decode-step (bench), or raise --max-memory");
  }
  if (e.seconds > 3600) {
    std::fprintf(stderr, "lpusim: warning: %s: about %s tiles, roughly %.1f hours of simulation\n", w.file.c_str(),
                 tiles, e.seconds / 3600);
  }
  for (const DesignSpec& d : designs) {
    if (d.dram.capacity_gib <= 0) continue;
    const Footprint f = footprint(w, d);
    const double cap = d.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0;
    if (static_cast<double>(f.peak()) <= cap) continue;
    std::fprintf(stderr,
                 "lpusim: warning: %s: dram.capacity_gib: %s needs %s (weights %s, KV cache %s, activations %s), "
                 "more than the design's %s; simulated anyway (report.json: footprint.fits_in_dram false)\n",
                 d.file.c_str(), w.name.c_str(), gib(static_cast<double>(f.peak())).c_str(),
                 gib(static_cast<double>(f.weights)).c_str(), gib(static_cast<double>(f.kv_cache)).c_str(),
                 gib(static_cast<double>(f.peak_activations)).c_str(), gib(cap).c_str());
  }
  std::fflush(stderr);
}

}  // namespace lpusim
