// Lowers the LUT ops of a weightless MLP (lut_encode, lut_lookup*, lut_sum) to tiles of the
// design's lut_layer unit: token chunks that fit half the activation buffer, conditional-sum output
// slices whose values fit half the weight buffer, and table residency (resident in the LUT SRAM,
// streamed from DRAM per block, or rejected) decided once per compile.
#pragma once
#include <cstdint>

#include "ir/program.h"
#include "spec/design.h"
#include "spec/workload.h"
#include "units/lut_weightless/lut_params.h"

namespace lpusim {

class LutLowering {
 public:
  LutLowering(const WorkloadSpec& w, const DesignSpec& d) : w_(w), d_(d) {}
  void lower(const Op& op, uint32_t op_idx, ProgramOp& po, Program& prog);
  bool tables_resident();  // all blocks' tables and thresholds fit the LUT SRAM (throws like lower())

 private:
  void init();
  const WorkloadSpec& w_;
  const DesignSpec& d_;
  const UnitSpec* unit_ = nullptr;
  LutUnitParams p_;
  bool resident_ = true;
  uint64_t chunk_ = 1;  // tokens per tile, the same for every stage so their activations agree
};

}  // namespace lpusim
