// IEEE 754 binary16 (FP16) rounding for the FP16 array's functional model.
// FP16 values are held in floats that lie on the FP16 grid. round_to_half() rounds a float to the
// nearest FP16 value, ties to even, with gradual underflow (subnormals down to 2^-24) and overflow to
// +-inf from 65520 up (the FP16 rounding boundary above 65504); NaN stays NaN. It is branch-free so
// gcc vectorises the loops that call it. Tests check it against GCC's _Float16 conversion.
//
// Why one float op then one rounding is exact FP16 arithmetic: the product of two FP16 values has at
// most 22 significant bits and an exponent well inside FP32's range, so the FP32 product is exact and
// round_to_half() of it is the correctly rounded FP16 product. The FP32 sum of two FP16 values is
// rounded twice (to FP32, then FP16), which equals one rounding to FP16 because 24 >= 2*11 + 2
// (double rounding is innocuous for p' >= 2p + 2: Figueroa, "When is double rounding innocuous?",
// SIGNUM Newsletter 30(3), 1995).
#pragma once
#include <cstdint>
#include <cstring>

namespace lpusim::datapath {

inline uint32_t float_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline float bits_float(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

inline float round_to_half(float x) {
  const uint32_t u = float_bits(x);
  const uint32_t sign = u & 0x80000000u;
  const uint32_t a = u ^ sign;  // |x|
  // Normal FP16 range: keep 10 fraction bits of the FP32 significand, round to nearest even.
  const uint32_t normal = (a + 0xFFFu + ((a >> 13) & 1u)) & ~0x1FFFu;
  // Below 2^-14 (FP16 subnormals, spacing 2^-24): adding 0.5 puts |x| in [0.5, 1), where the FP32
  // spacing is 2^-24, so the hardware's round-to-nearest-even does the rounding.
  const float fa = bits_float(a);
  const float sub = (fa + 0.5f) - 0.5f;
  // Selects as masks (no branches, so the loops calling this vectorise).
  const uint32_t is_sub = 0u - static_cast<uint32_t>(a < 0x38800000u);
  const uint32_t is_inf = 0u - static_cast<uint32_t>(a >= 0x477FF000u);  // >= 65520 rounds to infinity
  const uint32_t is_nan = 0u - static_cast<uint32_t>(a > 0x7F800000u);   // NaN stays (quiet) NaN
  uint32_t r = (float_bits(sub) & is_sub) | (normal & ~is_sub);
  r = (0x7F800000u & is_inf) | (r & ~is_inf);
  r = ((a | 0x00400000u) & is_nan) | (r & ~is_nan);
  return bits_float(r | sign);
}

constexpr float kHalfMax = 65504.0f;
constexpr double kHalfUnitRoundoff = 1.0 / 2048.0;       // u = 2^-11
constexpr double kFloatUnitRoundoff = 1.0 / 16777216.0;  // u = 2^-24
constexpr double kHalfMinSubnormal = 1.0 / 16777216.0;   // 2^-24

}  // namespace lpusim::datapath
