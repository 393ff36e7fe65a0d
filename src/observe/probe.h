// Observation hooks for tracing (sim/trace.*). Models call them only when a probe is attached,
// so an untraced run pays one null-pointer test per tile; probes never change model timing.
#pragma once
#include <systemc>

#include <cstdint>

#include "ir/program.h"

namespace lpusim {

class IUnitProbe {
 public:
  virtual ~IUnitProbe() = default;
  virtual void queued(size_t depth) = 0;  // a tile joined the unit's queue (new depth)
  // A tile starts at `start` and will finish at `end` (SRAM stalls included); `depth` is the queue
  // depth left behind it.
  virtual void tile_begin(const Tile& t, sc_core::sc_time start, sc_core::sc_time end, size_t depth) = 0;
  virtual void tile_end(const Tile& t) = 0;
};

enum class DmaKind : uint8_t { LoadWeight, LoadActivation, Store };

class IControllerProbe {
 public:
  virtual ~IControllerProbe() = default;
  virtual void dma_issue(uint32_t tile, DmaKind k, uint64_t bytes) = 0;
  virtual void dma_done(uint32_t tile, DmaKind k) = 0;
  virtual void op_done(uint32_t op) = 0;
};

}  // namespace lpusim
