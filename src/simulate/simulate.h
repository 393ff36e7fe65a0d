// Runs one or more designs on a workload in a single SystemC elaboration (one chip per design;
// they share no resources) and gathers every module's statistics by walking the object tree.
#pragma once
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "ir/program.h"
#include "observe/stats.h"
#include "spec/design.h"
#include "spec/workload.h"
#include "trace/trace.h"

namespace lpusim {

struct DesignRun {
  DesignSpec design;
  Program program;
  Footprint footprint;
  std::vector<ModuleStats> modules;  // in SystemC object-tree order
  uint64_t total_cycles = 0;
  uint64_t prefill_cycles = 0;
  std::vector<uint64_t> key_cycles;  // critical-path cycles per statistics key
};

struct SimulationRun {
  WorkloadSpec workload;
  std::vector<DesignRun> designs;
  double wall_seconds = 0;                  // host time of the simulation proper (not reported in JSON)
  uint64_t delta_cycles = 0;                // SystemC delta cycles
  uint64_t tiles = 0;                       // tile operations simulated (one SystemC wait each)
  std::string weight_source;                // IWeightSource::describe() of the zero patterns used
  std::vector<double> layer_zero_fraction;  // per layer, when the weights are real (checkpoint)
};

// Compiles and simulates; ConfigError on any bad fit. Call at most once per process (SystemC).
// `trace`: what to trace (the CLI's --trace-* options); default: nothing.
// `isolate_ops`: no op's loads start before the previous op has completed, so each op's critical-path
// cycles are its own latency (loads, compute, stores) instead of what it adds to a run in which the
// next op's loads overlap the previous op's tail (`lpusim topology`: one row per layer).
SimulationRun simulate(const WorkloadSpec& w, const std::vector<DesignSpec>& designs, bool single_decode_step = false,
                       const TraceOptions& trace = {}, bool isolate_ops = false);

}  // namespace lpusim
