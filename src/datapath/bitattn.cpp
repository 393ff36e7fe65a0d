#include "datapath/bitattn.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lpusim {
namespace bitattn {

namespace {

uint32_t words_for(uint32_t d) { return (d + 63) / 64; }
uint64_t lane_words(uint32_t d, uint32_t lane_bits) { return (d + lane_bits - 1) / lane_bits; }

void set_bit(std::vector<uint64_t>& v, size_t word0, uint32_t i) { v[word0 + i / 64] |= 1ull << (i % 64); }

int64_t pc(uint64_t x) { return __builtin_popcountll(x); }

// Mask of the valid bits of word w of a d-element vector (XNOR would otherwise count padding).
uint64_t valid_mask(uint32_t d, uint32_t w) {
  const uint32_t used = std::min<uint32_t>(64, d - w * 64);
  return used == 64 ? ~0ull : ((1ull << used) - 1);
}

double absmax(const std::vector<float>& x) {
  double m = 0;
  for (float v : x) m = std::max(m, std::fabs(static_cast<double>(v)));
  return m;
}

// Spike firing: the query side fires in its first c steps, the key side spreads c spikes over T.
bool fires(Side side, int64_t c, uint32_t t, uint32_t T) {
  if (side == Side::Query) return static_cast<int64_t>(t) < c;
  return ((t + 1) * c) / T > (t * c) / T;
}

// Step of the MSE-optimal uniform quantiser of a unit Gaussian with N levels (Max, "Quantizing for
// minimum distortion", IRE Trans. Inf. Theory 1960, uniform-quantiser table): N = 2, 4, 8, 16, 32, 64.
// Geometric interpolation between table points; above 64 levels no clipping (infinity).
double gaussian_step(uint64_t levels) {
  static const double table[] = {1.596, 0.9957, 0.5860, 0.3352, 0.1881, 0.1041};
  if (levels > 64) return INFINITY;
  const double l2 = std::log2(static_cast<double>(std::max<uint64_t>(levels, 2)));
  const int i = std::min(4, static_cast<int>(l2) - 1);
  const double f = l2 - 1 - i;
  return table[i] * std::pow(table[i + 1] / table[i], f);
}

double rms(const std::vector<float>& x) {
  double s = 0;
  for (float v : x) s += static_cast<double>(v) * v;
  return x.empty() ? 0 : std::sqrt(s / static_cast<double>(x.size()));
}

// Step s of a vector coded with `levels` levels of which the largest magnitude is `top` steps:
// the smaller of absmax / top (no clipping) and the Gaussian MSE-optimal step x rms (clips the tails).
double step_for(const std::vector<float>& x, uint64_t levels, double top) {
  const double m = absmax(x);
  if (m == 0) return 1.0;
  return std::min(m / top, gaussian_step(levels) * rms(x));
}

}  // namespace

Encoding parse_encoding(const std::string& s) {
  if (s == "sign") return Encoding::Sign;
  if (s == "bit_plane") return Encoding::BitPlane;
  if (s == "spike") return Encoding::Spike;
  throw std::invalid_argument("unknown encoding '" + s + "'");
}

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::Sign: return "sign";
    case Encoding::BitPlane: return "bit_plane";
    case Encoding::Spike: return "spike";
  }
  return "?";
}

Softmax parse_softmax(const std::string& s) {
  if (s == "fp16") return Softmax::Fp32;
  if (s == "int_lut") return Softmax::IntLut;
  throw std::invalid_argument("unknown softmax '" + s + "'");
}

CodedVec encode(const std::vector<float>& x, Encoding enc, uint32_t T, Side side, bool is_unsigned) {
  if (T == 0) throw std::invalid_argument("encode: T must be >= 1");
  CodedVec c;
  c.d = static_cast<uint32_t>(x.size());
  c.words = words_for(c.d);
  c.ints.assign(c.d, 0);
  c.spike_query_side = side == Side::Query;
  const double m = absmax(x);
  if (enc == Encoding::Spike) {
    c.planes = T;
    c.scale = is_unsigned ? (m > 0 ? m / T : 1.0) : step_for(x, 2ull * T + 1, T);
    c.bits.assign(static_cast<size_t>(T) * c.words, 0);
    c.sign.assign(c.words, 0);
    for (uint32_t i = 0; i < c.d; ++i) {
      const int64_t cnt = std::min<int64_t>(T, std::llround(std::fabs(static_cast<double>(x[i])) / c.scale));
      const bool neg = x[i] < 0 && !is_unsigned;
      if (neg) set_bit(c.sign, 0, i);
      c.ints[i] = neg ? -cnt : cnt;
      for (uint32_t t = 0; t < T; ++t) {
        if (fires(side, cnt, t, T)) set_bit(c.bits, static_cast<size_t>(t) * c.words, i);
      }
    }
    return c;
  }
  c.planes = T;
  c.bits.assign(static_cast<size_t>(T) * c.words, 0);
  if (is_unsigned) {
    const int64_t top = (1ll << T) - 1;
    c.scale = m > 0 ? m / static_cast<double>(top) : 1.0;
    for (uint32_t i = 0; i < c.d; ++i) {
      c.ints[i] = std::clamp<int64_t>(std::llround(x[i] / c.scale), 0, top);
    }
  } else if (enc == Encoding::Sign || T == 1) {
    // XNOR-Net scaling: mean |x| minimises ||x - s * sign(x)||.
    double sum = 0;
    for (float v : x) sum += std::fabs(static_cast<double>(v));
    c.scale = c.d ? sum / c.d : 1.0;
    if (c.scale == 0) c.scale = 1.0;
    c.alpha = 2;
    c.beta = 1;
    for (uint32_t i = 0; i < c.d; ++i) c.ints[i] = x[i] >= 0 ? 1 : 0;
  } else {
    const int64_t o = 1ll << (T - 1);
    c.scale = step_for(x, 1ull << T, static_cast<double>(o - 1));
    c.alpha = 1;
    c.beta = o;
    for (uint32_t i = 0; i < c.d; ++i) {
      c.ints[i] = std::clamp<int64_t>(std::llround(x[i] / c.scale), -o, o - 1) + o;
    }
  }
  for (uint32_t i = 0; i < c.d; ++i) {
    for (uint32_t a = 0; a < T; ++a) {
      if ((c.ints[i] >> a) & 1) set_bit(c.bits, static_cast<size_t>(a) * c.words, i);
    }
  }
  c.plane_pop.assign(T, 0);
  for (uint32_t a = 0; a < T; ++a) {
    for (uint32_t w = 0; w < c.words; ++w) c.plane_pop[a] += pc(c.plane(a)[w]);
  }
  return c;
}

DotShape dot_shape(Encoding enc, uint32_t Ta, uint32_t Tb, bool a_unsigned) {
  DotShape s;
  if (enc == Encoding::Spike) {
    s.passes = 2 * Ta;  // popcount(Q_t AND K_t) and popcount(Q_t AND K_t AND agree) per step
    s.logic_per_pass = 1;
    s.extra_logic = 1;  // agree = XNOR(sign_q, sign_k), once per word
    s.key_planes = Tb + 1;
    s.corrections = 1;  // 2 * agree_count - total
    return s;
  }
  if (enc == Encoding::Sign && !a_unsigned && Ta == 1 && Tb == 1) {
    s.passes = 1;
    s.key_planes = 1;
    s.corrections = 1;  // 2 * popcount(XNOR) - d
    return s;
  }
  s.passes = Ta * Tb;
  s.key_planes = Tb;
  // k-side always signed here; the a-side offset adds two more terms when it is signed.
  s.corrections = a_unsigned ? 1 : 3;
  return s;
}

DotCounts& DotCounts::operator+=(const DotCounts& o) {
  logic_bits += o.logic_bits;
  popcount_bits += o.popcount_bits;
  lane_words += o.lane_words;
  correction_adds += o.correction_adds;
  return *this;
}

int64_t dot_bitwise(const CodedVec& a, const CodedVec& b, Encoding enc, uint32_t lane_bits, DotCounts* counts) {
  if (a.d != b.d) throw std::invalid_argument("dot_bitwise: length mismatch");
  const uint32_t d = a.d, W = a.words;
  const bool a_unsigned = enc != Encoding::Spike && a.beta == 0;
  if (counts) {
    const DotShape s = dot_shape(enc, a.planes, b.planes, a_unsigned);
    const uint64_t lw = lane_words(d, lane_bits);
    counts->lane_words += s.passes * lw;
    counts->popcount_bits += s.passes * lw * lane_bits;
    counts->logic_bits += (static_cast<uint64_t>(s.passes) * s.logic_per_pass + s.extra_logic) * lw * lane_bits;
    counts->correction_adds += s.corrections;
  }
  if (enc == Encoding::Spike) {
    int64_t dot = 0;
    for (uint32_t w = 0; w < W; ++w) {
      const uint64_t agree = ~(a.sign[w] ^ b.sign[w]) & valid_mask(d, w);
      for (uint32_t t = 0; t < a.planes; ++t) {
        const uint64_t both = a.plane(t)[w] & b.plane(t)[w];
        dot += 2 * pc(both & agree) - pc(both);
      }
    }
    return dot;
  }
  if (enc == Encoding::Sign && !a_unsigned && a.planes == 1 && b.planes == 1) {
    int64_t same = 0;
    for (uint32_t w = 0; w < W; ++w) same += pc(~(a.bits[w] ^ b.bits[w]) & valid_mask(d, w));
    return 2 * same - static_cast<int64_t>(d);  // = d - 2 * Hamming
  }
  int64_t x = 0, sa = 0, sb = 0;
  for (uint32_t p = 0; p < a.planes; ++p) {
    for (uint32_t q = 0; q < b.planes; ++q) {
      int64_t c = 0;
      for (uint32_t w = 0; w < W; ++w) c += pc(a.plane(p)[w] & b.plane(q)[w]);
      x += c << (p + q);
    }
  }
  for (uint32_t p = 0; p < a.planes; ++p) sa += a.plane_pop[p] << p;
  for (uint32_t q = 0; q < b.planes; ++q) sb += b.plane_pop[q] << q;
  return a.alpha * b.alpha * x - a.alpha * b.beta * sa - a.beta * b.alpha * sb +
         static_cast<int64_t>(d) * a.beta * b.beta;
}

int64_t dot_reference(const CodedVec& a, const CodedVec& b, Encoding enc) {
  int64_t dot = 0;
  if (enc == Encoding::Spike) {
    const int64_t T = a.planes;
    for (uint32_t i = 0; i < a.d; ++i) {
      const int64_t ca = std::llabs(a.ints[i]), cb = std::llabs(b.ints[i]);
      const int64_t sgn = ((a.ints[i] < 0) != (b.ints[i] < 0)) ? -1 : 1;
      // Thermometer x evenly spread spikes overlap in floor(ca * cb / T) steps.
      const int64_t overlap = a.spike_query_side != b.spike_query_side ? (ca * cb) / T : std::min(ca, cb);
      dot += sgn * overlap;
    }
    return dot;
  }
  for (uint32_t i = 0; i < a.d; ++i) dot += (a.alpha * a.ints[i] - a.beta) * (b.alpha * b.ints[i] - b.beta);
  return dot;
}

double dot_value(int64_t dot, const CodedVec& a, const CodedVec& b, Encoding enc) {
  const double v = static_cast<double>(dot) * a.scale * b.scale;
  return enc == Encoding::Spike ? v * a.planes : v;
}

std::vector<double> softmax_row(const std::vector<double>& s, Softmax kind) {
  std::vector<double> p(s.size());
  if (s.empty()) return p;
  const double mx = *std::max_element(s.begin(), s.end());
  if (kind == Softmax::Fp32) {
    float sum = 0;
    std::vector<float> e(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      e[i] = std::exp(static_cast<float>(s[i] - mx));
      sum += e[i];
    }
    for (size_t i = 0; i < s.size(); ++i) p[i] = e[i] / sum;
    return p;
  }
  // Integer/LUT softmax: z = (s - max) * log2(e) in Q.8 fixed point (z <= 0); 2^z = LUT[top 4
  // fraction bits] >> integer part, LUT in Q0.15; int32 sum; one reciprocal 2^30 / sum; p in Q0.15.
  static const int64_t lut[16] = {32768, 31379, 30048, 28774, 27554, 26386, 25268, 24196,
                                  23170, 22188, 21247, 20347, 19484, 18658, 17867, 17109};
  std::vector<int64_t> e(s.size());
  int64_t sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t z = std::llround((mx - s[i]) * 1.4426950408889634 * 256.0);  // -z in Q.8, >= 0
    const int64_t n = z >> 8, f = (z & 255) >> 4;
    e[i] = n >= 16 ? 0 : (lut[f] >> n);
    sum += e[i];
  }
  const int64_t recip = (1ll << 30) / sum;
  for (size_t i = 0; i < s.size(); ++i) p[i] = static_cast<double>((e[i] * recip) >> 15) / 32768.0;
  return p;
}

AttnResult attention_bitwise(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                             uint32_t nq, uint32_t nk, uint32_t d, const AttnConfig& cfg) {
  AttnResult r;
  r.out.assign(static_cast<size_t>(nq) * d, 0.0);
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  auto row = [&](const std::vector<float>& m, uint32_t i) {
    return std::vector<float>(m.begin() + static_cast<size_t>(i) * d, m.begin() + static_cast<size_t>(i + 1) * d);
  };
  std::vector<CodedVec> kc;
  if (cfg.scores_bitwise) {
    for (uint32_t j = 0; j < nk; ++j) kc.push_back(encode(row(k, j), cfg.enc, cfg.T, Side::Key));
  }
  // Context codings: P is unsigned (planes, or rate spikes); V is signed in the engine's coding
  // (sign engine: V as sign, P as planes through the AND path).
  const Encoding ctx_enc = cfg.enc == Encoding::Spike ? Encoding::Spike : Encoding::BitPlane;
  const uint32_t v_T = cfg.enc == Encoding::Sign ? 1 : cfg.context_T;
  std::vector<CodedVec> vc;
  if (cfg.context_bitwise) {
    for (uint32_t c = 0; c < d; ++c) {
      std::vector<float> col(nk);
      for (uint32_t j = 0; j < nk; ++j) col[j] = v[static_cast<size_t>(j) * d + c];
      vc.push_back(encode(col, cfg.enc == Encoding::Sign ? Encoding::Sign : cfg.enc, v_T, Side::Key));
    }
  }
  for (uint32_t i = 0; i < nq; ++i) {
    std::vector<double> s(nk);
    if (!cfg.scores_bitwise) {
      for (uint32_t j = 0; j < nk; ++j) {
        double acc = 0;
        for (uint32_t c = 0; c < d; ++c)
          acc += static_cast<double>(q[static_cast<size_t>(i) * d + c]) * k[static_cast<size_t>(j) * d + c];
        s[j] = acc * inv_sqrt_d;
      }
    }
    const CodedVec qi = cfg.scores_bitwise ? encode(row(q, i), cfg.enc, cfg.T, Side::Query) : CodedVec{};
    for (uint32_t j = 0; j < nk && cfg.scores_bitwise; ++j) {
      const int64_t dot = dot_bitwise(qi, kc[j], cfg.enc, cfg.lane_bits, &r.score_counts);
      if (dot != dot_reference(qi, kc[j], cfg.enc)) ++r.mismatches;
      s[j] = dot_value(dot, qi, kc[j], cfg.enc) * inv_sqrt_d;
    }
    const std::vector<double> p = softmax_row(s, cfg.softmax);
    double* o = &r.out[static_cast<size_t>(i) * d];
    if (!cfg.context_bitwise) {
      for (uint32_t j = 0; j < nk; ++j) {
        for (uint32_t c = 0; c < d; ++c) o[c] += p[j] * v[static_cast<size_t>(j) * d + c];
      }
      continue;
    }
    const CodedVec pc_row = encode(std::vector<float>(p.begin(), p.end()), ctx_enc, cfg.context_T, Side::Query, true);
    for (uint32_t c = 0; c < d; ++c) {
      const int64_t dot = dot_bitwise(pc_row, vc[c], ctx_enc, cfg.lane_bits, &r.context_counts);
      if (dot != dot_reference(pc_row, vc[c], ctx_enc)) ++r.mismatches;
      o[c] = dot_value(dot, pc_row, vc[c], ctx_enc);
    }
  }
  return r;
}

std::vector<double> attention_fp32(const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v, uint32_t nq, uint32_t nk, uint32_t d) {
  std::vector<double> out(static_cast<size_t>(nq) * d, 0.0);
  const float inv_sqrt_d = 1.0f / std::sqrt(static_cast<float>(d));
  std::vector<float> s(nk);
  for (uint32_t i = 0; i < nq; ++i) {
    float mx = -INFINITY;
    for (uint32_t j = 0; j < nk; ++j) {
      float acc = 0;
      for (uint32_t c = 0; c < d; ++c) acc += q[static_cast<size_t>(i) * d + c] * k[static_cast<size_t>(j) * d + c];
      s[j] = acc * inv_sqrt_d;
      mx = std::max(mx, s[j]);
    }
    float sum = 0;
    for (uint32_t j = 0; j < nk; ++j) {
      s[j] = std::exp(s[j] - mx);
      sum += s[j];
    }
    for (uint32_t c = 0; c < d; ++c) {
      float acc = 0;
      for (uint32_t j = 0; j < nk; ++j) acc += (s[j] / sum) * v[static_cast<size_t>(j) * d + c];
      out[static_cast<size_t>(i) * d + c] = acc;
    }
  }
  return out;
}

Accuracy compare(const std::vector<double>& approx, const std::vector<double>& ref) {
  if (approx.size() != ref.size()) throw std::invalid_argument("compare: size mismatch");
  double dot = 0, na = 0, nr = 0, max_err = 0, max_ref = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    dot += approx[i] * ref[i];
    na += approx[i] * approx[i];
    nr += ref[i] * ref[i];
    max_err = std::max(max_err, std::fabs(approx[i] - ref[i]));
    max_ref = std::max(max_ref, std::fabs(ref[i]));
  }
  Accuracy a;
  a.cosine = (na == 0 || nr == 0) ? (na == nr ? 1.0 : 0.0) : dot / std::sqrt(na * nr);
  a.max_rel_err = max_ref > 0 ? max_err / max_ref : max_err;
  return a;
}

}  // namespace bitattn
}  // namespace lpusim
