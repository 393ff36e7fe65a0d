// Controller: runs a compiled program on the chip. Policy, in program order:
//  - double buffering: the loads of tile i start once tile i-w has finished computing, with w the
//    op's window (2 tile slots per buffer, times the arrays an op is split across), so weight
//    streaming overlaps compute, also across op boundaries;
//  - loads of data made by earlier ops (spilled activations, the KV cache) wait until every
//    earlier op has completed, stores included;
//  - a tile computes when its loads are in and every tile of the previous op has computed;
//  - an op completes when its tiles have computed and stored and the previous op has completed.
// Per statistics key it records the critical-path cycles end(op) - end(previous op), which add up
// to the total simulated time.
#pragma once
#include <systemc>

#include <vector>

#include "ir/program.h"
#include "memory/dma_engine.h"
#include "observe/probe.h"
#include "observe/stats.h"
#include "units/compute_unit.h"

namespace lpusim {

class Controller : public sc_core::sc_module, public IStatsProvider {
 public:
  Controller(sc_core::sc_module_name name, const Program& prog, std::vector<ComputeUnit*> units, DmaEngine& dma,
             SramBuffer& wbuf, SramBuffer& abuf, sc_core::sc_time clock);

  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;
  bool finished() const { return finished_; }
  uint64_t total_cycles() const { return total_cycles_; }
  uint64_t prefill_cycles() const { return prefill_cycles_; }
  const std::vector<uint64_t>& op_end_cycles() const { return op_end_; }
  void set_probe(IControllerProbe* p) { probe_ = p; }  // tracing (trace/trace.h); nullptr = off

 private:
  void run();
  void on_loaded(uint32_t t, DmaKind k);
  void on_computed(uint32_t t);
  void on_stored(uint32_t t);
  uint64_t now_cycles() const;

  const Program& prog_;
  std::vector<ComputeUnit*> units_;
  DmaEngine& dma_;
  SramBuffer& wbuf_;
  SramBuffer& abuf_;
  sc_core::sc_time clock_;
  sc_core::sc_event wake_;

  std::vector<uint8_t> loads_left_, computed_, stores_left_;
  std::vector<uint32_t> op_tiles_computed_, op_tiles_done_;
  std::vector<uint64_t> op_end_;
  std::vector<uint64_t> key_cycles_, key_instances_;
  uint32_t ops_completed_ = 0;
  bool finished_ = false;
  uint64_t total_cycles_ = 0, prefill_cycles_ = 0;
  IControllerProbe* probe_ = nullptr;
};

}  // namespace lpusim
