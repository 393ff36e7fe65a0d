#include "datapath/int_gemm.h"

#include <stdexcept>
#include <string>

namespace lpusim::datapath {

namespace {

struct Range {
  int64_t lo, hi;
};

Range acc_range(int bits) {
  if (bits < 2 || bits > 64) {
    throw std::invalid_argument("accumulator_bits = " + std::to_string(bits) + ": the functional model supports 2..64");
  }
  if (bits == 64) return {INT64_MIN, INT64_MAX};
  return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
}

void check_bits(int bits) {
  if (bits != 8 && bits != 4)
    throw std::invalid_argument("weight_bits = " + std::to_string(bits) + ": expected 8 or 4");
}

// One add of the chain of output (m, n) at reduction index k. |a x w| <= 2^14, so s never wraps int64
// while the accumulator is at most 63 bits; a 64-bit accumulator adds with wrap detection.
inline void mac(int64_t& acc, int64_t prod, const Range& r, OverflowMode mode, int bits, uint64_t m, uint64_t n,
                uint64_t k, uint64_t& saturations) {
  int64_t s = 0;
  if (__builtin_add_overflow(acc, prod, &s)) {
    if (mode == OverflowMode::Error) throw AccumulatorOverflow(m, n, k, acc, bits);
    ++saturations;
    acc = prod > 0 ? r.hi : r.lo;
    return;
  }
  if (s < r.lo || s > r.hi) {
    if (mode == OverflowMode::Error) throw AccumulatorOverflow(m, n, k, s, bits);
    ++saturations;
    s = s < r.lo ? r.lo : r.hi;
  }
  acc = s;
}

}  // namespace

std::vector<uint8_t> pack_int_weights(const std::vector<int8_t>& w, int bits) {
  check_bits(bits);
  if (bits == 8) return std::vector<uint8_t>(w.begin(), w.end());
  std::vector<uint8_t> out((w.size() + 1) / 2, 0);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] < -8 || w[i] > 7) {
      throw std::invalid_argument("pack_int_weights: weight " + std::to_string(i) + " = " + std::to_string(w[i]) +
                                  " does not fit INT4 [-8, 7]");
    }
    out[i / 2] |= static_cast<uint8_t>((static_cast<uint8_t>(w[i]) & 0xF) << (i % 2 ? 4 : 0));
  }
  return out;
}

int8_t unpack_int_weight(const std::vector<uint8_t>& packed, uint64_t i, int bits) {
  if (bits == 8) return static_cast<int8_t>(packed[i]);
  const int nib = (packed[i / 2] >> (i % 2 ? 4 : 0)) & 0xF;
  return static_cast<int8_t>(nib >= 8 ? nib - 16 : nib);  // sign extension
}

IntGemmResult int_gemm_tiled(const IntArrayConfig& cfg, const TileShape& tiles, const std::vector<int8_t>& a,
                             uint64_t M, uint64_t K, const std::vector<uint8_t>& w_packed, uint64_t N) {
  check_bits(cfg.weight_bits);
  check_tiling(cfg.rows, cfg.cols, tiles, "int_gemm_tiled");
  if (M == 0 || K == 0 || N == 0) throw std::invalid_argument("int_gemm_tiled: M, K and N must be positive");
  if (a.size() != M * K) throw std::invalid_argument("int_gemm_tiled: activation tensor does not match M x K");
  const uint64_t want = cfg.weight_bits == 8 ? K * N : (K * N + 1) / 2;
  if (w_packed.size() != want) {
    throw std::invalid_argument("int_gemm_tiled: " + std::to_string(w_packed.size()) + " weight bytes for " +
                                std::to_string(K) + " x " + std::to_string(N) + " INT" +
                                std::to_string(cfg.weight_bits) + " weights");
  }
  const Range r = acc_range(cfg.accumulator_bits);
  IntGemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0);
  std::vector<int8_t> wt;  // the tile's weights after the unpack stage, k x n
  for_each_tile(M, K, N, tiles, [&](uint64_t m0, uint64_t k0, uint64_t n0, uint64_t tm, uint64_t tk, uint64_t tn) {
    ++res.tiles;
    wt.assign(tk * tn, 0);
    for (uint64_t k = 0; k < tk; ++k)
      for (uint64_t n = 0; n < tn; ++n)
        wt[k * tn + n] = unpack_int_weight(w_packed, (k0 + k) * N + n0 + n, cfg.weight_bits);
    for_each_fold(cfg.dataflow, cfg.rows, cfg.cols, tm, tk, tn, [&](const Fold& f) {
      ++res.folds;
      res.macs += (f.m1 - f.m0) * (f.k1 - f.k0) * (f.n1 - f.n0);
      for (uint64_t m = f.m0; m < f.m1; ++m) {
        const int8_t* ar = a.data() + (m0 + m) * K + k0;
        for (uint64_t n = f.n0; n < f.n1; ++n) {
          int64_t& acc = res.acc[(m0 + m) * N + n0 + n];
          for (uint64_t k = f.k0; k < f.k1; ++k) {
            const int64_t prod = static_cast<int64_t>(ar[k]) * wt[k * tn + n];
            mac(acc, prod, r, cfg.overflow, cfg.accumulator_bits, m0 + m, n0 + n, k0 + k, res.saturations);
          }
        }
      }
    });
  });
  return res;
}

IntGemmResult int_gemm_reference(const std::vector<int8_t>& a, const std::vector<int8_t>& w, uint64_t M, uint64_t K,
                                 uint64_t N, int accumulator_bits, OverflowMode overflow) {
  if (a.size() != M * K || w.size() != K * N) throw std::invalid_argument("int_gemm_reference: shape mismatch");
  const Range r = acc_range(accumulator_bits);
  IntGemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0);
  for (uint64_t m = 0; m < M; ++m)
    for (uint64_t n = 0; n < N; ++n) {
      int64_t acc = 0;
      for (uint64_t k = 0; k < K; ++k) {
        mac(acc, static_cast<int64_t>(a[m * K + k]) * w[k * N + n], r, overflow, accumulator_bits, m, n, k,
            res.saturations);
      }
      res.acc[m * N + n] = acc;
    }
  res.macs = M * K * N;
  return res;
}

}  // namespace lpusim::datapath
