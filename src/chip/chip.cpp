#include "chip/chip.h"

namespace lpusim {

Chip::Chip(sc_core::sc_module_name name, const DesignSpec& d, const Program& p)
    : sc_core::sc_module(name), clock_(d.cycle_ns(), sc_core::SC_NS) {
  const size_t keys = p.keys.size();
  wbuf_ = std::make_unique<SramBuffer>("weight_buffer", d.weight_buffer, d.tech, clock_, keys);
  abuf_ = std::make_unique<SramBuffer>("activation_buffer", d.activation_buffer, d.tech, clock_, keys);
  dram_ = std::make_unique<Dram>("dram", d.dram, clock_, keys);
  dma_ = std::make_unique<DmaEngine>("dma", *dram_);
  UnitContext ctx{clock_, &d.tech, wbuf_.get(), abuf_.get(), keys};
  std::vector<ComputeUnit*> raw;
  for (const UnitSpec& u : d.units) {
    units_.push_back(UnitRegistry::instance().find(u.impl)->factory(u, ctx));
    raw.push_back(units_.back().get());
  }
  controller_ = std::make_unique<Controller>("controller", p, raw, *dma_, *wbuf_, *abuf_, clock_);
}

}  // namespace lpusim
