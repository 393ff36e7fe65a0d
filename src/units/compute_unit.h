// IComputeUnit: the role every compute unit plays. A unit receives tiles in order, works out their
// cost from its own closed form (cost()), holds the SRAM ports it needs, waits that many cycles
// (one SystemC wait per tile), and reports completion. Implementations supply only cost().
#pragma once
#include <systemc>

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/math.h"
#include "datapath/systolic.h"
#include "ir/program.h"
#include "observe/probe.h"
#include "observe/stats.h"
#include "spec/unit_registry.h"
#include "units/unit_context.h"

namespace lpusim {

struct TileCost {
  uint64_t cycles = 0;
  EventCounts events;         // arithmetic / register events (SRAM events are counted by the buffers)
  uint64_t w_read_bits = 0;   // weight-buffer bits streamed into the datapath
  uint64_t a_read_bits = 0;   // activation-buffer bits read (inputs, partial sums)
  uint64_t a_write_bits = 0;  // activation-buffer bits written (outputs, partial sums)
  uint64_t macs = 0;
};

class ComputeUnit : public sc_core::sc_module, public IStatsProvider {
 public:
  ComputeUnit(sc_core::sc_module_name name, const UnitSpec& spec, const UnitContext& ctx);

  const UnitSpec& spec() const { return spec_; }
  virtual TileCost cost(const Tile& t) const = 0;
  virtual double leakage_uw() const = 0;
  virtual uint64_t peak_macs_per_cycle() const { return 0; }

  // Queues a tile; `done` runs (in simulation context) when its last cycle has passed.
  void submit(const Tile* t, uint32_t key, std::function<void()> done);
  // compute_unit_stats() + the kind's UnitInfo::stats.
  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;
  void set_probe(IUnitProbe* p) { probe_ = p; }  // tracing (trace/trace.h); nullptr = off

 protected:
  const UnitSpec spec_;
  const UnitContext ctx_;

 private:
  struct Job {
    const Tile* tile;
    uint32_t key;
    std::function<void()> done;
  };
  void run();
  std::deque<Job> queue_;
  sc_core::sc_event arrived_;
  std::vector<EventCounts> events_;
  std::vector<uint64_t> busy_, macs_;
  uint64_t tiles_ = 0, busy_total_ = 0, sram_stall_cycles_ = 0;
  IUnitProbe* probe_ = nullptr;
};

// YAML names of the systolic dataflows and fold timings, for the MAC arrays' parameter tables.
inline std::vector<std::pair<std::string, Dataflow>> dataflow_values() {
  return {{"output_stationary", Dataflow::OutputStationary},
          {"weight_stationary", Dataflow::WeightStationary},
          {"input_stationary", Dataflow::InputStationary}};
}
inline std::vector<std::pair<std::string, FoldTiming>> fold_timing_values() {
  return {{"scale_sim", FoldTiming::ScaleSim}, {"pipelined", FoldTiming::Pipelined}};
}

// SRAM traffic of a systolic GEMM tile: operand streams, partial sums re-read when the tile is not
// the first along K, and outputs (or partial sums) written back.
void add_systolic_sram_traffic(const SystolicTiming& s, const Tile& t, TileCost& c);

}  // namespace lpusim
