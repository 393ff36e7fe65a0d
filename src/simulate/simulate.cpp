#include "simulate/simulate.h"

#include <chrono>
#include <functional>

#include "chip/chip.h"
#include "trace/trace.h"
#include "workload/weight_source.h"

namespace lpusim {

namespace {
void walk(sc_core::sc_object* obj, std::vector<ModuleStats>& out) {
  // A module that emits a statistic it did not declare, or leaves one out, is an error (StatsError).
  if (auto* p = dynamic_cast<IStatsProvider*>(obj)) out.push_back(collect_checked(*p, obj->name()));
  for (sc_core::sc_object* child : obj->get_child_objects()) walk(child, out);
}
}  // namespace

SimulationRun simulate(const WorkloadSpec& w, const std::vector<DesignSpec>& designs, bool single_decode_step,
                       const TraceOptions& trace_options, bool isolate_ops) {
  SimulationRun run;
  run.workload = w;
  // One weight source for every design: a checkpoint is mapped and validated once.
  std::unique_ptr<IWeightSource> weights = make_weight_source(w);
  run.weight_source = weights->describe();
  run.layer_zero_fraction = weights->layer_zero_fractions();
  for (const DesignSpec& d : designs) {
    DesignRun dr;
    dr.design = d;
    dr.program = compile(w, d, single_decode_step, weights.get());
    if (isolate_ops) {
      for (Tile& t : dr.program.tiles) t.load_depends_on_prev_op = true;
    }
    run.tiles += dr.program.tiles.size();
    dr.footprint = footprint(w, d, weights.get());
    run.designs.push_back(std::move(dr));
  }
  std::vector<std::unique_ptr<Chip>> chips;
  std::unique_ptr<TraceSession> trace = TraceSession::start_if_requested(trace_options);
  for (size_t i = 0; i < run.designs.size(); ++i) {
    // Chip instance names must be unique: design name, suffixed when two designs share it.
    std::string name = run.designs[i].design.name;
    for (size_t j = 0; j < i; ++j) {
      if (run.designs[j].design.name == run.designs[i].design.name) name += "_" + std::to_string(i);
    }
    chips.push_back(std::make_unique<Chip>(name.c_str(), run.designs[i].design, run.designs[i].program));
    if (trace) trace->attach(*chips.back(), run.designs[i].design, run.designs[i].program);
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const auto t1 = std::chrono::steady_clock::now();
  run.wall_seconds = std::chrono::duration<double>(t1 - t0).count();
  run.delta_cycles = sc_core::sc_delta_count();
  if (trace) trace->finish();

  for (size_t i = 0; i < chips.size(); ++i) {
    DesignRun& dr = run.designs[i];
    const Controller& c = chips[i]->controller();
    if (!c.finished())
      throw std::logic_error("simulation of " + dr.design.name + " stopped before its program finished");
    dr.total_cycles = c.total_cycles();
    dr.prefill_cycles = c.prefill_cycles();
    walk(chips[i].get(), dr.modules);
    for (const auto& m : dr.modules) {
      if (m.kind == "controller") dr.key_cycles = m.busy_per_key;
    }
  }
  return run;
}

}  // namespace lpusim
