#include "models/sram_buffer.h"

#include "models/compute_unit.h"

namespace lpusim {

SramBuffer::SramBuffer(sc_core::sc_module_name name, const BufferSpec& spec, const TechTable& tech,
                       sc_core::sc_time clock, size_t num_keys)
    : sc_core::sc_module(name), spec_(spec), tech_(tech), clock_(clock),
      port_free_(static_cast<size_t>(spec.ports), sc_core::SC_ZERO_TIME), events_(num_keys) {}

sc_core::sc_time SramBuffer::reserve(uint64_t bits, bool write, uint32_t key) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  size_t best = 0;
  for (size_t p = 1; p < port_free_.size(); ++p) {
    if (port_free_[p] < port_free_[best]) best = p;
  }
  const sc_core::sc_time start = port_free_[best] > now ? port_free_[best] : now;
  const uint64_t cycles = ceil_div(bits, spec_.bits_per_cycle_per_port());
  port_free_[best] = start + clock_ * static_cast<double>(cycles);
  port_wait_cycles_ += static_cast<uint64_t>((start - now) / clock_ + 0.5);
  busy_port_cycles_ += cycles;
  ++accesses_;
  events_[key][write ? Ev::SramWriteBit : Ev::SramReadBit] += bits;
  return port_free_[best];
}

void SramBuffer::collect(ModuleStats& out) const {
  out.kind = "sram_buffer";
  const SramClass& c = tech_.sram_class(spec_.size_kib);
  out.prices[Ev::SramReadBit] = c.read_pj_per_bit;
  out.prices[Ev::SramWriteBit] = c.write_pj_per_bit;
  out.per_key = events_;
  out.leakage_uw = spec_.size_kib * tech_.leak("sram_kib");
  out.scalars["accesses"] = static_cast<double>(accesses_);
  out.scalars["port_wait_cycles"] = static_cast<double>(port_wait_cycles_);
  out.scalars["busy_port_cycles"] = static_cast<double>(busy_port_cycles_);
}

}  // namespace lpusim
