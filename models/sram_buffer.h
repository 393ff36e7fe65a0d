// On-chip SRAM buffer: `ports` independent ports, each moving banks x width_bits per cycle (an
// access is striped across banks). Every access holds the earliest free port for
// ceil(bits / (banks x width)) cycles, so DMA fills and datapath reads contend in simulated time.
// Energy: bits read/written x the tech table's per-bit energy for the buffer's size class.
#pragma once
#include <systemc>

#include <vector>

#include "models/stats.h"
#include "sim/design.h"

namespace lpusim {

class SramBuffer : public sc_core::sc_module, public IStatsProvider {
 public:
  SramBuffer(sc_core::sc_module_name name, const BufferSpec& spec, const TechTable& tech,
             sc_core::sc_time clock, size_t num_keys);

  // Holds a port for `bits`; returns the time the access completes.
  sc_core::sc_time reserve(uint64_t bits, bool write, uint32_t key);
  void collect(ModuleStats& out) const override;
  const BufferSpec& spec() const { return spec_; }

 private:
  const BufferSpec spec_;
  const TechTable& tech_;
  sc_core::sc_time clock_;
  std::vector<sc_core::sc_time> port_free_;
  std::vector<EventCounts> events_;
  uint64_t accesses_ = 0, port_wait_cycles_ = 0, busy_port_cycles_ = 0;
};

}  // namespace lpusim
