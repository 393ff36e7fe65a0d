// Traces of a simulation, for when a number looks wrong (options: cli/common_options.cpp):
//  - VCD (--trace-vcd FILE): SystemC sc_trace waveforms per chip of each compute unit's busy flag
//    and queue depth, the controller's DMA loads/stores in flight and ops completed, and DRAM
//    bandwidth sampled every --trace-sample-cycles cycles. Opens in GTKWave.
//  - Timeline (--trace-timeline FILE): Chrome/Perfetto trace-event JSON, one track per unit with
//    one slice per tile, DMA transfers as async slices, DRAM bandwidth as a counter.
// Both can be limited to a cycle window (--trace-window A:B) and a layer range (--trace-layers
// A:B, -1 = model-level ops) so big runs stay small. Probes only observe: a traced run reports
// exactly the same numbers as an untraced one.
#pragma once
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/program.h"

namespace lpusim {

class Chip;
struct DesignSpec;

struct TraceOptions {
  std::string vcd_file, timeline_file;
  uint64_t window_begin = 0, window_end = UINT64_MAX;  // cycles, [begin, end)
  int layer_lo = INT_MIN, layer_hi = INT_MAX;          // inclusive
  uint64_t sample_cycles = 1000;                       // DRAM bandwidth sample period
  bool enabled() const { return !vcd_file.empty() || !timeline_file.empty(); }
};

class TraceSession {
 public:
  // The session for this process's simulation, or nullptr when no tracing was requested.
  static std::unique_ptr<TraceSession> start_if_requested(const TraceOptions& o);
  explicit TraceSession(const TraceOptions& o);
  ~TraceSession();
  // During elaboration: attach probes to one chip's units, controller and DRAM.
  void attach(Chip& chip, const DesignSpec& d, const Program& p);
  // After the simulation: closes the VCD and finishes the timeline JSON.
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lpusim
