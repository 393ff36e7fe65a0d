// Functional model of the integer MAC array (int_mac_array): Y = A_int8 x W_int8|int4 with integer
// accumulation, computed through the tiled dataflow walk (datapath/tiling.h), bit-exact with a plain
// triple loop.
//
// Arithmetic: each PE multiplies its INT8 activation by its weight (INT8 in [-128, 127], or INT4 in
// [-8, 7] sign-extended from its nibble) and adds the exact product to an `accumulator_bits`
// two's-complement partial sum. Every add whose exact result leaves [-2^(b-1), 2^(b-1)-1] is an
// overflow: `saturate` clamps and counts, `error` throws AccumulatorOverflow with (m, n, k).
// Accumulation order: one chain per output, k ascending, for every dataflow (tiling.h).
// Weights enter packed as stored: INT8 one per byte; INT4 two per byte, row-major, element i in
// byte i / 2, low nibble first (even i). The rescale to real values (per-channel or group scales)
// is outside the integer result.
#pragma once
#include <cstdint>
#include <vector>

#include "datapath/systolic.h"
#include "datapath/ternary_gemm.h"
#include "datapath/tiling.h"

namespace lpusim::datapath {

struct IntArrayConfig {
  uint64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  int weight_bits = 8;        // 8 or 4
  int accumulator_bits = 32;  // 2..64
  OverflowMode overflow = OverflowMode::Saturate;
};

struct IntGemmResult {
  uint64_t M = 0, N = 0;
  std::vector<int64_t> acc;  // M x N final accumulator values
  uint64_t saturations = 0;  // adds clamped by a saturating accumulator
  uint64_t tiles = 0, folds = 0;
  uint64_t macs = 0;  // multiply-accumulates executed: sum over folds of rows x cols x k of the fold
};

// Packing of a K x N row-major weight tensor (values must fit `bits`: std::invalid_argument if not).
std::vector<uint8_t> pack_int_weights(const std::vector<int8_t>& w, int bits);
int8_t unpack_int_weight(const std::vector<uint8_t>& packed, uint64_t i, int bits);

// Tiled model. a: M x K INT8 row-major; w_packed: the K x N weights packed as above.
IntGemmResult int_gemm_tiled(const IntArrayConfig& cfg, const TileShape& tiles, const std::vector<int8_t>& a,
                             uint64_t M, uint64_t K, const std::vector<uint8_t>& w_packed, uint64_t N);

// Plain reference: triple loop, k ascending per output, the same accumulator semantics.
IntGemmResult int_gemm_reference(const std::vector<int8_t>& a, const std::vector<int8_t>& w, uint64_t M, uint64_t K,
                                 uint64_t N, int accumulator_bits, OverflowMode overflow);

}  // namespace lpusim::datapath
