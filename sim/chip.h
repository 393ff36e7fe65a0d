// One simulated chip: the design's compute units (built by name from the registry), weight and
// activation SRAM buffers, DRAM, DMA engine and controller, all on one clock.
#pragma once
#include <systemc>

#include <memory>
#include <vector>

#include "models/compute_unit.h"
#include "models/controller.h"
#include "models/dma_engine.h"
#include "models/dram.h"
#include "models/sram_buffer.h"
#include "sim/design.h"
#include "sim/program.h"

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
