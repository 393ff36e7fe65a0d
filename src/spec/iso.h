// Holding two designs to one budget (`lpusim compare --iso area|peak-ops`): the baseline's
// linear-layer MAC arrays are resized, rows and columns by the same factor, until it matches the
// reference design's silicon area (largest arrays that fit) or its peak linear-layer MACs/cycle.
// Buffers, DRAM and the other units are left as they are; the note says what changed.
#pragma once
#include <cstdint>
#include <string>

#include "spec/design.h"

namespace lpusim {

// Peak MACs/cycle of the arrays that run a design's weight GEMMs (ternary arrays if it has any,
// else FP16 arrays).
uint64_t linear_peak_macs(const DesignSpec& d);

struct IsoResult {
  DesignSpec design;  // the resized baseline
  std::string note;   // e.g. "iso area: fpmac 64x64 -> 30x30; area 1.52 mm2 vs lpu 1.53 mm2"
};

// mode: "area" or "peak-ops". ConfigError when the budget cannot be met by resizing the arrays.
IsoResult hold_iso(const DesignSpec& reference, const DesignSpec& baseline, const std::string& mode);

}  // namespace lpusim
