// Functional model of the ternary MAC array (BitNet b1.58): Y = (A_int8 x W_ternary), computed for
// real through the tiled dataflow, bit-exact with a plain reference.
//
// Arithmetic: each PE adds, subtracts or skips its INT8 activation; the partial sum lives in an
// `accumulator_bits` two's-complement register. Every add whose exact result leaves
// [-2^(b-1), 2^(b-1)-1] is an overflow: `saturate` clamps to the bound and counts one saturation
// event, `error` stops with AccumulatorOverflow naming the output (m, n) and the k of that add.
// Accumulation order: see tiling.h (one chain per output, k ascending, for every dataflow).
// Weights enter packed in the design's weight_format and pass through the unpack stage per tile.
// Rescale, once per output, in FP32: y = float(acc) * f_m with f_m = gamma / s_x[m] computed once
// per token (row) in FP32 (the one fp32_mul per output the timing model charges).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "datapath/packing.h"
#include "datapath/quant.h"
#include "datapath/systolic.h"
#include "datapath/tiling.h"

namespace lpusim::datapath {

enum class OverflowMode { Saturate, Error };
OverflowMode parse_overflow_mode(const std::string& s);  // "saturate" | "error"

struct TernaryArrayConfig {
  uint64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  int accumulator_bits = 32;  // 2..64
  OverflowMode overflow = OverflowMode::Saturate;
  WeightFormat format = WeightFormat::Packed2;
};

class AccumulatorOverflow : public std::runtime_error {
 public:
  AccumulatorOverflow(uint64_t m, uint64_t n, uint64_t k, int64_t value, int bits);
  uint64_t m, n, k;  // output row, output column, reduction index of the overflowing add
  int64_t value;     // the exact partial sum that did not fit
};

struct TernaryGemmResult {
  uint64_t M = 0, N = 0;
  std::vector<int64_t> acc;  // M x N final accumulator values
  std::vector<float> y;      // M x N rescaled outputs
  uint64_t saturations = 0;  // adds clamped by a saturating accumulator
  uint64_t tiles = 0, folds = 0;
  uint64_t nonzero_weights = 0;  // nonzero weights in the tensor (seen by the unpack stage)
  uint64_t adds = 0;             // add/sub operations executed (zero weights skipped): sum over tiles of m x nonzero
};

// The per-token rescale factor and the rescale itself (shared definition of the output format).
inline float rescale_factor(float gamma, float s_x) { return gamma / s_x; }
inline float rescale(int64_t acc, float factor) { return static_cast<float>(acc) * factor; }

// Tiled model. a: M x K INT8 with per-row scales; w_packed: the K x N ternary tensor packed in
// cfg.format (row-major); gamma: its absmean scale.
TernaryGemmResult ternary_gemm_tiled(const TernaryArrayConfig& cfg, const TileShape& tiles,
                                     const QuantizedActivations& a, const std::vector<uint8_t>& w_packed, float gamma,
                                     uint64_t N);

// Plain reference: triple loop, k ascending per output, the same accumulator semantics.
TernaryGemmResult ternary_gemm_reference(const QuantizedActivations& a, const TernaryWeights& w, int accumulator_bits,
                                         OverflowMode overflow);

// Exact integer result (int64, no overflow possible for K < 2^55), M x N.
std::vector<int64_t> ternary_gemm_exact(const QuantizedActivations& a, const TernaryWeights& w);

}  // namespace lpusim::datapath
