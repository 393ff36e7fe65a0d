// Silicon area of a design, from each unit's parameters and the tech table's `area` section.
// Every compute unit implementation supplies its own area formula where it registers
// (UnitInfo::area); SRAM buffers cost bit cells / array efficiency of their size class; the DMA
// engine and controller are fixed blocks. All figures in um^2 at the design's node.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

struct DesignSpec;
struct TechTable;

struct AreaItem {
  std::string name;  // unit or block instance ("tmac", "weight_buffer", "dma_engine", ...)
  std::string what;  // how it was computed, for the report
  double um2 = 0;
};

struct AreaBreakdown {
  std::vector<AreaItem> items;  // in design order: units, buffers, fixed blocks
  double total_um2() const;
  double total_mm2() const { return total_um2() * 1e-6; }
};

AreaBreakdown design_area(const DesignSpec& d);

// SRAM macro area of `size_kib` at the node: bits x bit cell / array efficiency of the size class.
double sram_area_um2(const TechTable& t, double size_kib);

}  // namespace lpusim
