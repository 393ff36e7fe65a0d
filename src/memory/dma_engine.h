// DMA engine: turns a tile transfer into a DRAM request and an SRAM port hold. A load reads DRAM,
// then writes the destination buffer; a store reads the buffer, then writes DRAM. The transfer
// completes when both sides are done.
#pragma once
#include <systemc>

#include <functional>
#include <map>
#include <queue>
#include <vector>

#include "memory/dram.h"
#include "memory/sram_buffer.h"
#include "observe/stats.h"

namespace lpusim {

class DmaEngine : public sc_core::sc_module, public IStatsProvider {
 public:
  DmaEngine(sc_core::sc_module_name name, Dram& dram);
  // A tile transfer is the contiguous DRAM range [addr, addr + bytes) (see compiler/dram_layout.h).
  // `cls` is the traffic class for the DRAM latency distribution.
  void load(uint64_t addr, uint64_t bytes, SramBuffer& dst, uint32_t key, DramClass cls, std::function<void()> done);
  void store(uint64_t addr, uint64_t bytes, SramBuffer& src, uint32_t key, DramClass cls, std::function<void()> done);
  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;

 private:
  void at(sc_core::sc_time t, std::function<void()> fn);
  void fire();
  uint64_t slot_offset(SramBuffer& b, bool output);
  std::map<const SramBuffer*, uint64_t> slots_;  // transfers per buffer (alternating halves)
  struct Pending {
    sc_core::sc_time t;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Pending& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  Dram& dram_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
  sc_core::sc_event_queue wake_;
  uint64_t seq_ = 0, loads_ = 0, stores_ = 0, load_bytes_ = 0, store_bytes_ = 0;
};

}  // namespace lpusim
