// Parameters of a lut_weightless unit (units/lut_weightless/lut_weightless.cpp), without SystemC, for the compiler.
#pragma once
#include <cstdint>

#include "spec/unit_registry.h"

namespace lpusim {

// The unit's typed parameters; each field's key, range and description are declared once in
// units/lut_weightless/lut_weightless.cpp (kParams).
struct LutUnitParams {
  uint64_t comparators = 1, sram_kib = 1, banks = 1, ports = 1, word_bits = 64, lookups_per_cycle = 1;
  bool word_interleave = false;  // bank_mapping: word_interleave (else lut_modulo)
  bool stream = false;           // on_overflow: stream_from_dram (else reject)
  bool sum_fp16 = true;          // sum_datapath: fp16 (else int)
  uint64_t sum_lanes = 1, depth = 0;
  static LutUnitParams from(const UnitSpec& s);
  uint64_t sram_bits() const { return sram_kib * 8192; }
  uint64_t fill_bits_per_cycle() const { return banks * ports * word_bits; }
};

}  // namespace lpusim
