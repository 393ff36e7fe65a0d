// Small integer helpers shared by the closed forms.
#pragma once
#include <cstdint>

namespace lpusim {

inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace lpusim
