// Functional run: see functional_model.h.
#include "functional/functional_model.h"
#include "base/atomic_output.h"
#include "config/loaders.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "base/config_error.h"
#include "compiler/compiler.h"
#include "datapath/bitattn.h"
#include "datapath/fp16_gemm.h"
#include "datapath/packing.h"
#include "datapath/ternary_gemm.h"
#include "spec/attention_spec.h"
#include "spec/model_ops.h"
#include "workload/checkpoint_weights.h"
#include "workload/safetensors.h"

namespace lpusim {

using namespace datapath;

namespace {

using Vec = std::vector<float>;

// Seeded N(0, 1) values (Box-Muller on mt19937_64: libstdc++'s normal_distribution is not specified
// across implementations).
struct Gauss {
  std::mt19937_64 rng;
  explicit Gauss(uint64_t seed) : rng(seed) {}
  float next() {
    const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    const double u2 = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
  }
};

uint64_t mix_seed(uint64_t seed, int64_t layer, uint64_t op) {
  uint64_t h = seed * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(layer + 1) * 0xBF58476D1CE4E5B9ull) ^
               (op * 0x94D049BB133111EBull);
  h ^= h >> 31;
  return h;
}

Vec gaussian(uint64_t seed, uint64_t n, float stddev) {
  Gauss g(seed);
  Vec v(n);
  for (float& x : v) x = g.next() * stddev;
  return v;
}

// One linear layer, GEMM orientation K x N.
struct Linear {
  uint64_t K = 0, N = 0;
  bool ternary = false;  // precision class ternary
  Vec w;                 // full-precision weights (reference `fp32`)
  Vec bias;              // N (linear_bias), added in FP32 after the GEMM in both paths
  TernaryWeights t;      // ternary weights and gamma (ternary layers)
  Vec w_ref_ternary() const {
    Vec r(t.t.size());
    for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<float>(t.t[i]) * t.gamma;
    return r;
  }
};

Vec matmul_fp32(const Vec& a, const Vec& w, uint64_t M, uint64_t K, uint64_t N) {
  Vec y(M * N, 0.0f);
  for (uint64_t m = 0; m < M; ++m)
    for (uint64_t k = 0; k < K; ++k) {
      const float av = a[m * K + k];
      if (av == 0.0f) continue;
      const float* wr = &w[k * N];
      float* yr = &y[m * N];
      for (uint64_t n = 0; n < N; ++n) yr[n] += av * wr[n];
    }
  return y;
}

Fp16ArrayConfig fp16_config(const UnitSpec& u) {
  Fp16ArrayConfig c;
  c.rows = static_cast<uint64_t>(u.i("rows"));
  c.cols = static_cast<uint64_t>(u.i("cols"));
  c.dataflow = parse_dataflow(u.e("dataflow"));
  c.fp32_accumulate = u.e("accumulate") == "fp32";
  return c;
}

// FP16 GEMM on unit u (an fp16_mac_array): inputs rounded to FP16, the compiler's tiling.
Vec fp16_matmul(const DesignSpec& d, const UnitSpec& u, const Vec& a, const Vec& w, uint64_t M, uint64_t K,
                uint64_t N) {
  const Fp16ArrayConfig cfg = fp16_config(u);
  const GemmTiling gt =
      choose_gemm_tiling(M, K, N, 16, 16, cfg.fp32_accumulate ? 32 : 16, cfg.rows, cfg.cols,
                         d.weight_buffer.bytes() * 8 / 2, d.activation_buffer.bytes() * 8 / 2, d.file + ": functional");
  return fp16_gemm_tiled(cfg, TileShape{gt.tm, gt.tk, gt.tn}, round_tensor_to_half(a), round_tensor_to_half(w), M, K, N)
      .acc;
}

const UnitSpec& fp16_unit(const DesignSpec& d, Capability c, const std::string& what) {
  const UnitSpec* u = d.first_with(c);
  if (!u || u->impl != "fp16_mac_array") {
    throw ConfigError(d.file + ": functional mode needs an fp16_mac_array with " + capability_name(c) + " for " + what);
  }
  return *u;
}

// RMSNorm (eps 1e-6) or LayerNorm (eps 1e-5); gains 1 and biases 0 (synthetic), so not stored.
void norm(Vec& x, uint64_t T, uint64_t H, const std::string& kind) {
  if (kind == "layernorm") {
    for (uint64_t t = 0; t < T; ++t) {
      double mean = 0, var = 0;
      for (uint64_t i = 0; i < H; ++i) mean += x[t * H + i];
      mean /= static_cast<double>(H);
      for (uint64_t i = 0; i < H; ++i) var += (x[t * H + i] - mean) * (x[t * H + i] - mean);
      const double r = 1.0 / std::sqrt(var / static_cast<double>(H) + 1e-5);
      for (uint64_t i = 0; i < H; ++i) x[t * H + i] = static_cast<float>((x[t * H + i] - mean) * r);
    }
    return;
  }
  for (uint64_t t = 0; t < T; ++t) {
    double ss = 0;
    for (uint64_t i = 0; i < H; ++i) ss += static_cast<double>(x[t * H + i]) * x[t * H + i];
    const float r = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(H) + 1e-6));
    for (uint64_t i = 0; i < H; ++i) x[t * H + i] *= r;
  }
}

// Rotary embedding (LLaMA's rotate_half pairing, base 10000) on T x (heads * hd).
void rope(Vec& x, uint64_t T, uint64_t heads, uint64_t hd) {
  const uint64_t half = hd / 2;
  for (uint64_t t = 0; t < T; ++t)
    for (uint64_t h = 0; h < heads; ++h) {
      float* v = &x[(t * heads + h) * hd];
      for (uint64_t i = 0; i < half; ++i) {
        const double ang = static_cast<double>(t) * std::pow(10000.0, -2.0 * static_cast<double>(i) / hd);
        const float c = static_cast<float>(std::cos(ang)), s = static_cast<float>(std::sin(ang));
        const float a = v[i], b = v[i + half];
        v[i] = a * c - b * s;
        v[i + half] = b * c + a * s;
      }
    }
}

void softmax_causal(Vec& s, uint64_t T) {  // rows of T scores; row t sees positions 0..t
  for (uint64_t t = 0; t < T; ++t) {
    float* r = &s[t * T];
    float mx = -INFINITY;
    for (uint64_t j = 0; j <= t; ++j) mx = std::max(mx, r[j]);
    double sum = 0;
    for (uint64_t j = 0; j <= t; ++j) sum += (r[j] = std::exp(r[j] - mx));
    for (uint64_t j = 0; j < T; ++j) r[j] = j <= t ? static_cast<float>(r[j] / sum) : 0.0f;
  }
}

Vec slice_cols(const Vec& x, uint64_t T, uint64_t W, uint64_t c0, uint64_t n) {
  Vec r(T * n);
  for (uint64_t t = 0; t < T; ++t) std::copy_n(&x[t * W + c0], n, &r[t * n]);
  return r;
}

Vec transpose(const Vec& x, uint64_t R, uint64_t C) {
  Vec r(R * C);
  for (uint64_t i = 0; i < R; ++i)
    for (uint64_t j = 0; j < C; ++j) r[j * R + i] = x[i * C + j];
  return r;
}

class WeightSet {
 public:
  WeightSet(const ModelSpec& m) : m_(m) {
    if (m.weight_distribution == "checkpoint") {
      st_ = std::make_unique<SafetensorsFile>(m.checkpoint);
      trits_ = std::make_unique<SafetensorsWeights>(m);  // validates names, shapes and dtypes
    }
  }
  std::string describe() const {
    const std::string synth = "seeded Gaussian (seed " + std::to_string(m_.seed) + ")";
    if (!st_) return "synthetic: all weights " + synth + " (no checkpoint)";
    return "checkpoint " + m_.checkpoint + " for the ternary ops; embeddings, norms (gain 1) and LM head " + synth;
  }
  // One linear op of the block table (spec/model_ops.h); synthetic weights are seeded by its index.
  Linear load(int layer, const BlockLinear& b) const {
    const ModelSpec& m = m_;
    const uint64_t op = b.op->index;
    Linear l;
    const std::string name = b.op->name;
    l.K = b.K, l.N = b.N;
    l.ternary = b.precision == Precision::Ternary;
    const std::string* pat = nullptr;
    for (const auto& kv : m.name_map)
      if (kv.first == name) pat = &kv.second;
    if (st_ && pat) {
      load_checkpoint(l, layer, name, *pat);
    } else {
      l.w = gaussian(mix_seed(m.seed, layer, static_cast<uint64_t>(op)), l.K * l.N,
                     static_cast<float>(1.0 / std::sqrt(static_cast<double>(l.K))));
      if (l.ternary) l.t = quantize_absmean_ternary(l.w, l.K, l.N);
    }
    if (m.linear_bias) l.bias = gaussian(mix_seed(m.seed, layer, 50 + static_cast<uint64_t>(op)), l.N, 0.02f);
    return l;
  }

 private:
  void load_checkpoint(Linear& l, int layer, const std::string& op, std::string pat) const {
    pat.replace(pat.find("{layer}"), 7, std::to_string(layer));
    const StTensor& t = st_->at(pat);
    l.t.rows = l.K, l.t.cols = l.N;
    if (t.numel() != l.K * l.N) {  // packed ternary U8 + scale (checked by SafetensorsWeights)
      // BitNet layout (pack_ternary_rows): byte (r, k) holds out rows r + i * ceil(N/4) in bits 2i..2i+1
      // as value + 1; decoded here in one sweep (code 3 is corrupt, as SafetensorsWeights reports it).
      (void)op;
      const uint64_t R = (l.N + 3) / 4;
      l.t.t.resize(l.K * l.N);
      for (uint64_t n = 0; n < l.N; ++n)
        for (uint64_t k = 0; k < l.K; ++k) {
          const unsigned code = (t.data[(n % R) * l.K + k] >> (2 * (n / R))) & 3u;
          if (code == 3) {
            throw ConfigError(st_->path() + ": tensor '" + pat + "': invalid packed ternary code 3 at row " +
                              std::to_string(n) + ", column " + std::to_string(k));
          }
          l.t.t[k * l.N + n] = static_cast<int8_t>(static_cast<int>(code) - 1);
        }
      const std::string sname =
          pat.size() > 6 && pat.compare(pat.size() - 6, 6, "weight") == 0 ? pat + "_scale" : pat + ".weight_scale";
      // transformers' BitLinear divides outputs by weight_scale: gamma = 1 / weight_scale.
      l.t.gamma = 1.0f / SafetensorsFile::value(st_->at(sname), 0);
      l.w = l.w_ref_ternary();
      return;
    }
    l.w.resize(l.K * l.N);  // HF stores [out, in] = N x K
    bool ternary_valued = true;
    for (uint64_t n = 0; n < l.N; ++n)
      for (uint64_t k = 0; k < l.K; ++k) {
        const float v = SafetensorsFile::value(t, n * l.K + k);
        l.w[k * l.N + n] = v;
        ternary_valued = ternary_valued && (v == 0.0f || v == 1.0f || v == -1.0f);
      }
    if (ternary_valued) {  // already ternary: used as is, gamma 1
      l.t.t.resize(l.w.size());
      for (size_t i = 0; i < l.w.size(); ++i) l.t.t[i] = static_cast<int8_t>(l.w[i]);
      l.t.gamma = 1.0f;
    } else {
      l.t = quantize_absmean_ternary(l.w, l.K, l.N);
    }
  }
  const ModelSpec& m_;
  std::unique_ptr<SafetensorsFile> st_;
  std::unique_ptr<SafetensorsWeights> trits_;
};

// The two paths' linear layer.
struct Paths {
  const DesignSpec& d;
  bool ref_ternary;
  uint64_t saturations = 0;
  static Vec with_bias(Vec y, const Linear& l) {
    if (!l.bias.empty())
      for (size_t i = 0; i < y.size(); ++i) y[i] += l.bias[i % l.N];
    return y;
  }
  Vec ref_linear(const Vec& x, uint64_t T, const Linear& l) const {
    return with_bias(matmul_fp32(x, l.ternary && ref_ternary ? l.w_ref_ternary() : l.w, T, l.K, l.N), l);
  }
  Vec dp_linear(const Vec& x, uint64_t T, const Linear& l) {
    if (l.ternary && d.first_with(Capability::TernaryGemm)) {
      return with_bias(datapath_ternary_linear(d, x, T, l.t, &saturations), l);
    }
    const UnitSpec& u = fp16_unit(d, Capability::Fp16Gemm, "linear layers");
    return with_bias(fp16_matmul(d, u, x, l.ternary ? l.w_ref_ternary() : l.w, T, l.K, l.N), l);
  }
};

// Popcount mapping of one layer (the design's `attention:` section), or nullptr for the FP16 path.
const AttentionLayerPath* popcount_path(const DesignSpec& d, int layer) {
  if (!d.attention.present) return nullptr;
  const AttentionLayerPath& p = d.attention.path(layer);
  if (p.context == "ternary") {
    throw ConfigError(d.file + ": attention: functional mode does not implement context on the ternary array");
  }
  return p.scores == "popcount" || p.context == "popcount" || p.softmax == "int_lut" ? &p : nullptr;
}

// Causal attention of one head on the popcount engine: query row t against keys/values 0..t (the
// per-vector codes and V's per-column scales as a decode step at context t + 1 sees them), through
// bitattn::attention_bitwise with the engine's encoding, T and context_T.
Vec popcount_head(const DesignSpec& d, const AttentionLayerPath& p, const Vec& qh, const Vec& kh, const Vec& vh,
                  uint64_t T, uint64_t hd) {
  const UnitSpec& eng = *attention_engine(d);
  bitattn::AttnConfig cfg;
  cfg.enc = bitattn::parse_encoding(eng.e("encoding"));
  cfg.T = static_cast<uint32_t>(eng.i("T"));
  cfg.scores_bitwise = p.scores == "popcount";
  cfg.softmax = p.softmax == "int_lut" ? bitattn::Softmax::IntLut : bitattn::Softmax::Fp32;
  cfg.context_bitwise = p.context == "popcount";
  cfg.context_T = static_cast<uint32_t>(eng.i("context_T"));
  cfg.lane_bits = static_cast<uint32_t>(std::stoul(eng.e("lane_bits")));
  Vec out(T * hd);
  for (uint64_t t = 0; t < T; ++t) {
    const Vec q(qh.begin() + static_cast<std::ptrdiff_t>(t * hd),
                qh.begin() + static_cast<std::ptrdiff_t>((t + 1) * hd));
    const Vec k(kh.begin(), kh.begin() + static_cast<std::ptrdiff_t>((t + 1) * hd));
    const Vec v(vh.begin(), vh.begin() + static_cast<std::ptrdiff_t>((t + 1) * hd));
    const bitattn::AttnResult r =
        bitattn::attention_bitwise(q, k, v, 1, static_cast<uint32_t>(t + 1), static_cast<uint32_t>(hd), cfg);
    if (r.mismatches != 0) throw std::logic_error("popcount attention: bitwise and integer reference disagree");
    for (uint64_t i = 0; i < hd; ++i) out[t * hd + i] = static_cast<float>(r.out[i]);
  }
  return out;
}

// Causal grouped-query attention of q (T x heads*hd), k, v (T x kv*hd). `dp`: the design's path
// (popcount engine when its `attention:` section maps this layer there, else FP16 GEMMs on the
// act_gemm unit with FP16 K/V), else FP32.
Vec attention(const ModelSpec& m, const DesignSpec* dp, int layer, const Vec& q, const Vec& k, const Vec& v,
              uint64_t T) {
  const uint64_t hd = static_cast<uint64_t>(m.head_dim()), H = static_cast<uint64_t>(m.heads),
                 KVH = static_cast<uint64_t>(m.kv_heads), g = static_cast<uint64_t>(m.group());
  const AttentionLayerPath* pop = dp ? popcount_path(*dp, layer) : nullptr;
  Vec out(T * H * hd);
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  for (uint64_t h = 0; h < H; ++h) {
    const uint64_t kh = h / g;
    const Vec qh = slice_cols(q, T, H * hd, h * hd, hd);
    const Vec kr = slice_cols(k, T, KVH * hd, kh * hd, hd);  // T x hd
    const Vec vh = slice_cols(v, T, KVH * hd, kh * hd, hd);  // T x hd
    Vec o;
    if (pop) {
      o = popcount_head(*dp, *pop, qh, kr, vh, T, hd);
    } else {
      const Vec kt = transpose(kr, T, hd);  // hd x T
      Vec s = dp ? fp16_matmul(*dp, fp16_unit(*dp, Capability::ActGemm, "attention"), qh, kt, T, hd, T)
                 : matmul_fp32(qh, kt, T, hd, T);
      for (float& x : s) x *= scale;
      softmax_causal(s, T);
      o = dp ? fp16_matmul(*dp, fp16_unit(*dp, Capability::ActGemm, "attention"), s, vh, T, T, hd)
             : matmul_fp32(s, vh, T, T, hd);
    }
    for (uint64_t t = 0; t < T; ++t) std::copy_n(&o[t * hd], hd, &out[t * H * hd + h * hd]);
  }
  return out;
}

// GPT-2's gelu_new (tanh approximation).
void gelu(Vec& x) {
  for (float& v : x) v = 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
}

void glu(Vec& gate, const Vec& up, const std::string& act) {
  for (size_t i = 0; i < gate.size(); ++i) {
    const float x = gate[i];
    const float a = act == "swiglu" ? x / (1.0f + std::exp(-x)) : (x > 0 ? x * x : 0.0f);
    gate[i] = a * up[i];
  }
}

// A weightless MLP block (model.mlp kind lut) on the normed hidden state rounded to FP16. The LUT
// network has no higher-precision form, so both paths evaluate it exactly on their own inputs: the
// datapath with lut::run (the packed model the LUT unit's timing uses), the reference with
// lut::run_reference (plain per-bit loops). Outputs: FP16 values widened, or the int32 sums as floats.
Vec lut_mlp(const lut::LutNetwork& net, const Vec& h, uint64_t T, bool dp) {
  std::vector<uint16_t> xh(h.size());
  for (size_t i = 0; i < h.size(); ++i) xh[i] = lut::half_from_double(h[i]);
  const lut::Outputs o = dp ? lut::run(net, xh, T) : lut::run_reference(net, xh, T);
  Vec y(T * net.outputs);
  for (size_t i = 0; i < y.size(); ++i) {
    y[i] = net.sum == lut::SumKind::CondFp16 ? lut::half_to_float(o.h[i]) : static_cast<float>(o.i[i]);
  }
  return y;
}

void add(Vec& x, const Vec& y) {
  for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
}

FunctionalRow compare(const std::string& name, const Vec& ref, const Vec& dp) {
  FunctionalRow r;
  r.name = name;
  r.cosine = cosine_similarity(ref, dp);
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = static_cast<double>(dp[i]) - ref[i];
    num += e * e;
    den += static_cast<double>(ref[i]) * ref[i];
    r.max_abs = std::max(r.max_abs, std::fabs(e));
  }
  r.rel_l2 = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  return r;
}

void check_supported(const WorkloadSpec& w, const DesignSpec& d, const FunctionalOptions& o) {
  const ModelSpec& m = w.model;
  const std::string where = w.file + ": model";
  if (m.encoder())
    throw ConfigError(where + ".family: functional mode supports decoder models; " + w.name + " is an encoder");
  if (m.position_embedding == "learned" && static_cast<int64_t>(o.tokens.size()) + o.generate > m.max_positions) {
    throw ConfigError("--tokens: " + std::to_string(o.tokens.size() + static_cast<uint64_t>(o.generate)) +
                      " tokens exceed model.max_positions " + std::to_string(m.max_positions) + " of " + w.name);
  }
  if (m.kv_cache != Precision::Fp16) {
    throw ConfigError(where + ".precision.kv_cache: functional mode models an fp16 KV cache only");
  }
  if (m.int_linears()) {
    throw ConfigError(where +
                      ".precision: functional mode models ternary and fp16 linear layers; int8/int4 layers are "
                      "not modelled (the int_mac_array datapath is tested on its own)");
  }
  if (m.lut_mlp.enabled && !d.first_with(Capability::LutLayer)) {
    throw ConfigError(d.file + ": functional mode: " + w.name + " has LUT MLP blocks and the design no unit with " +
                      capability_name(Capability::LutLayer));
  }
  for (int l = 0; l < m.layers; ++l) popcount_path(d, l);  // unsupported attention mappings fail up front
  if (o.reference != "ternary_fp32" && o.reference != "fp32") {
    throw ConfigError("usage: --reference expects 'ternary_fp32' or 'fp32', got '" + o.reference + "'");
  }
  if (o.tokens.empty()) throw ConfigError("usage: --functional needs --tokens or --tokens-file");
  for (size_t i = 0; i < o.tokens.size(); ++i) {
    if (o.tokens[i] < 0 || o.tokens[i] >= m.vocab) {
      throw ConfigError("--tokens: token " + std::to_string(i) + " is " + std::to_string(o.tokens[i]) +
                        ", outside the vocabulary [0, " + std::to_string(m.vocab) + ") of " + w.name);
    }
  }
  if (o.generate < 0) throw ConfigError("usage: --generate expects a non-negative integer");
  const double gib = functional_memory_gib(m, o.tokens.size() + static_cast<uint64_t>(o.generate));
  if (gib > o.max_gib) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s: functional mode would need ~%.2f GiB, above its limit of %.1f GiB; use timing mode",
                  w.file.c_str(), gib, o.max_gib);
    throw ConfigError(buf);
  }
}

}  // namespace

double functional_memory_gib(const ModelSpec& m, uint64_t T) {
  const double H = static_cast<double>(m.hidden), F = static_cast<double>(m.ffn), V = static_cast<double>(m.vocab),
               KV = static_cast<double>(m.kv_dim()), t = static_cast<double>(T);
  const double layer_params = 2 * H * H + 2 * H * KV + 3 * H * F;
  // per layer: FP32 weights + trits + packed copy + FP16-rounded copies (8 B) of the largest op
  const double weights = layer_params * 5.25 + H * F * 8;
  const double embed = V * H * 4 * (m.tied_embeddings ? 1 : 2) + V * H * 8;  // + FP16 LM head operands
  const double acts = 2 * t * (6 * H + 4 * F + 2 * V) * 4 + 2 * t * t * 4 * 4;
  return (weights + embed + acts) / (1024.0 * 1024.0 * 1024.0);
}

double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  if (aa == 0 && bb == 0) return 1.0;
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

double kl_divergence_logits(const std::vector<float>& ref, const std::vector<float>& dp) {
  auto log_softmax = [](const std::vector<float>& x) {
    double mx = -INFINITY;
    for (float v : x) mx = std::max(mx, static_cast<double>(v));
    double s = 0;
    for (float v : x) s += std::exp(v - mx);
    std::vector<double> r(x.size());
    for (size_t i = 0; i < x.size(); ++i) r[i] = x[i] - mx - std::log(s);
    return r;
  };
  const std::vector<double> lp = log_softmax(ref), lq = log_softmax(dp);
  double kl = 0;
  for (size_t i = 0; i < lp.size(); ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
  return std::max(kl, 0.0);  // rounding can leave a tiny negative for identical rows
}

std::vector<float> datapath_ternary_linear(const DesignSpec& d, const std::vector<float>& x, uint64_t M,
                                           const TernaryWeights& w, uint64_t* sat) {
  const UnitSpec* u = d.first_with(Capability::TernaryGemm);
  if (!u) throw ConfigError(d.file + ": functional mode: no unit with ternary_gemm");
  TernaryArrayConfig cfg;
  cfg.rows = static_cast<uint64_t>(u->i("rows"));
  cfg.cols = static_cast<uint64_t>(u->i("cols"));
  cfg.dataflow = parse_dataflow(u->e("dataflow"));
  cfg.accumulator_bits = static_cast<int>(u->i("accumulator_bits"));
  cfg.overflow = parse_overflow_mode(u->e("accumulator_overflow"));
  cfg.format = parse_weight_format(u->e("weight_format"));
  if (cfg.accumulator_bits > 64) {
    throw ConfigError(d.file + ": units." + u->name + ".accumulator_bits: the functional model supports at most 64");
  }
  const double w_bits = cfg.format == WeightFormat::Base3 ? 8.0 / 5.0 : 2.0;
  const GemmTiling gt =
      choose_gemm_tiling(M, w.rows, w.cols, 8, w_bits, cfg.accumulator_bits, cfg.rows, cfg.cols,
                         d.weight_buffer.bytes() * 8 / 2, d.activation_buffer.bytes() * 8 / 2, d.file + ": functional");
  const QuantizedActivations q = quantize_absmax_int8(x, M, w.rows);
  TernaryGemmResult r =
      ternary_gemm_tiled(cfg, TileShape{gt.tm, gt.tk, gt.tn}, q, pack_ternary(w.t, cfg.format), w.gamma, w.cols);
  if (sat) *sat += r.saturations;
  return std::move(r.y);
}

namespace {

// One causal pass over `tokens` through both paths: fills res.rows, top1, mean_kl and saturations;
// returns the argmax of the last position's logits {reference, datapath}.
std::pair<int64_t, int64_t> forward_pass(const WorkloadSpec& w, const DesignSpec& d, const FunctionalOptions& o,
                                         const std::vector<int64_t>& tokens, const WeightSet& ws,
                                         FunctionalResult& res) {
  const ModelSpec& m = w.model;
  res.rows.clear();
  const uint64_t T = tokens.size(), H = static_cast<uint64_t>(m.hidden), V = static_cast<uint64_t>(m.vocab),
                 hd = static_cast<uint64_t>(m.head_dim());
  Paths p{d, o.reference == "ternary_fp32"};

  // Embedding (V x H, row per token); the datapath holds it in FP16 when its precision is fp16.
  const Vec emb =
      gaussian(mix_seed(m.seed, -1, 100), V * H, static_cast<float>(1.0 / std::sqrt(static_cast<double>(H))));
  Vec xr(T * H), xd(T * H);
  for (uint64_t t = 0; t < T; ++t) std::copy_n(&emb[static_cast<uint64_t>(tokens[t]) * H], H, &xr[t * H]);
  if (m.position_embedding == "learned") {  // GPT-2 wpe: a learned table added to the token embeddings
    const Vec pos =
        gaussian(mix_seed(m.seed, -1, 102), T * H, static_cast<float>(1.0 / std::sqrt(static_cast<double>(H))));
    for (uint64_t i = 0; i < T * H; ++i) xr[i] += pos[i];
  }
  xd = m.embedding == Precision::Fp16 ? round_tensor_to_half(xr) : xr;

  for (int l = 0; l < m.layers; ++l) {
    std::vector<Linear> lin(linear_ops().size());
    for (const BlockLinear& b : block_linears(m, m.lut_mlp.enabled)) lin[b.op->index] = ws.load(l, b);
    auto block = [&](Vec& x, bool dp) {
      auto LIN = [&](const Vec& a, const char* name) {
        const Linear& w = lin[linear_op(name).index];
        return dp ? p.dp_linear(a, T, w) : p.ref_linear(a, T, w);
      };
      Vec h = x;
      norm(h, T, H, m.norm);
      Vec q = LIN(h, "q_proj"), k = LIN(h, "k_proj"), v = LIN(h, "v_proj");
      if (m.position_embedding == "rope") {
        rope(q, T, static_cast<uint64_t>(m.heads), hd);
        rope(k, T, static_cast<uint64_t>(m.kv_heads), hd);
      }
      Vec a = attention(m, dp ? &d : nullptr, l, q, k, v, T);
      if (m.subln) norm(a, T, H, m.norm);
      add(x, LIN(a, "o_proj"));
      h = x;
      norm(h, T, H, m.norm);
      if (m.lut_mlp.enabled) {
        add(x, lut_mlp(*m.lut_mlp.nets[static_cast<size_t>(l)], h, T, dp));
        return;
      }
      Vec g;
      if (m.gated_ffn()) {
        g = LIN(h, "ffn_gate");
        glu(g, LIN(h, "ffn_up"), m.ffn_activation);
      } else {
        g = LIN(h, "ffn_up");
        gelu(g);
      }
      if (m.subln) norm(g, T, static_cast<uint64_t>(m.ffn), m.norm);
      add(x, LIN(g, "ffn_down"));
    };
    block(xr, false);
    block(xd, true);
    res.rows.push_back(compare("layer " + std::to_string(l), xr, xd));
  }
  norm(xr, T, H, m.norm);
  norm(xd, T, H, m.norm);
  res.rows.push_back(compare("final_norm", xr, xd));

  // LM head (H x V): the embedding transposed when tied, else its own Gaussian weights.
  const Vec head = m.tied_embeddings ? transpose(emb, V, H)
                                     : gaussian(mix_seed(m.seed, -1, 101), H * V,
                                                static_cast<float>(1.0 / std::sqrt(static_cast<double>(H))));
  const Vec lr = matmul_fp32(xr, head, T, H, V);
  const Vec ld = fp16_matmul(d, fp16_unit(d, Capability::Fp16Gemm, "the LM head"), xd, head, T, H, V);
  uint64_t agree = 0;
  double kl = 0;
  std::pair<int64_t, int64_t> last{0, 0};
  for (uint64_t t = 0; t < T; ++t) {
    const Vec a(lr.begin() + static_cast<std::ptrdiff_t>(t * V), lr.begin() + static_cast<std::ptrdiff_t>((t + 1) * V));
    const Vec b(ld.begin() + static_cast<std::ptrdiff_t>(t * V), ld.begin() + static_cast<std::ptrdiff_t>((t + 1) * V));
    last = {std::max_element(a.begin(), a.end()) - a.begin(), std::max_element(b.begin(), b.end()) - b.begin()};
    agree += last.first == last.second;
    kl += kl_divergence_logits(a, b);
  }
  res.top1 = static_cast<double>(agree) / static_cast<double>(T);
  res.mean_kl = kl / static_cast<double>(T);
  res.saturations = p.saturations;
  return last;
}

}  // namespace

FunctionalResult run_functional(const WorkloadSpec& w, const DesignSpec& d, const FunctionalOptions& o) {
  check_supported(w, d, o);
  FunctionalResult res;
  res.design = d.name;
  res.workload = w.name;
  res.reference = o.reference;
  res.estimate_gib = functional_memory_gib(w.model, o.tokens.size() + static_cast<uint64_t>(o.generate));
  const WeightSet ws(w.model);
  res.weights = ws.describe();
  // Greedy decode without a KV cache: each step reruns the causal pass on the longer sequence. Every
  // per-position computation (per-token INT8 scales, per-output GEMM chains, per-row causal attention)
  // is independent of later positions, so earlier rows are unchanged. Both paths are fed the
  // reference's choice (teacher forcing) so they stay comparable; the datapath's own choice is kept.
  std::vector<int64_t> tokens = o.tokens;
  for (int64_t step = 0;; ++step) {
    const std::pair<int64_t, int64_t> next = forward_pass(w, d, o, tokens, ws, res);
    if (step == o.generate) break;
    res.generated.push_back(next.first);
    res.generated_datapath.push_back(next.second);
    tokens.push_back(next.first);
  }
  res.tokens = tokens;
  return res;
}

std::string functional_table(const FunctionalResult& r) {
  std::ostringstream s;
  char buf[256];
  s << "functional " << r.workload << " on " << r.design << " (" << r.tokens.size() << " tokens, reference "
    << r.reference << ")\n";
  s << "  weights: " << r.weights << "\n";
  std::snprintf(buf, sizeof buf, "  %-12s %12s %12s %12s\n", "hidden", "cosine", "rel_l2", "max_abs_err");
  s << buf;
  for (const auto& row : r.rows) {
    std::snprintf(buf, sizeof buf, "  %-12s %12.8f %12.4e %12.4e\n", row.name.c_str(), row.cosine, row.rel_l2,
                  row.max_abs);
    s << buf;
  }
  std::snprintf(buf, sizeof buf, "  logits: top-1 match %.4f, mean KL(ref || datapath) %.6e nats, saturations %llu\n",
                r.top1, r.mean_kl, static_cast<unsigned long long>(r.saturations));
  s << buf;
  if (!r.generated.empty()) {
    s << "  greedy (reference, fed to both paths):";
    for (int64_t t : r.generated) s << " " << t;
    s << "\n  greedy (datapath's own choice):        ";
    for (int64_t t : r.generated_datapath) s << " " << t;
    s << "\n";
  }
  return s.str();
}

void write_functional_outputs(const std::string& dir, const FunctionalResult& r) {
  std::ostringstream csv;
  csv << "hidden,cosine,rel_l2,max_abs_err\n";
  char buf[256];
  for (const auto& row : r.rows) {
    std::snprintf(buf, sizeof buf, "%s,%.10g,%.10g,%.10g\n", row.name.c_str(), row.cosine, row.rel_l2, row.max_abs);
    csv << buf;
  }
  nlohmann::ordered_json j;
  j["design"] = r.design;
  j["workload"] = r.workload;
  j["reference"] = r.reference;
  j["weights"] = r.weights;
  j["tokens"] = r.tokens;
  for (const auto& row : r.rows) {
    j["hidden"].push_back(
        {{"name", row.name}, {"cosine", row.cosine}, {"rel_l2", row.rel_l2}, {"max_abs_err", row.max_abs}});
  }
  j["logits"] = {{"top1_match", r.top1}, {"mean_kl_nats", r.mean_kl}};
  j["generated_reference"] = r.generated;
  j["generated_datapath"] = r.generated_datapath;
  j["saturations"] = r.saturations;
  j["estimated_gib"] = r.estimate_gib;
  OutputDir out(dir);  // all or nothing (base/atomic_output.h)
  out.write("functional.csv", csv.str());
  out.write("functional.json", j.dump(2) + "\n");
  out.commit();
}

}  // namespace lpusim
