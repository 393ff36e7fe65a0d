// What a compute unit gets from the chip it lives in.
#pragma once
#include <systemc>

#include "spec/tech.h"

namespace lpusim {

class SramBuffer;

struct UnitContext {
  sc_core::sc_time clock;  // one clock for the whole chip
  const TechTable* tech = nullptr;
  SramBuffer* weight_buffer = nullptr;
  SramBuffer* activation_buffer = nullptr;
  size_t num_keys = 0;  // statistics keys of the program
};

}  // namespace lpusim
