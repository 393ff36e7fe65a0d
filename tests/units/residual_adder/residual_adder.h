// residual_adder: a test-only compute unit (tests/units/residual_adder/), registered from this folder alone.
// It takes the residual adds (vector op `add`: y = a + b, FP16) and runs them on `lanes` FP16
// adders behind a `latency`-cycle pipeline. Its own lowering cuts each op into tiles of at most
// `max_tile_elements` elements (and at most what half the activation buffer holds).
// Closed form per tile of E elements: cycles = ceil(E / lanes) + latency; events: E fp16_add.
#pragma once
#include <cstdint>

namespace lpusim_test {

inline uint64_t residual_adder_tile_cycles(uint64_t elements, uint64_t lanes, uint64_t latency) {
  return (elements + lanes - 1) / lanes + latency;
}

}  // namespace lpusim_test
