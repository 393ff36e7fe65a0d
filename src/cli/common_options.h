// Option groups that several commands share: the scenario overrides (run, compare, bench) and the
// trace options (run, compare), declared once here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.h"
#include "spec/design.h"
#include "spec/workload.h"
#include "trace/trace.h"

namespace lpusim {

constexpr int64_t kBatchMax = -1;  // `--batch max`

// --batch, --prompt-tokens, --generated-tokens: empty when not given.
struct ScenarioOverrides {
  std::optional<int64_t> batch, prompt_tokens, generated_tokens;
  std::optional<double> max_memory_gib;  // --max-memory (default: compiler/estimate.h)
};

// Declares the scenario group; --batch also accepts `max`.
void declare_scenario_options(CommandLine& cl, ScenarioOverrides& s);
// Declares the trace group (--trace-vcd, --trace-timeline, --trace-window, --trace-layers,
// --trace-sample-cycles) bound to `t`.
void declare_trace_options(CommandLine& cl, TraceOptions& t);
// The long names of an option group's options, e.g. to mark them as conflicting with a mode.
std::vector<std::string> option_names_in_group(const CommandLine& cl, const std::string& group);

extern const char* const kScenarioGroup;
extern const char* const kTraceGroup;

// `-p [DESIGN:]KEY=VALUE`, repeatable: a design or workload key set by its dotted path, checked exactly like
// the key in the file. Keys under model, scenario and source (or any key after `workload.`) are the
// workload's; the rest (or any after `design.`) are every design's, or with DESIGN (a design's name or
// its position, 1 = the first) that design's only.
struct ParamOverride {
  std::string design;  // "" = every design
  bool workload = false;
  std::string key, value, text;
};
void declare_param_option(CommandLine& cl, std::vector<ParamOverride>& p);
// Loads the designs with their -p overrides (usage error: a DESIGN that names none of them).
std::vector<DesignSpec> load_designs_with_params(const std::vector<std::string>& files,
                                                 const std::vector<ParamOverride>& p);

// Loads the workload and applies the -p overrides, then the scenario options (an encoder takes only --batch).
WorkloadSpec load_workload_with_overrides(const std::string& path, const ScenarioOverrides& s, bool decode_step = false,
                                          const std::vector<ParamOverride>& p = {});
// `--batch max`: the largest batch whose peak memory fits the (single) design's DRAM capacity.
void apply_batch_max(WorkloadSpec& w, const std::vector<DesignSpec>& designs);

// Before simulating (compiler/estimate.h): refuses a run whose estimated host memory exceeds
// --max-memory (ConfigError with the estimate and the limit), warns on stderr above an hour of
// estimated wall time, and warns for every design whose DRAM capacity the model does not fit.
void check_work(const WorkloadSpec& w, const std::vector<DesignSpec>& designs, const ScenarioOverrides& s,
                bool decode_step = false);

}  // namespace lpusim
