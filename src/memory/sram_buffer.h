// On-chip SRAM buffer: `banks` banks, word-interleaved (word w = width_bits at buffer word address w
// lives in bank w mod banks), each bank with `ports` ports that move one word per cycle.
// An access of the contiguous word range [w0, w0 + W) needs, in every bank it touches, one port for
// as many cycles as it has words there (W / banks, +1 for the first W mod banks banks from w0); it
// starts when every such bank has a free port and ends when its busiest bank is done, so an access
// that spans all banks takes ceil(W / banks) cycles. Two accesses (units, or a DMA fill and a unit
// read) that need more ports of one bank than it has at the same time conflict: one waits.
// Energy: bits read/written x the tech table's per-bit energy for the buffer's size class.
#pragma once
#include <systemc>

#include <vector>

#include "observe/stats.h"
#include "spec/design.h"

namespace lpusim {

class SramBuffer : public sc_core::sc_module, public IStatsProvider {
 public:
  SramBuffer(sc_core::sc_module_name name, const BufferSpec& spec, const TechTable& tech, sc_core::sc_time clock,
             size_t num_keys);

  // Reserves the bank ports for `bits` starting at byte offset `addr` in the buffer (wrapping at
  // its size); returns the time the access completes.
  sc_core::sc_time reserve(uint64_t bits, bool write, uint32_t key, uint64_t addr = 0);
  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;
  const BufferSpec& spec() const { return spec_; }
  uint64_t bank_conflicts() const { return conflicts_; }
  uint64_t conflict_wait_cycles() const { return port_wait_cycles_; }

 private:
  const BufferSpec spec_;
  const TechTable& tech_;
  sc_core::sc_time clock_;
  std::vector<sc_core::sc_time> port_free_;  // [bank * ports + port]
  std::vector<EventCounts> events_;
  std::vector<size_t> pick_;  // scratch: the port chosen in each touched bank
  uint64_t accesses_ = 0, port_wait_cycles_ = 0, busy_port_cycles_ = 0, conflicts_ = 0;
};

}  // namespace lpusim
