// BitNet b1.58 quantisers: per-token absmax INT8 activations and per-tensor absmean ternary weights.
// Conventions follow the reference code published with the model ("The Era of 1-bit LLMs: Training
// Tips, Code and FAQ", Ma et al., Microsoft 2024, activation_quant / weight_quant):
//   activations: s = 127 / max(max|x|, 1e-5) per row;  q = clamp(round(x * s), -128, 127)
//   weights:     gamma = max(mean|W|, 1e-5) per tensor;  t = clamp(round(W / gamma), -1, 1)
// The 1e-5 floor is that code's eps: an all-zero row or tensor quantises to zeros with a finite
// scale instead of 0/0. With the absmax scale |x * s| <= 127, so -128 never occurs in practice; the
// datapath still accepts the full INT8 range. Rounding is torch.round's: to nearest, ties to even
// (std::nearbyint in the default rounding mode), in FP32 like the reference's tensors.
#pragma once
#include <cstdint>
#include <vector>

namespace lpusim::datapath {

inline constexpr float kQuantEps = 1e-5f;

struct QuantizedActivations {
  uint64_t rows = 0, cols = 0;
  std::vector<int8_t> q;     // rows x cols, row-major
  std::vector<float> scale;  // per row: s_x = 127 / max|x|; x ~= q / s_x
};

struct TernaryWeights {
  uint64_t rows = 0, cols = 0;  // K x N
  std::vector<int8_t> t;        // values in {-1, 0, +1}, row-major
  float gamma = 0;              // per-tensor scale; W ~= t * gamma
};

// x is rows x cols, row-major (one row per token).
QuantizedActivations quantize_absmax_int8(const std::vector<float>& x, uint64_t rows, uint64_t cols);
// w is rows x cols (K x N), row-major.
TernaryWeights quantize_absmean_ternary(const std::vector<float>& w, uint64_t rows, uint64_t cols);

// Fraction of exactly-zero entries (0 for an empty vector).
double zero_fraction(const std::vector<int8_t>& v);

}  // namespace lpusim::datapath
