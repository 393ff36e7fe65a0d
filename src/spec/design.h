// Validated, read-only description of one hardware design (configs/designs/*.yaml).
// Built in one place (DesignSpec::load) with all range checks, then passed by const& to modules.
#pragma once
#include <string>
#include <vector>

#include "spec/attention_spec.h"
#include "spec/dram_spec.h"
#include "spec/tech.h"
#include "spec/unit_registry.h"

namespace lpusim {

struct BufferSpec {
  std::string name;  // "weight" or "activation"
  double size_kib;
  int64_t banks;
  int64_t ports;       // independent access ports per bank
  int64_t width_bits;  // bits per port per cycle
  uint64_t bytes() const { return static_cast<uint64_t>(size_kib * 1024.0); }
  // Peak bits per cycle on one port across all banks (a tile access is striped across banks).
  uint64_t bits_per_cycle_per_port() const { return static_cast<uint64_t>(banks * width_bits); }
};

struct DesignSpec {
  std::string file;
  std::string name;
  std::string description;
  std::string budget;  // how this design is held to the same budget as its comparison partner
  double clock_ghz = 1.0;
  std::string tech_node;
  TechTable tech;
  std::vector<UnitSpec> units;
  BufferSpec weight_buffer;
  BufferSpec activation_buffer;
  DramSpec dram;
  AttentionSpec attention;  // optional `attention:` section (popcount attention mapping)
  // Optional `mapper: {objective: latency | energy | edp}`: what the compiler's mapper minimises per
  // GEMM op (compiler/mapper.h); latency by default.
  std::string mapper_objective = "latency";
  // `mapper: {tiling: search | whole}`: `whole` runs each GEMM as one tile when the buffers hold it
  // (SCALE-Sim's compute-only view of a GEMM); otherwise, and by default, the mapper searches tiles.
  std::string mapper_tiling = "search";

  double cycle_ns() const { return 1.0 / clock_ghz; }
  const UnitSpec* first_with(Capability c) const;  // first unit (file order) with capability c
  // The fully resolved design (every parameter, the tech file used), as YAML text.
  std::string resolved_yaml() const;
};

}  // namespace lpusim
