#include "spec/area.h"

#include "base/config_error.h"
#include "spec/design.h"
#include "spec/unit_registry.h"

namespace lpusim {

double AreaBreakdown::total_um2() const {
  double t = 0;
  for (const auto& i : items) t += i.um2;
  return t;
}

double sram_area_um2(const TechTable& t, double size_kib) {
  return size_kib * 8192.0 * t.area("sram_bitcell") / t.sram_array_efficiency(size_kib);
}

AreaBreakdown design_area(const DesignSpec& d) {
  AreaBreakdown a;
  for (const auto& u : d.units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (!info->area) {
      throw ConfigError(d.file + ": units." + u.name + ": implementation '" + u.impl + "' has no area model");
    }
    AreaItem it = info->area(u, d.tech);
    it.name = u.name;
    a.items.push_back(it);
  }
  for (const BufferSpec* b : {&d.weight_buffer, &d.activation_buffer}) {
    a.items.push_back(
        {b->name + "_buffer",
         std::to_string(static_cast<long long>(b->size_kib)) + " KiB SRAM: bits x sram_bitcell / array efficiency",
         sram_area_um2(d.tech, b->size_kib)});
  }
  a.items.push_back({"dma_engine", "fixed block (tech area.dma_engine)", d.tech.area("dma_engine")});
  a.items.push_back({"controller", "fixed block (tech area.controller)", d.tech.area("controller")});
  return a;
}

}  // namespace lpusim
