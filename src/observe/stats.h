// Statistics are owned by the modules that produce them and gathered by one walk over the
// SystemC object tree (see simulate/simulate.cpp). Every module that counts anything implements this,
// and declares the named scalars it emits (declared_stats) next to the collect() that writes them.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/energy.h"
#include "base/stat_decl.h"

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
  std::map<std::string, double> scalars;  // named counters: exactly the module's declared_stats()
  std::vector<StatDecl> declared;         // those declarations (filled by collect_checked)
};

class IStatsProvider {
 public:
  virtual ~IStatsProvider() = default;
  // The named scalars collect() writes, with unit and meaning: no more, no fewer.
  virtual std::vector<StatDecl> declared_stats() const = 0;
  virtual void collect(ModuleStats& out) const = 0;
};

struct StatsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws StatsError naming the module and each scalar it emitted without declaring, or declared
// without emitting.
inline void check_declared(const ModuleStats& s, const std::vector<StatDecl>& declared) {
  std::map<std::string, int> seen;
  for (const auto& d : declared) seen[d.name] |= 1;
  for (const auto& kv : s.scalars) seen[kv.first] |= 2;
  std::string bad;
  for (const auto& kv : seen) {
    if (kv.second == 2) bad += " emits undeclared '" + kv.first + "';";
    if (kv.second == 1) bad += " declares '" + kv.first + "' but does not emit it;";
  }
  if (!bad.empty()) throw StatsError("statistics of " + s.name + " (" + s.kind + "):" + bad);
}

// One module's statistics, checked against its declarations.
inline ModuleStats collect_checked(const IStatsProvider& p, const std::string& name) {
  ModuleStats s;
  s.name = name;
  p.collect(s);
  s.declared = p.declared_stats();
  check_declared(s, s.declared);
  return s;
}

}  // namespace lpusim
