// One simulated chip: the design's compute units (built by name from the registry), weight and
// activation SRAM buffers, DRAM, DMA engine and controller, all on one clock.
#pragma once
#include <systemc>

#include <memory>
#include <vector>

#include "chip/controller.h"
#include "ir/program.h"
#include "memory/dma_engine.h"
#include "memory/dram.h"
#include "memory/sram_buffer.h"
#include "spec/design.h"
#include "units/compute_unit.h"

namespace lpusim {

class Chip : public sc_core::sc_module {
 public:
  Chip(sc_core::sc_module_name name, const DesignSpec& design, const Program& program);
  const Controller& controller() const { return *controller_; }
  const std::vector<std::unique_ptr<ComputeUnit>>& units() const { return units_; }

 private:
  sc_core::sc_time clock_;
  std::unique_ptr<SramBuffer> wbuf_, abuf_;
  std::unique_ptr<Dram> dram_;
  std::unique_ptr<DmaEngine> dma_;
  std::vector<std::unique_ptr<ComputeUnit>> units_;
  std::unique_ptr<Controller> controller_;
};

}  // namespace lpusim
