// Statistics are owned by the modules that produce them and gathered by one walk over the
// SystemC object tree (see simulate/simulate.cpp). Every module that counts anything implements this.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/energy.h"

namespace lpusim {

struct ModuleStats {
  std::string name;                       // hierarchical SystemC name, e.g. "lpu.tmac"
  std::string kind;                       // implementation, e.g. "ternary_mac_array", "sram_buffer", "dram"
  EventPrices prices;                     // pJ per event as this module sees them
  std::vector<EventCounts> per_key;       // events per statistics key
  std::vector<uint64_t> busy_per_key;     // busy cycles per key (compute units)
  std::vector<uint64_t> macs_per_key;     // MACs per key (compute units)
  uint64_t peak_macs_per_cycle = 0;       // compute units with a matrix datapath
  double leakage_uw = 0;                  // static power while the chip is on
  double dram_static_uw = 0;              // DRAM background + refresh power, charged to the DRAM class by cycles
  std::map<std::string, double> scalars;  // named counters, documented where declared
};

class IStatsProvider {
 public:
  virtual ~IStatsProvider() = default;
  virtual void collect(ModuleStats& out) const = 0;
};

}  // namespace lpusim
