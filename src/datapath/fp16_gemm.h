// Functional model of the FP16 MAC array: FP16 inputs, each product rounded to FP16, then added in
// an FP16 or FP32 accumulator (the fp16_mac_array's `accumulate`), through the same tiled walk and
// per-output order as the ternary array (tiling.h: one chain per output, k ascending, partial sums
// stored at accumulator precision between K-tiles). The result is the accumulator value (an FP16
// value held in a float for FP16 accumulation); the write-back of FP32 results to FP16 activations
// is not part of this model.
#pragma once
#include <cstdint>
#include <vector>

#include "datapath/systolic.h"
#include "datapath/tiling.h"

namespace lpusim::datapath {

struct Fp16ArrayConfig {
  uint64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  bool fp32_accumulate = true;
};

struct Fp16GemmResult {
  uint64_t M = 0, N = 0;
  std::vector<float> acc;  // M x N
  uint64_t tiles = 0, folds = 0;
};

// Rounds every element to FP16 (the FP16 inputs made from FP32 tensors).
std::vector<float> round_tensor_to_half(const std::vector<float>& x);

// a: M x K, w: K x N, row-major, every value on the FP16 grid (std::invalid_argument otherwise).
Fp16GemmResult fp16_gemm_tiled(const Fp16ArrayConfig& cfg, const TileShape& tiles, const std::vector<float>& a,
                               const std::vector<float>& w, uint64_t M, uint64_t K, uint64_t N);

// Plain reference with the same rounding, in GCC's _Float16 where the compiler has it (an
// implementation of FP16 independent of round_to_half), else through round_to_half.
Fp16GemmResult fp16_gemm_reference(const std::vector<float>& a, const std::vector<float>& w, uint64_t M, uint64_t K,
                                   uint64_t N, bool fp32_accumulate);

// FP64 products and sums of the same FP16 inputs (M x N), and the per-output error bound of the FP16
// array against it (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 2002,
// Lemma 3.1 for gamma_n and eq. (4.4) for recursive summation): with u_p = 2^-11 (product rounding), u_a the
// accumulator's unit roundoff (2^-11 or 2^-24), gamma_K = K u / (1 - K u) and S = sum_k |a_mk| |w_kn|,
//   |y - y64| <= (u_p + gamma_K(u_a) (1 + u_p) + gamma_K(2^-53)) S + (1 + gamma_K(u_a)) K 2^-25,
// the last term for products that fall into the FP16 subnormal range (absolute error <= 2^-25).
// Not applicable when K u_a >= 1.
struct Fp16Reference {
  std::vector<double> y;      // M x N
  std::vector<double> bound;  // M x N
  bool bound_applicable = true;
};
Fp16Reference fp16_gemm_fp64(const std::vector<float>& a, const std::vector<float>& w, uint64_t M, uint64_t K,
                             uint64_t N, bool fp32_accumulate);

}  // namespace lpusim::datapath
