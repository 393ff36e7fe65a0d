#include "memory/sram_buffer.h"

#include "base/math.h"

namespace lpusim {

SramBuffer::SramBuffer(sc_core::sc_module_name name, const BufferSpec& spec, const TechTable& tech,
                       sc_core::sc_time clock, size_t num_keys)
    : sc_core::sc_module(name),
      spec_(spec),
      tech_(tech),
      clock_(clock),
      port_free_(static_cast<size_t>(spec.banks * spec.ports), sc_core::SC_ZERO_TIME),
      events_(num_keys) {}

sc_core::sc_time SramBuffer::reserve(uint64_t bits, bool write, uint32_t key, uint64_t addr) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const uint64_t B = static_cast<uint64_t>(spec_.banks), P = static_cast<uint64_t>(spec_.ports);
  const uint64_t width = static_cast<uint64_t>(spec_.width_bits);
  const uint64_t words = ceil_div(bits, width);
  const uint64_t w0 = (addr * 8 / width) % std::max<uint64_t>(1, spec_.bytes() * 8 / width);
  const uint64_t touched = std::min(words, B);
  // Earliest time every touched bank has a free port; remember which port.
  sc_core::sc_time start = now;
  std::vector<size_t>& pick = pick_;
  pick.resize(touched);
  for (uint64_t i = 0; i < touched; ++i) {
    const uint64_t b = (w0 + i) % B;
    size_t best = b * P;
    for (uint64_t p = 1; p < P; ++p) {
      if (port_free_[b * P + p] < port_free_[best]) best = b * P + p;
    }
    pick[i] = best;
    if (port_free_[best] > start) start = port_free_[best];
  }
  uint64_t longest = 0;
  for (uint64_t i = 0; i < touched; ++i) {
    const uint64_t n = words / B + (i < words % B ? 1 : 0);  // words of the range in this bank
    port_free_[pick[i]] = start + clock_ * static_cast<double>(n);
    busy_port_cycles_ += n;
    longest = std::max(longest, n);
  }
  const uint64_t wait = static_cast<uint64_t>((start - now) / clock_ + 0.5);
  port_wait_cycles_ += wait;
  conflicts_ += wait > 0;
  ++accesses_;
  events_[key][write ? Ev::SramWriteBit : Ev::SramReadBit] += bits;
  return start + clock_ * static_cast<double>(longest);
}

std::vector<StatDecl> SramBuffer::declared_stats() const {
  return {{"accesses", "count", "reservations (reads and writes)"},
          {"port_wait_cycles", "cycles", "cycles accesses waited for a free bank port"},
          {"busy_port_cycles", "cycles", "bank-port cycles in use, summed over ports"},
          {"bank_conflicts", "count", "accesses that had to wait for a port"}};
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
  out.scalars["bank_conflicts"] = static_cast<double>(conflicts_);
}

}  // namespace lpusim
