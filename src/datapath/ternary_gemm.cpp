#include "datapath/ternary_gemm.h"

#include <algorithm>
#include <cstdlib>

#include "datapath/simd.h"

namespace lpusim::datapath {

namespace {

struct AccRange {
  int64_t lo, hi;
};

AccRange acc_range(int bits) {
  if (bits < 2 || bits > 64) {
    throw std::invalid_argument("accumulator_bits = " + std::to_string(bits) + ": the functional model supports 2..64");
  }
  if (bits == 64) return {INT64_MIN, INT64_MAX};
  return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
}

// Chunk of k over which an int16 partial sum cannot overflow: 255 * 128 = 32640 <= 32767.
constexpr uint64_t kInt16Chunk = 255;

// Rows whose sum |a| fits the accumulator can never overflow, whatever the weights (|w| <= 1): their
// partial sums are exact in any grouping, so they take the fast path: int16 sums over k-chunks,
// added to the accumulator once per chunk. Columns go in blocks of kBlock so the block's int16
// sums stay in vector registers across the k loop.
constexpr uint64_t kBlock = 64;

LPUSIM_VECTOR_CLONES
void fast_row(int64_t* __restrict acc, const int8_t* __restrict a, const int16_t* __restrict w, uint64_t ldw,
              uint64_t kc, uint64_t nc) {
  for (uint64_t kb = 0; kb < kc; kb += kInt16Chunk) {
    const uint64_t ke = std::min(kc, kb + kInt16Chunk);
    uint64_t n0 = 0;
    for (; n0 + kBlock <= nc; n0 += kBlock) {
      int16_t t[kBlock] = {};
      for (uint64_t k = kb; k < ke; ++k) {
        const int16_t ak = a[k];
        const int16_t* __restrict wr = w + k * ldw + n0;
        for (uint64_t n = 0; n < kBlock; ++n) t[n] = static_cast<int16_t>(t[n] + ak * wr[n]);
      }
      for (uint64_t n = 0; n < kBlock; ++n) acc[n0 + n] += t[n];
    }
    if (n0 < nc) {
      const uint64_t rest = nc - n0;
      int16_t t[kBlock] = {};
      for (uint64_t k = kb; k < ke; ++k) {
        const int16_t ak = a[k];
        const int16_t* __restrict wr = w + k * ldw + n0;
        for (uint64_t n = 0; n < rest; ++n) t[n] = static_cast<int16_t>(t[n] + ak * wr[n]);
      }
      for (uint64_t n = 0; n < rest; ++n) acc[n0 + n] += t[n];
    }
  }
}

// Saturating accumulator, one add at a time in k order; returns the number of clamped adds.
LPUSIM_VECTOR_CLONES
uint64_t saturating_row(int64_t* __restrict acc, const int8_t* __restrict a, const int16_t* __restrict w, uint64_t ldw,
                        uint64_t kc, uint64_t nc, int64_t lo, int64_t hi) {
  uint64_t count = 0;
  for (uint64_t k = 0; k < kc; ++k) {
    const int32_t ak = a[k];
    const int16_t* __restrict wr = w + k * ldw;
    for (uint64_t n = 0; n < nc; ++n) {
      const int64_t s = acc[n] + static_cast<int32_t>(ak * wr[n]);
      const int64_t c = s < lo ? lo : s > hi ? hi : s;
      count += c != s;
      acc[n] = c;
    }
  }
  return count;
}

// Accumulator in `error` mode: returns false with (k, n) of the first add that leaves the range.
LPUSIM_VECTOR_CLONES
bool checked_row(int64_t* __restrict acc, const int8_t* __restrict a, const int16_t* __restrict w, uint64_t ldw,
                 uint64_t kc, uint64_t nc, int64_t lo, int64_t hi, uint64_t* bad_k, uint64_t* bad_n) {
  for (uint64_t k = 0; k < kc; ++k) {
    const int32_t ak = a[k];
    const int16_t* __restrict wr = w + k * ldw;
    int bad = 0;
    for (uint64_t n = 0; n < nc; ++n) {
      const int64_t s = acc[n] + static_cast<int32_t>(ak * wr[n]);
      bad |= (s < lo) | (s > hi);
      acc[n] = s;
    }
    if (bad) {
      for (uint64_t n = 0; n < nc; ++n) {
        if (acc[n] < lo || acc[n] > hi) {
          *bad_k = k;
          *bad_n = n;
          return false;
        }
      }
    }
  }
  return true;
}

void check_activations(const QuantizedActivations& a, const char* what) {
  if (a.q.size() != a.rows * a.cols || a.scale.size() != a.rows) {
    throw std::invalid_argument(std::string(what) + ": activation tensor and scales do not match its shape");
  }
  if (a.rows == 0 || a.cols == 0) throw std::invalid_argument(std::string(what) + ": empty activation tensor");
}

}  // namespace

OverflowMode parse_overflow_mode(const std::string& s) {
  if (s == "saturate") return OverflowMode::Saturate;
  if (s == "error") return OverflowMode::Error;
  throw std::invalid_argument("unknown accumulator_overflow '" + s + "' (expected saturate or error)");
}

AccumulatorOverflow::AccumulatorOverflow(uint64_t m_, uint64_t n_, uint64_t k_, int64_t value_, int bits)
    : std::runtime_error("accumulator overflow (accumulator_overflow: error): output (m " + std::to_string(m_) +
                         ", n " + std::to_string(n_) + ") at k " + std::to_string(k_) + ": partial sum " +
                         std::to_string(value_) + " does not fit " + std::to_string(bits) + " bits"),
      m(m_),
      n(n_),
      k(k_),
      value(value_) {}

TernaryGemmResult ternary_gemm_tiled(const TernaryArrayConfig& cfg, const TileShape& tiles,
                                     const QuantizedActivations& a, const std::vector<uint8_t>& w_packed, float gamma,
                                     uint64_t N) {
  check_activations(a, "ternary_gemm_tiled");
  check_tiling(cfg.rows, cfg.cols, tiles, "ternary_gemm_tiled");
  const uint64_t M = a.rows, K = a.cols;
  if (N == 0) throw std::invalid_argument("ternary_gemm_tiled: N must be positive");
  if (w_packed.size() != packed_bytes(K * N, cfg.format)) {
    throw std::invalid_argument("ternary_gemm_tiled: " + std::to_string(w_packed.size()) + " weight bytes for " +
                                std::to_string(K) + " x " + std::to_string(N) + " " + weight_format_name(cfg.format) +
                                " weights");
  }
  const AccRange r = acc_range(cfg.accumulator_bits);

  std::vector<char> fast(M);
  for (uint64_t m = 0; m < M; ++m) {
    int64_t bound = 0;
    for (uint64_t k = 0; k < K; ++k) bound += std::abs(static_cast<int>(a.q[m * K + k]));
    fast[m] = bound <= r.hi;
  }

  TernaryGemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0);
  res.y.assign(M * N, 0.0f);
  std::vector<int16_t> wt;        // unpacked weight tile, tk x tn in column blocks
  std::vector<int16_t> row;       // one unpacked tile row
  std::vector<int64_t> acc_tile;  // partial sums of the output tile at accumulator precision

  for_each_tile(M, K, N, tiles, [&](uint64_t m0, uint64_t k0, uint64_t n0, uint64_t tm, uint64_t tk, uint64_t tn) {
    ++res.tiles;
    // Unpack stage: the tile's weights, row by row, straight from the packed tensor, into column
    // blocks of kBlock (block-major, then k, then column) so a fold reads each block contiguously.
    const uint64_t bw = std::min(kBlock, tn), nblocks = (tn + bw - 1) / bw;
    wt.assign(nblocks * tk * bw, 0);
    row.resize(tn);
    uint64_t nonzero = 0;
    for (uint64_t k = 0; k < tk; ++k) {
      unpack_ternary(w_packed.data(), w_packed.size(), cfg.format, (k0 + k) * N + n0, tn, row.data());
      for (uint64_t n = 0; n < tn; ++n) {
        nonzero += row[n] != 0;
        wt[(n / bw) * tk * bw + k * bw + n % bw] = row[n];
      }
    }
    if (m0 == 0) res.nonzero_weights += nonzero;
    res.adds += tm * nonzero;
    if (k0 == 0) acc_tile.assign(tm * tn, 0);

    for_each_fold(cfg.dataflow, cfg.rows, cfg.cols, tm, tk, tn, [&](const Fold& f) {
      ++res.folds;
      const uint64_t kc = f.k1 - f.k0;
      for (uint64_t m = f.m0; m < f.m1; ++m) {
        const int8_t* arow = a.q.data() + (m0 + m) * K + k0 + f.k0;
        // The fold's columns, piece by piece within the unpacked column blocks.
        for (uint64_t n = f.n0; n < f.n1;) {
          const uint64_t blk = n / bw, off = n % bw;
          const uint64_t nc = std::min(f.n1 - n, bw - off);
          const int16_t* w = wt.data() + blk * tk * bw + f.k0 * bw + off;
          int64_t* acc = acc_tile.data() + m * tn + n;
          if (fast[m0 + m]) {
            fast_row(acc, arow, w, bw, kc, nc);
          } else if (cfg.overflow == OverflowMode::Saturate) {
            res.saturations += saturating_row(acc, arow, w, bw, kc, nc, r.lo, r.hi);
          } else {
            uint64_t bk = 0, bn = 0;
            if (!checked_row(acc, arow, w, bw, kc, nc, r.lo, r.hi, &bk, &bn)) {
              throw AccumulatorOverflow(m0 + m, n0 + n + bn, k0 + f.k0 + bk, acc[bn], cfg.accumulator_bits);
            }
          }
          n += nc;
        }
      }
    });

    if (k0 + tk == K) {  // last K-tile: rescale once per output and write back
      for (uint64_t m = 0; m < tm; ++m) {
        const float factor = rescale_factor(gamma, a.scale[m0 + m]);
        for (uint64_t n = 0; n < tn; ++n) {
          const int64_t v = acc_tile[m * tn + n];
          res.acc[(m0 + m) * N + n0 + n] = v;
          res.y[(m0 + m) * N + n0 + n] = rescale(v, factor);
        }
      }
    }
  });
  return res;
}

namespace {

// The reference's inner loop over n for one (m, k): the accumulator semantics spelled out.
LPUSIM_VECTOR_CLONES
uint64_t reference_step(int64_t* __restrict acc, int32_t ak, const int8_t* __restrict wr, uint64_t N, int64_t lo,
                        int64_t hi) {
  uint64_t count = 0;
  for (uint64_t n = 0; n < N; ++n) {
    const int64_t s = acc[n] + ak * wr[n];  // the product is 32-bit: AVX2 has no 64-bit multiply
    const int64_t c = s < lo ? lo : s > hi ? hi : s;
    count += c != s;
    acc[n] = c;
  }
  return count;
}

// The same step for accumulators of at most 32 bits, in int32 lanes (twice the lanes of int64):
// the sum wraps as uint32, a wrap is an overflow of the 32-bit range, anything else is clamped to
// [lo, hi].
LPUSIM_VECTOR_CLONES
uint64_t reference_step32(int32_t* __restrict acc, int32_t ak, const int8_t* __restrict wr, uint64_t N, int32_t lo,
                          int32_t hi) {
  uint32_t count = 0;  // 32-bit lanes for the vectorised count (N < 2^32)
  for (uint64_t n = 0; n < N; ++n) {
    const int32_t t = ak * wr[n];
    const int32_t s = static_cast<int32_t>(static_cast<uint32_t>(acc[n]) + static_cast<uint32_t>(t));
    const bool wrapped = ((acc[n] ^ s) & (t ^ s)) < 0;
    const int32_t clamped = s < lo ? lo : s > hi ? hi : s;
    const int32_t c = wrapped ? (t < 0 ? INT32_MIN : INT32_MAX) : clamped;
    count += wrapped | (c != s);
    acc[n] = c;
  }
  return count;
}

LPUSIM_VECTOR_CLONES
void exact_step(int64_t* __restrict acc, int32_t ak, const int8_t* __restrict wr, uint64_t N) {
  for (uint64_t n = 0; n < N; ++n) acc[n] += ak * wr[n];
}

}  // namespace

TernaryGemmResult ternary_gemm_reference(const QuantizedActivations& a, const TernaryWeights& w, int accumulator_bits,
                                         OverflowMode overflow) {
  check_activations(a, "ternary_gemm_reference");
  if (w.rows != a.cols || w.t.size() != w.rows * w.cols) {
    throw std::invalid_argument("ternary_gemm_reference: weight shape does not match the activations");
  }
  const AccRange r = acc_range(accumulator_bits);
  const uint64_t M = a.rows, K = a.cols, N = w.cols;
  TernaryGemmResult res;
  res.M = M;
  res.N = N;
  res.acc.assign(M * N, 0);
  res.y.assign(M * N, 0.0f);
  // Rows go in groups of kRefRows so each weight row is fetched from memory once per group rather
  // than once per row; every output still adds its K products one at a time, k ascending.
  constexpr uint64_t kRefRows = 16;
  const bool narrow = overflow == OverflowMode::Saturate && accumulator_bits <= 32;
  std::vector<int32_t> acc32(narrow ? kRefRows * N : 0);
  for (uint64_t mb = 0; mb < M; mb += kRefRows) {
    const uint64_t me = std::min(M, mb + kRefRows);
    std::fill(acc32.begin(), acc32.end(), 0);
    for (uint64_t k = 0; k < K; ++k) {
      const int8_t* wr = w.t.data() + k * N;
      for (uint64_t m = mb; m < me; ++m) {
        const int32_t ak = a.q[m * K + k];
        int64_t* acc = res.acc.data() + m * N;
        if (overflow == OverflowMode::Error) {
          for (uint64_t n = 0; n < N; ++n) {
            acc[n] += ak * wr[n];
            if (acc[n] < r.lo || acc[n] > r.hi) throw AccumulatorOverflow(m, n, k, acc[n], accumulator_bits);
          }
        } else if (narrow) {
          res.saturations += reference_step32(acc32.data() + (m - mb) * N, ak, wr, N, static_cast<int32_t>(r.lo),
                                              static_cast<int32_t>(r.hi));
        } else {
          res.saturations += reference_step(acc, ak, wr, N, r.lo, r.hi);
        }
      }
    }
    for (uint64_t m = mb; m < me; ++m) {
      int64_t* acc = res.acc.data() + m * N;
      if (narrow) std::copy_n(acc32.data() + (m - mb) * N, N, acc);
      const float factor = rescale_factor(w.gamma, a.scale[m]);
      for (uint64_t n = 0; n < N; ++n) res.y[m * N + n] = rescale(acc[n], factor);
    }
  }
  for (int8_t v : w.t) res.nonzero_weights += v != 0;
  res.adds = M * res.nonzero_weights;
  return res;
}

std::vector<int64_t> ternary_gemm_exact(const QuantizedActivations& a, const TernaryWeights& w) {
  check_activations(a, "ternary_gemm_exact");
  if (w.rows != a.cols || w.t.size() != w.rows * w.cols) {
    throw std::invalid_argument("ternary_gemm_exact: weight shape does not match the activations");
  }
  const uint64_t M = a.rows, K = a.cols, N = w.cols;
  std::vector<int64_t> out(M * N, 0);
  for (uint64_t m = 0; m < M; ++m)
    for (uint64_t k = 0; k < K; ++k) exact_step(out.data() + m * N, a.q[m * K + k], w.t.data() + k * N, N);
  return out;
}

}  // namespace lpusim::datapath
