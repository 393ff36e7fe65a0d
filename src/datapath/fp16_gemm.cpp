#include "datapath/fp16_gemm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "datapath/fp16.h"
#include "datapath/simd.h"

namespace lpusim::datapath {

namespace {

constexpr uint64_t kBlock = 64;  // column block of the unpacked weight tile (contiguous fold reads)

void check_half_grid(const std::vector<float>& x, uint64_t n, const char* what) {
  if (x.size() != n) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(x.size()) + " values, expected " +
                                std::to_string(n));
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (float_bits(round_to_half(x[i])) != float_bits(x[i]) && !std::isnan(x[i])) {
      throw std::invalid_argument(std::string(what) + ": element " + std::to_string(i) + " is not an FP16 value");
    }
  }
}

LPUSIM_VECTOR_CLONES
void fold_row_fp16(float* __restrict acc, const float* __restrict a, const float* __restrict w, uint64_t ldw,
                   uint64_t kc, uint64_t nc) {
  for (uint64_t k = 0; k < kc; ++k) {
    const float ak = a[k];
    const float* __restrict wr = w + k * ldw;
    for (uint64_t n = 0; n < nc; ++n) acc[n] = round_to_half(acc[n] + round_to_half(ak * wr[n]));
  }
}

LPUSIM_VECTOR_CLONES
void fold_row_fp32(float* __restrict acc, const float* __restrict a, const float* __restrict w, uint64_t ldw,
                   uint64_t kc, uint64_t nc) {
  for (uint64_t k = 0; k < kc; ++k) {
    const float ak = a[k];
    const float* __restrict wr = w + k * ldw;
    for (uint64_t n = 0; n < nc; ++n) acc[n] = acc[n] + round_to_half(ak * wr[n]);
  }
}

double gamma_k(uint64_t K, double u) {
  const double ku = static_cast<double>(K) * u;
  return ku / (1.0 - ku);
}

}  // namespace

std::vector<float> round_tensor_to_half(const std::vector<float>& x) {
  std::vector<float> r(x.size());
  for (size_t i = 0; i < x.size(); ++i) r[i] = round_to_half(x[i]);
  return r;
}

Fp16GemmResult fp16_gemm_tiled(const Fp16ArrayConfig& cfg, const TileShape& tiles, const std::vector<float>& a,
                               const std::vector<float>& w, uint64_t M, uint64_t K, uint64_t N) {
  check_tiling(cfg.rows, cfg.cols, tiles, "fp16_gemm_tiled");
  if (M == 0 || K == 0 || N == 0) throw std::invalid_argument("fp16_gemm_tiled: M, K and N must be positive");
  check_half_grid(a, M * K, "fp16_gemm_tiled: activations");
  check_half_grid(w, K * N, "fp16_gemm_tiled: weights");
  Fp16GemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0.0f);
  std::vector<float> wt, acc_tile;
  for_each_tile(M, K, N, tiles, [&](uint64_t m0, uint64_t k0, uint64_t n0, uint64_t tm, uint64_t tk, uint64_t tn) {
    ++res.tiles;
    // The weight tile as the array's input buffer holds it, in column blocks (see ternary_gemm).
    const uint64_t bw = std::min(kBlock, tn), nblocks = (tn + bw - 1) / bw;
    wt.assign(nblocks * tk * bw, 0.0f);
    for (uint64_t k = 0; k < tk; ++k)
      for (uint64_t n = 0; n < tn; ++n) wt[(n / bw) * tk * bw + k * bw + n % bw] = w[(k0 + k) * N + n0 + n];
    if (k0 == 0) acc_tile.assign(tm * tn, 0.0f);
    for_each_fold(cfg.dataflow, cfg.rows, cfg.cols, tm, tk, tn, [&](const Fold& f) {
      ++res.folds;
      const uint64_t kc = f.k1 - f.k0;
      for (uint64_t m = f.m0; m < f.m1; ++m) {
        const float* arow = a.data() + (m0 + m) * K + k0 + f.k0;
        for (uint64_t n = f.n0; n < f.n1;) {
          const uint64_t blk = n / bw, off = n % bw;
          const uint64_t nc = std::min(f.n1 - n, bw - off);
          const float* wp = wt.data() + blk * tk * bw + f.k0 * bw + off;
          float* acc = acc_tile.data() + m * tn + n;
          if (cfg.fp32_accumulate) {
            fold_row_fp32(acc, arow, wp, bw, kc, nc);
          } else {
            fold_row_fp16(acc, arow, wp, bw, kc, nc);
          }
          n += nc;
        }
      }
    });
    if (k0 + tk == K) {
      for (uint64_t m = 0; m < tm; ++m) std::copy_n(acc_tile.data() + m * tn, tn, res.acc.data() + (m0 + m) * N + n0);
    }
  });
  return res;
}

namespace {

#if defined(__FLT16_MAX__)
// _Float16 conversions are correctly rounded: libgcc in software, or the F16C instructions where the
// host has them (same results, much faster).
template <typename Half>
inline void reference_row_impl(float* acc, float ak, const float* wr, uint64_t N, bool fp32_accumulate) {
  for (uint64_t n = 0; n < N; ++n) {
    const Half p = static_cast<Half>(ak * wr[n]);
    if (fp32_accumulate) {
      acc[n] = acc[n] + static_cast<float>(p);
    } else {
      acc[n] = static_cast<float>(static_cast<Half>(acc[n] + static_cast<float>(p)));
    }
  }
}
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2,f16c"))) void reference_row_f16c(float* acc, float ak, const float* wr, uint64_t N,
                                                             bool fp32_accumulate) {
  reference_row_impl<_Float16>(acc, ak, wr, N, fp32_accumulate);
}
bool host_has_f16c() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2");
  }();
  return has;
}
#endif
void reference_row(float* acc, float ak, const float* wr, uint64_t N, bool fp32_accumulate) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (host_has_f16c()) return reference_row_f16c(acc, ak, wr, N, fp32_accumulate);
#endif
  reference_row_impl<_Float16>(acc, ak, wr, N, fp32_accumulate);
}
#else
void reference_row(float* acc, float ak, const float* wr, uint64_t N, bool fp32_accumulate) {
  for (uint64_t n = 0; n < N; ++n) {
    const float p = round_to_half(ak * wr[n]);
    acc[n] = fp32_accumulate ? acc[n] + p : round_to_half(acc[n] + p);
  }
}
#endif

}  // namespace

Fp16GemmResult fp16_gemm_reference(const std::vector<float>& a, const std::vector<float>& w, uint64_t M, uint64_t K,
                                   uint64_t N, bool fp32_accumulate) {
  if (a.size() != M * K || w.size() != K * N) throw std::invalid_argument("fp16_gemm_reference: shape mismatch");
  Fp16GemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0.0f);
  for (uint64_t m = 0; m < M; ++m)
    for (uint64_t k = 0; k < K; ++k)
      reference_row(res.acc.data() + m * N, a[m * K + k], w.data() + k * N, N, fp32_accumulate);
  return res;
}

Fp16Reference fp16_gemm_fp64(const std::vector<float>& a, const std::vector<float>& w, uint64_t M, uint64_t K,
                             uint64_t N, bool fp32_accumulate) {
  if (a.size() != M * K || w.size() != K * N) throw std::invalid_argument("fp16_gemm_fp64: shape mismatch");
  Fp16Reference r;
  r.y.assign(M * N, 0.0);
  std::vector<double> s(M * N, 0.0);
  for (uint64_t m = 0; m < M; ++m) {
    double* y = r.y.data() + m * N;
    double* sm = s.data() + m * N;
    for (uint64_t k = 0; k < K; ++k) {
      const double ak = a[m * K + k];
      const float* wr = w.data() + k * N;
      for (uint64_t n = 0; n < N; ++n) {
        const double p = ak * static_cast<double>(wr[n]);
        y[n] += p;
        sm[n] += std::fabs(p);
      }
    }
  }
  const double ua = fp32_accumulate ? kFloatUnitRoundoff : kHalfUnitRoundoff;
  r.bound_applicable = static_cast<double>(K) * ua < 1.0;
  r.bound.assign(M * N, r.bound_applicable ? 0.0 : INFINITY);
  if (r.bound_applicable) {
    const double ga = gamma_k(K, ua);
    const double rel = kHalfUnitRoundoff + ga * (1.0 + kHalfUnitRoundoff) + gamma_k(K, 0x1p-53);
    const double abs_term = (1.0 + ga) * static_cast<double>(K) * (kHalfMinSubnormal / 2.0);
    // Rounding the bound itself up a little keeps the double arithmetic of the bound on the safe side.
    for (uint64_t i = 0; i < M * N; ++i) r.bound[i] = (rel * s[i] + abs_term) * (1.0 + 1e-12);
  }
  return r;
}

}  // namespace lpusim::datapath
