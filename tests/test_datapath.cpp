// Functional datapath: quantisers, packing formats, and the tiled ternary / FP16 GEMM models
// against their plain references (bit-exact) and the FP16 rounding-error bound.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "compiler/compiler.h"
#include "datapath/fp16.h"
#include "datapath/fp16_gemm.h"
#include "datapath/packing.h"
#include "datapath/quant.h"
#include "datapath/systolic.h"
#include "datapath/ternary_gemm.h"
#include "helpers.h"

using namespace lpusim;
using namespace lpusim::datapath;

namespace {

const Dataflow kDataflows[] = {Dataflow::OutputStationary, Dataflow::WeightStationary, Dataflow::InputStationary};

QuantizedActivations random_acts(uint64_t M, uint64_t K, std::mt19937_64& g) {
  QuantizedActivations a;
  a.rows = M;
  a.cols = K;
  a.q.resize(M * K);
  for (auto& v : a.q) v = static_cast<int8_t>(static_cast<int>(g() % 256) - 128);  // full INT8 range
  for (uint64_t m = 0; m < M; ++m) a.scale.push_back(1.0f + static_cast<float>(g() % 1000) / 7.0f);
  return a;
}

QuantizedActivations const_acts(uint64_t M, uint64_t K, int8_t v) {
  QuantizedActivations a;
  a.rows = M;
  a.cols = K;
  a.q.assign(M * K, v);
  a.scale.assign(M, 127.0f);
  return a;
}

TernaryWeights random_ternary(uint64_t K, uint64_t N, std::mt19937_64& g) {
  TernaryWeights w;
  w.rows = K;
  w.cols = N;
  for (uint64_t i = 0; i < K * N; ++i) w.t.push_back(static_cast<int8_t>(static_cast<int>(g() % 3) - 1));
  w.gamma = 0.37f;
  return w;
}

TernaryWeights const_ternary(uint64_t K, uint64_t N, int8_t v) {
  TernaryWeights w;
  w.rows = K;
  w.cols = N;
  w.t.assign(K * N, v);
  w.gamma = 1.0f;
  return w;
}

TernaryArrayConfig tcfg(uint64_t R, uint64_t C, Dataflow df, int bits, OverflowMode mode, WeightFormat f) {
  TernaryArrayConfig c;
  c.rows = R;
  c.cols = C;
  c.dataflow = df;
  c.accumulator_bits = bits;
  c.overflow = mode;
  c.format = f;
  return c;
}

// Folds the timing model charges for the same tiles (datapath/systolic.h).
uint64_t timing_folds(Dataflow df, uint64_t R, uint64_t C, uint64_t M, uint64_t K, uint64_t N, const TileShape& t) {
  uint64_t folds = 0;
  for_each_tile(M, K, N, t, [&](uint64_t, uint64_t, uint64_t, uint64_t m, uint64_t k, uint64_t n) {
    ArrayShape a;
    a.dataflow = df;
    a.rows = R;
    a.cols = C;
    folds += systolic_gemm(a, m, k, n).folds;
  });
  return folds;
}

void require_same(const TernaryGemmResult& a, const TernaryGemmResult& b) {
  REQUIRE(a.acc == b.acc);
  REQUIRE(a.y.size() == b.y.size());
  for (size_t i = 0; i < a.y.size(); ++i) REQUIRE(float_bits(a.y[i]) == float_bits(b.y[i]));
  REQUIRE(a.saturations == b.saturations);
  REQUIRE(a.adds == b.adds);
  REQUIRE(a.nonzero_weights == b.nonzero_weights);
}

}  // namespace

TEST_CASE("absmax INT8 quantisation matches hand-computed values, ties to even, zero rows finite") {
  // Row 0: max 127 -> s = 1; 0.5 -> 0 and -2.5 -> -2 (ties to even, as torch.round), 1.5 -> 2.
  // Row 1: max 2 -> s = 63.5; 1 -> 63.5 -> 64, -2 -> -127, 0.5 -> 31.75 -> 32.
  // Row 2: all zero -> q = 0 and s = 127 / 1e-5 (no NaN).
  const std::vector<float> x = {127, 0.5f, 1.5f, -2.5f, 1, -2, 0.5f, 0, 0, 0, 0, 0};
  QuantizedActivations q = quantize_absmax_int8(x, 3, 4);
  REQUIRE(q.q == std::vector<int8_t>{127, 0, 2, -2, 64, -127, 32, 0, 0, 0, 0, 0});
  REQUIRE(q.scale[0] == 1.0f);
  REQUIRE(q.scale[1] == 63.5f);
  REQUIRE(q.scale[2] == 127.0f / 1e-5f);
  REQUIRE(std::isfinite(q.scale[2]));
}

TEST_CASE("absmean ternarisation matches hand-computed values and zero fraction") {
  // mean|W| = (0.25 + 0.75 + 1 + 0 + 2) / 5 = 0.8; W/gamma = 0.3125, -0.9375, 1.25, 0, 2.5
  TernaryWeights t = quantize_absmean_ternary({0.25f, -0.75f, 1.0f, 0.0f, 2.0f}, 1, 5);
  REQUIRE(t.gamma == Approx(0.8f));
  REQUIRE(t.t == std::vector<int8_t>{0, -1, 1, 0, 1});
  // mean|W| = 0.5: 0.25 -> 0.5 -> 0 and -0.75 -> -1.5 -> -2 (ties to even) -> clipped to -1.
  TernaryWeights u = quantize_absmean_ternary({0.25f, -0.75f, 1.0f, 0.0f}, 2, 2);
  REQUIRE(u.gamma == 0.5f);
  REQUIRE(u.t == std::vector<int8_t>{0, -1, 1, 0});
  TernaryWeights z = quantize_absmean_ternary(std::vector<float>(6, 0.0f), 2, 3);
  REQUIRE(z.gamma == kQuantEps);
  REQUIRE(zero_fraction(z.t) == 1.0);
  REQUIRE(zero_fraction(t.t) == Approx(0.4));
  REQUIRE_THROWS_AS(quantize_absmean_ternary({1, 2, 3}, 2, 2), std::invalid_argument);
}

TEST_CASE("packed2 and base3: documented codes, round trips, byte counts, ranges") {
  const std::vector<int8_t> four = {1, -1, 0, 1};
  REQUIRE(pack_ternary(four, WeightFormat::Packed2) == std::vector<uint8_t>{1 | (2 << 2) | (0 << 4) | (1 << 6)});
  const std::vector<int8_t> five = {1, -1, 0, 1, -1};  // digits 2, 0, 1, 2, 0
  REQUIRE(pack_ternary(five, WeightFormat::Base3) == std::vector<uint8_t>{2 + 0 * 3 + 1 * 9 + 2 * 27 + 0 * 81});
  REQUIRE(pack_ternary(std::vector<int8_t>(5, 1), WeightFormat::Base3) == std::vector<uint8_t>{242});

  std::mt19937_64 g(7);
  for (WeightFormat f : {WeightFormat::Packed2, WeightFormat::Base3}) {
    for (uint64_t n = 1; n <= 41; ++n) {
      std::vector<int8_t> t(n);
      for (auto& v : t) v = static_cast<int8_t>(static_cast<int>(g() % 3) - 1);
      const std::vector<uint8_t> p = pack_ternary(t, f);
      REQUIRE(p.size() == ternary_bytes(n, weight_format_name(f)));
      REQUIRE(unpack_ternary(p, n, f) == t);
      // Any element range, starting mid-byte, decodes to the same slice.
      for (uint64_t first = 0; first < n; first += 3) {
        const uint64_t count = std::min<uint64_t>(n - first, 1 + first % 7);
        std::vector<int16_t> part(count);
        unpack_ternary(p.data(), p.size(), f, first, count, part.data());
        for (uint64_t i = 0; i < count; ++i) REQUIRE(part[i] == t[first + i]);
      }
    }
  }
  REQUIRE(ternary_bytes(1000003, "base3") == packed_bytes(1000003, WeightFormat::Base3));
  REQUIRE(ternary_bytes(1000003, "packed2") == packed_bytes(1000003, WeightFormat::Packed2));
  REQUIRE_THROWS_AS(pack_ternary(std::vector<int8_t>{0, 2}, WeightFormat::Packed2), std::invalid_argument);
}

TEST_CASE("unpack rejects illegal bytes with their position") {
  // base3: 243 is not a 5-trit group.
  std::vector<uint8_t> b3 = pack_ternary(std::vector<int8_t>(15, 0), WeightFormat::Base3);
  b3[2] = 243;
  try {
    unpack_ternary(b3, 15, WeightFormat::Base3);
    FAIL("no error");
  } catch (const PackError& e) {
    REQUIRE(e.byte_index == 2);
    REQUIRE(e.value == 243);
    REQUIRE(std::string(e.what()).find("byte 2 = 243") != std::string::npos);
  }
  // packed2: code 11 in slot 2 of byte 1 (elements 4..7) is an error when element 6 is read only.
  std::vector<uint8_t> p2 = pack_ternary(std::vector<int8_t>(8, 1), WeightFormat::Packed2);
  p2[1] = static_cast<uint8_t>((p2[1] & ~(3u << 4)) | (3u << 4));
  REQUIRE_THROWS_AS(unpack_ternary(p2, 8, WeightFormat::Packed2), PackError);
  std::vector<int8_t> out(2);
  REQUIRE_NOTHROW(unpack_ternary(p2.data(), p2.size(), WeightFormat::Packed2, 4, 2, out.data()));
  REQUIRE_THROWS_WITH(unpack_ternary(p2.data(), p2.size(), WeightFormat::Packed2, 5, 2, out.data()),
                      Catch::Contains("slot 2"));
  REQUIRE_THROWS_AS(unpack_ternary(p2.data(), p2.size(), WeightFormat::Packed2, 7, 2, out.data()), std::out_of_range);
  REQUIRE_THROWS_AS(unpack_ternary(p2, 9, WeightFormat::Packed2), std::invalid_argument);  // wrong byte count
}

TEST_CASE("ternary tiled model is bit-exact with the reference on ragged shapes, all dataflows and formats") {
  std::mt19937_64 g(11);
  struct Shape {
    uint64_t R, C, M, K, N;
    TileShape t;
  };
  const Shape shapes[] = {
      {4, 3, 13, 37, 11, {5, 8, 7}},     // nothing divides anything
      {8, 8, 16, 64, 24, {16, 64, 8}},   // divisible
      {5, 7, 9, 300, 70, {9, 300, 70}},  // one tile, k > int16 chunk, n over several blocks
      {3, 2, 1, 129, 130, {1, 50, 65}},  // GEMV, K split into tiles
  };
  for (const Shape& s : shapes) {
    const QuantizedActivations a = random_acts(s.M, s.K, g);
    const TernaryWeights w = random_ternary(s.K, s.N, g);
    const TernaryGemmResult ref = ternary_gemm_reference(a, w, 32, OverflowMode::Saturate);
    REQUIRE(ref.acc == ternary_gemm_exact(a, w));
    REQUIRE(ref.saturations == 0);
    for (WeightFormat f : {WeightFormat::Packed2, WeightFormat::Base3}) {
      const std::vector<uint8_t> p = pack_ternary(w.t, f);
      for (Dataflow df : kDataflows) {
        CAPTURE(s.M, s.K, s.N, static_cast<int>(df), weight_format_name(f));
        const TernaryGemmResult r =
            ternary_gemm_tiled(tcfg(s.R, s.C, df, 32, OverflowMode::Saturate, f), s.t, a, p, w.gamma, s.N);
        require_same(r, ref);
        REQUIRE(r.folds == timing_folds(df, s.R, s.C, s.M, s.K, s.N, s.t));
      }
    }
  }
  // The FP32 rescale: y = float(acc) * (gamma / s_x).
  const QuantizedActivations a = const_acts(1, 3, 5);
  const TernaryWeights w = const_ternary(3, 1, 1);
  const TernaryGemmResult r = ternary_gemm_reference(a, w, 32, OverflowMode::Saturate);
  REQUIRE(r.y[0] == 15.0f * (1.0f / 127.0f));
}

TEST_CASE("ternary edge cases: all zeros, all +1 with activations 127") {
  for (Dataflow df : kDataflows) {
    const TileShape t{6, 50, 5};
    const QuantizedActivations zeros = const_acts(7, 100, 0);
    const TernaryWeights wz = const_ternary(100, 9, 0);
    const TernaryGemmResult z = ternary_gemm_tiled(tcfg(4, 4, df, 32, OverflowMode::Error, WeightFormat::Base3), t,
                                                   zeros, pack_ternary(wz.t, WeightFormat::Base3), wz.gamma, 9);
    REQUIRE(z.acc == std::vector<int64_t>(63, 0));
    REQUIRE(z.adds == 0);
    REQUIRE(z.nonzero_weights == 0);

    const QuantizedActivations big = const_acts(7, 1000, 127);
    const TernaryWeights ones = const_ternary(1000, 9, 1);
    const TernaryGemmResult o =
        ternary_gemm_tiled(tcfg(4, 4, df, 32, OverflowMode::Error, WeightFormat::Packed2), TileShape{6, 300, 5}, big,
                           pack_ternary(ones.t, WeightFormat::Packed2), 1.0f, 9);
    REQUIRE(o.acc == std::vector<int64_t>(63, 127 * 1000));
    REQUIRE(o.saturations == 0);
    REQUIRE(o.adds == 7u * 1000u * 9u);
    require_same(o, ternary_gemm_reference(big, ones, 32, OverflowMode::Error));
  }
}

TEST_CASE("narrow accumulators saturate like the reference and count the clamped adds") {
  // 12 bits: [-2048, 2047]. Activations 127, weights +1 for k < 20 and -1 after (K = 40): the partial
  // sum reaches 127 * 16 = 2032, then every add of k = 16..19 clamps (4 saturations), then 20
  // subtractions: 2047 - 2540 = -493, where the exact result is 0.
  const uint64_t M = 5, K = 40, N = 6;
  const QuantizedActivations a = const_acts(M, K, 127);
  TernaryWeights w = const_ternary(K, N, 1);
  for (uint64_t k = K / 2; k < K; ++k)
    for (uint64_t n = 0; n < N; ++n) w.t[k * N + n] = -1;
  const TernaryGemmResult ref = ternary_gemm_reference(a, w, 12, OverflowMode::Saturate);
  REQUIRE(ref.acc == std::vector<int64_t>(M * N, -493));
  REQUIRE(ref.saturations == 4 * M * N);
  REQUIRE(ternary_gemm_exact(a, w) == std::vector<int64_t>(M * N, 0));
  for (Dataflow df : kDataflows) {
    for (TileShape t : {TileShape{2, 7, 4}, TileShape{5, 40, 6}}) {  // K-tiles carry clamped partial sums
      const TernaryGemmResult r = ternary_gemm_tiled(tcfg(3, 2, df, 12, OverflowMode::Saturate, WeightFormat::Base3), t,
                                                     a, pack_ternary(w.t, WeightFormat::Base3), 1.0f, N);
      require_same(r, ref);
    }
  }
  // Random data at 16 bits: K large enough that many partial sums leave the range.
  std::mt19937_64 g(5);
  QuantizedActivations ra = random_acts(6, 2000, g);
  for (auto& v : ra.q) v = static_cast<int8_t>(std::abs(static_cast<int>(v)) / 2 + 60);  // positive, drifts up
  TernaryWeights rw = random_ternary(2000, 10, g);
  for (auto& v : rw.t) v = g() % 5 < 3 ? 1 : v;  // mean weight ~0.6: the sums drift up to the bound
  const TernaryGemmResult rref = ternary_gemm_reference(ra, rw, 16, OverflowMode::Saturate);
  REQUIRE(rref.saturations > 0);
  REQUIRE(rref.acc != ternary_gemm_exact(ra, rw));
  for (Dataflow df : kDataflows) {
    require_same(ternary_gemm_tiled(tcfg(4, 3, df, 16, OverflowMode::Saturate, WeightFormat::Packed2),
                                    TileShape{4, 333, 7}, ra, pack_ternary(rw.t, WeightFormat::Packed2), rw.gamma, 10),
                 rref);
  }
}

TEST_CASE("a 32-bit accumulator saturates at 2^31 - 1 in model and reference") {
  // 127 * 16909321 = 2147483767 > 2^31 - 1: the add at k = 16909320 is the first to clamp.
  const uint64_t K = 16909330;
  const QuantizedActivations a = const_acts(1, K, 127);
  const TernaryWeights w = const_ternary(K, 2, 1);
  const TernaryGemmResult ref = ternary_gemm_reference(a, w, 32, OverflowMode::Saturate);
  REQUIRE(ref.acc == std::vector<int64_t>(2, INT32_MAX));
  REQUIRE(ref.saturations == 2 * (K - 16909320));
  const TernaryGemmResult r =
      ternary_gemm_tiled(tcfg(64, 64, Dataflow::OutputStationary, 32, OverflowMode::Saturate, WeightFormat::Packed2),
                         TileShape{1, 1u << 20, 2}, a, pack_ternary(w.t, WeightFormat::Packed2), 1.0f, 2);
  require_same(r, ref);
}

TEST_CASE("error mode stops at the first overflowing add and names the output and k") {
  // Only output (2, 3) can overflow: row 2 holds 127s, column 3 holds +1s, everything else is small.
  const uint64_t M = 4, K = 40, N = 5;
  QuantizedActivations a = const_acts(M, K, 1);
  for (uint64_t k = 0; k < K; ++k) a.q[2 * K + k] = 127;
  TernaryWeights w = const_ternary(K, N, 0);
  for (uint64_t k = 0; k < K; ++k) w.t[k * N + 3] = 1;
  for (Dataflow df : kDataflows) {
    try {
      ternary_gemm_tiled(tcfg(3, 2, df, 12, OverflowMode::Error, WeightFormat::Packed2), TileShape{3, 9, 4}, a,
                         pack_ternary(w.t, WeightFormat::Packed2), 1.0f, N);
      FAIL("no overflow reported");
    } catch (const AccumulatorOverflow& e) {
      REQUIRE(e.m == 2);
      REQUIRE(e.n == 3);
      REQUIRE(e.k == 16);
      REQUIRE(e.value == 127 * 17);
      REQUIRE(std::string(e.what()).find("output (m 2, n 3) at k 16") != std::string::npos);
    }
  }
  REQUIRE_THROWS_AS(ternary_gemm_reference(a, w, 12, OverflowMode::Error), AccumulatorOverflow);
  // 127 * 40 = 5080 fits 14 bits: no error, and the result is exact.
  const TernaryGemmResult ok =
      ternary_gemm_tiled(tcfg(3, 2, Dataflow::WeightStationary, 14, OverflowMode::Error, WeightFormat::Packed2),
                         TileShape{3, 9, 4}, a, pack_ternary(w.t, WeightFormat::Packed2), 1.0f, N);
  REQUIRE(ok.acc == ternary_gemm_exact(a, w));
}

TEST_CASE("round_to_half equals GCC's _Float16 conversion") {
#if defined(__FLT16_MAX__)
  auto same = [](float x) {
    const float r = round_to_half(x), g = static_cast<float>(static_cast<_Float16>(x));
    return float_bits(r) == float_bits(g) || (std::isnan(r) && std::isnan(g));
  };
  uint64_t bad = 0;
  for (uint64_t u = 0; u < (1ull << 32); u += 4099) bad += !same(bits_float(static_cast<uint32_t>(u)));
  // Every FP16 value, the midpoints to its neighbour (ties) and one FP32 ulp either side of them.
  auto half_value = [](uint32_t bits) {
    const uint16_t b = static_cast<uint16_t>(bits);
    _Float16 h;
    std::memcpy(&h, &b, sizeof h);
    return static_cast<float>(h);
  };
  for (uint32_t h = 0; h < 0x7C00; ++h) {  // positive finite FP16 values
    const float v = half_value(h), next = half_value(h + 1);
    const float mid = static_cast<float>((static_cast<double>(v) + next) / 2);
    for (float x : {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f)}) {
      bad += !same(x);
      bad += !same(-x);
    }
  }
  REQUIRE(bad == 0);
#endif
  REQUIRE(round_to_half(65504.0f) == 65504.0f);
  REQUIRE(std::isinf(round_to_half(65520.0f)));
  REQUIRE(round_to_half(65519.0f) == 65504.0f);
  REQUIRE(round_to_half(0x1p-25f) == 0.0f);         // tie between 0 and 2^-24: to even (0)
  REQUIRE(round_to_half(0x1.8p-24f) == 0x1p-23f);   // tie between 2^-24 and 2^-23: to even
  REQUIRE(round_to_half(1.0f + 0x1p-11f) == 1.0f);  // tie: to even
  REQUIRE(round_to_half(1.0f + 0x1.8p-10f) == 1.0f + 0x1p-9f);
}

namespace {

std::vector<float> half_tensor(uint64_t n, std::mt19937_64& g, bool positive) {
  std::vector<float> x(n);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (auto& v : x) v = positive ? std::fabs(d(g)) : d(g);
  return round_tensor_to_half(x);
}

// Largest error / bound over the outputs (the model is within the bound iff this is <= 1).
double worst_ratio(const Fp16GemmResult& r, const Fp16Reference& ref) {
  double worst = 0;
  for (size_t i = 0; i < r.acc.size(); ++i) worst = std::max(worst, std::fabs(r.acc[i] - ref.y[i]) / ref.bound[i]);
  return worst;
}

}  // namespace

TEST_CASE("FP16 tiled model equals the same-order FP16 reference and stays within the Higham bound") {
  std::mt19937_64 g(3);
  const uint64_t M = 9, K = 300, N = 13;
  const std::vector<float> a = half_tensor(M * K, g, false), w = half_tensor(K * N, g, false);
  for (bool fp32 : {true, false}) {
    const Fp16GemmResult ref = fp16_gemm_reference(a, w, M, K, N, fp32);
    const Fp16Reference r64 = fp16_gemm_fp64(a, w, M, K, N, fp32);
    REQUIRE(r64.bound_applicable);
    for (Dataflow df : kDataflows) {
      for (TileShape t : {TileShape{4, 64, 5}, TileShape{9, 300, 13}}) {
        Fp16ArrayConfig c;
        c.rows = 4;
        c.cols = 3;
        c.dataflow = df;
        c.fp32_accumulate = fp32;
        const Fp16GemmResult r = fp16_gemm_tiled(c, t, a, w, M, K, N);
        for (size_t i = 0; i < r.acc.size(); ++i) REQUIRE(float_bits(r.acc[i]) == float_bits(ref.acc[i]));
        REQUIRE(r.folds == timing_folds(df, 4, 3, M, K, N, t));
        REQUIRE(worst_ratio(r, r64) <= 1.0);
      }
    }
  }
  REQUIRE_THROWS_AS(fp16_gemm_tiled(Fp16ArrayConfig{4, 4, Dataflow::OutputStationary, true}, TileShape{1, 1, 1}, {0.1f},
                                    {1.0f}, 1, 1, 1),
                    std::invalid_argument);  // 0.1 is not an FP16 value
}

TEST_CASE("the FP16 error bound is tight enough to catch the wrong accumulator precision") {
  // Positive data, K = 2000: FP16 accumulation loses the small addends of a large running sum.
  std::mt19937_64 g(9);
  const uint64_t M = 4, K = 2000, N = 6;
  const std::vector<float> a = half_tensor(M * K, g, true), w = half_tensor(K * N, g, true);
  Fp16ArrayConfig c{4, 4, Dataflow::OutputStationary, false};
  const Fp16GemmResult fp16_acc = fp16_gemm_tiled(c, TileShape{4, 500, 6}, a, w, M, K, N);
  c.fp32_accumulate = true;
  const Fp16GemmResult fp32_acc = fp16_gemm_tiled(c, TileShape{4, 500, 6}, a, w, M, K, N);
  const Fp16Reference b32 = fp16_gemm_fp64(a, w, M, K, N, true);
  const Fp16Reference b16 = fp16_gemm_fp64(a, w, M, K, N, false);
  REQUIRE(worst_ratio(fp32_acc, b32) <= 1.0);
  REQUIRE(worst_ratio(fp16_acc, b16) <= 1.0);
  REQUIRE(worst_ratio(fp16_acc, b32) > 1.0);  // an FP16 accumulator where FP32 was specified is caught
  // And without the product rounding the FP32-accumulated result would differ from the model.
  double unrounded = 0;
  for (uint64_t k = 0; k < K; ++k) unrounded = static_cast<float>(unrounded + a[k] * w[k * N]);
  REQUIRE(static_cast<float>(unrounded) != fp32_acc.acc[0]);
}

TEST_CASE("lpusim gemm: bit-exact ternary and bounded FP16 runs, overflow and usage errors") {
  using namespace lpusim_test;
  const std::string lpu = src("configs/designs/lpu_64x64.yaml");
  CmdResult t = run_lpusim("gemm " + lpu + " --unit tmac --m 70 --k 130 --n 90 --seed 4", "gemm_t");
  REQUIRE(t.code == 0);
  REQUIRE(t.out.find("bit-exact    yes") != std::string::npos);
  REQUIRE(t.out.find("tiling       tm 70  tk 130  tn 90") != std::string::npos);
  CmdResult f = run_lpusim("gemm " + lpu + " --unit fpmac --m 20 --k 100 --n 30 --case ones_max", "gemm_f");
  REQUIRE(f.code == 0);
  REQUIRE(f.out.find("max abs 0,") != std::string::npos);  // sums of ones are exact in FP32
  // A 12-bit accumulator in error mode stops the run (exit 3) with the coordinates.
  const std::string dir = temp_tree("gemm");
  const std::string design = dir + "/configs/designs/lpu12.yaml";
  std::string y = read_file(dir + "/configs/designs/lpu_64x64.yaml");
  y = replace_once(y, "accumulator_bits: 32", "accumulator_bits: 12");
  y = replace_once(y, "accumulator_overflow: saturate", "accumulator_overflow: error");
  write_file(design, y);
  CmdResult e = run_lpusim("gemm " + design + " --unit tmac --m 2 --k 40 --n 3 --case ones_max", "gemm_e");
  REQUIRE(e.code == 3);
  REQUIRE(e.out.find("output (m 0, n 0) at k 16") != std::string::npos);
  // The same accumulator saturating: 4 clamped adds per output (see the saturation test above), and
  // the +1/-1 overflow case ends at 2047 - 20 * 127 = -493 instead of the exact 0 in all 6 outputs.
  const std::string sat = dir + "/configs/designs/lpu12s.yaml";
  write_file(sat, replace_once(y, "accumulator_overflow: error", "accumulator_overflow: saturate"));
  CmdResult s = run_lpusim("gemm " + sat + " --unit tmac --m 2 --k 40 --n 3 --case overflow", "gemm_s");
  REQUIRE(s.code == 0);
  REQUIRE(s.out.find("saturations  24 (reference 24); outputs differing from the exact int64 result: 6") !=
          std::string::npos);
  CmdResult bad = run_lpusim("gemm " + lpu + " --unit vec --m 2 --k 4 --n 3", "gemm_b");
  REQUIRE(bad.code == 2);
  REQUIRE(bad.err.find("no functional model") != std::string::npos);
  CmdResult zf = run_lpusim("gemm " + lpu + " --unit tmac --m 2 --k 4 --n 3 --zero-fraction 1.5", "gemm_z");
  REQUIRE(zf.code == 2);
}
