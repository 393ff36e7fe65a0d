#include "datapath/lut_layer.h"
#include "base/atomic_output.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "base/config_error.h"

namespace lpusim::lut {

const char* sum_kind_name(SumKind k) {
  switch (k) {
    case SumKind::CondInt8: return "conditional_sum_int8";
    case SumKind::CondFp16: return "conditional_sum_fp16";
    case SumKind::GroupSum: return "group_sum";
  }
  return "?";
}

uint64_t LutNetwork::table_bits() const {
  uint64_t b = 0;
  for (const auto& l : layers) b += l.table_bits();
  return b;
}

uint64_t LutNetwork::value_bits() const {
  const uint64_t B = final_bits();
  switch (sum) {
    case SumKind::CondInt8: return uint64_t(outputs) * B * 8 + uint64_t(outputs) * 32;
    case SumKind::CondFp16: return uint64_t(outputs) * B * 16 + uint64_t(outputs) * 16;
    case SumKind::GroupSum: return 0;
  }
  return 0;
}

// ---------------------------------------------------------------- fp16

float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  double v;
  if (exp == 0) {
    v = std::ldexp(static_cast<double>(man), -24);
  } else if (exp == 31) {
    v = man ? std::nan("") : INFINITY;
  } else {
    v = std::ldexp(static_cast<double>(man | 0x400), static_cast<int>(exp) - 25);
  }
  return static_cast<float>(sign ? -v : v);
}

uint16_t half_from_double(double v) {
  if (std::isnan(v)) return 0x7e00;
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (a >= 65520.0) return sign | 0x7c00;  // 65504 + half an ulp rounds to infinity
  if (a < std::ldexp(1.0, -14)) {
    // Subnormal: units of 2^-24; a carry to 1024 is exactly the smallest normal's encoding.
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  }
  int e2;
  std::frexp(a, &e2);  // a = m * 2^e2, m in [0.5, 1)
  int e = e2 - 1;
  double r = std::nearbyint(std::ldexp(a, 10 - e));  // [1024, 2048]
  if (r == 2048.0) {
    r = 1024.0;
    ++e;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | static_cast<uint16_t>(((e + 15) << 10) | (static_cast<uint32_t>(r) - 1024));
}

uint16_t half_add(uint16_t a, uint16_t b) {
  return half_from_double(static_cast<double>(half_to_float(a)) + static_cast<double>(half_to_float(b)));
}

// ---------------------------------------------------------------- fast model

namespace {

using Bits = std::vector<uint64_t>;

inline bool get_bit(const Bits& b, uint64_t i) { return (b[i >> 6] >> (i & 63)) & 1; }
inline void set_bit(Bits& b, uint64_t i) { b[i >> 6] |= uint64_t(1) << (i & 63); }

// Tables bit-packed as the LUT SRAM holds them: entry (l, a) at bit ((l << n) + a) * w, LSB first.
Bits pack_table(const LutLayer& L) {
  Bits t((L.table_bits() + 63) / 64, 0);
  for (uint64_t e = 0; e < L.entries.size(); ++e) {
    for (uint32_t j = 0; j < L.entry_bits; ++j) {
      if ((L.entries[e] >> j) & 1) set_bit(t, e * L.entry_bits + j);
    }
  }
  return t;
}

void check_input(const LutNetwork& net, const std::vector<uint16_t>& x, size_t tokens) {
  if (x.size() != tokens * net.features) {
    throw std::invalid_argument("lut: expected " + std::to_string(tokens * net.features) + " inputs (" +
                                std::to_string(tokens) + " tokens x " + std::to_string(net.features) +
                                " features), got " + std::to_string(x.size()));
  }
}

}  // namespace

void pack_tables(LutNetwork& net) {
  net.packed.clear();
  for (const auto& L : net.layers) net.packed.push_back(pack_table(L));
}

Outputs run(const LutNetwork& net, const std::vector<uint16_t>& x, size_t tokens, Trace* trace, bool with_sum) {
  check_input(net, x, tokens);
  const uint32_t F = net.features, z = net.therm_bits;
  std::vector<float> thr(net.thresholds.size());
  for (size_t i = 0; i < thr.size(); ++i) thr[i] = half_to_float(net.thresholds[i]);
  std::vector<Bits> local;
  if (net.packed.size() != net.layers.size()) {
    for (const auto& L : net.layers) local.push_back(pack_table(L));
  }
  const std::vector<Bits>& tables = local.empty() ? net.packed : local;
  if (trace) {
    trace->addr.assign(net.layers.size(), {});
    for (size_t i = 0; i < net.layers.size(); ++i) trace->addr[i].resize(tokens * net.layers[i].luts);
    trace->final_ones.assign(tokens, 0);
  }
  const uint64_t B = net.final_bits();
  Outputs out;
  if (net.sum == SumKind::CondFp16)
    out.h.resize(tokens * net.outputs);
  else
    out.i.resize(tokens * net.outputs);

  for (size_t t = 0; t < tokens; ++t) {
    // Thermometer: thresholds ascend, so the set bits of a feature are a prefix of its z bits.
    Bits cur((net.encoded_bits() + 63) / 64, 0);
    for (uint32_t f = 0; f < F; ++f) {
      const float v = half_to_float(x[t * F + f]);
      const float* b = thr.data() + uint64_t(f) * z;
      const uint64_t ones = static_cast<uint64_t>(std::lower_bound(b, b + z, v) - b);  // thresholds < v
      for (uint64_t j = 0; j < ones; ++j) set_bit(cur, uint64_t(f) * z + j);
    }
    for (size_t li = 0; li < net.layers.size(); ++li) {
      const LutLayer& L = net.layers[li];
      Bits nxt((L.out_bits() + 63) / 64, 0);
      const uint32_t* map = L.mapping.data();
      for (uint32_t l = 0; l < L.luts; ++l) {
        uint32_t a = 0;
        for (uint32_t k = 0; k < L.inputs; ++k) a |= uint32_t(get_bit(cur, map[uint64_t(l) * L.inputs + k])) << k;
        if (trace) trace->addr[li][t * L.luts + l] = a;
        const uint64_t base = ((uint64_t(l) << L.inputs) + a) * L.entry_bits;
        for (uint32_t j = 0; j < L.entry_bits; ++j) {
          if (get_bit(tables[li], base + j)) set_bit(nxt, uint64_t(l) * L.entry_bits + j);
        }
      }
      cur.swap(nxt);
    }
    uint32_t ones = 0;
    for (uint64_t w : cur) ones += static_cast<uint32_t>(__builtin_popcountll(w));
    if (trace) trace->final_ones[t] = ones;
    if (!with_sum) continue;

    if (net.sum == SumKind::GroupSum) {
      const uint64_t g = B / net.outputs;
      for (uint32_t o = 0; o < net.outputs; ++o) {
        int32_t c = 0;
        for (uint64_t b = o * g; b < (o + 1) * g; ++b) c += get_bit(cur, b);
        out.i[t * net.outputs + o] = c;
      }
      continue;
    }
    // Conditional sum: walk the set bits only (ascending), adding the selected value.
    for (uint32_t o = 0; o < net.outputs; ++o) {
      if (net.sum == SumKind::CondFp16) {
        uint16_t acc = net.bias_h[o];
        const uint16_t* v = net.values_h.data() + uint64_t(o) * B;
        for (size_t w = 0; w < cur.size(); ++w) {
          for (uint64_t m = cur[w]; m; m &= m - 1) acc = half_add(acc, v[w * 64 + __builtin_ctzll(m)]);
        }
        out.h[t * net.outputs + o] = acc;
      } else {
        uint32_t acc = static_cast<uint32_t>(net.bias_i[o]);  // int32 wrap-around, as the adder does
        const int8_t* v = net.values_i8.data() + uint64_t(o) * B;
        for (size_t w = 0; w < cur.size(); ++w) {
          for (uint64_t m = cur[w]; m; m &= m - 1)
            acc += static_cast<uint32_t>(int32_t(v[w * 64 + __builtin_ctzll(m)]));
        }
        out.i[t * net.outputs + o] = static_cast<int32_t>(acc);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- reference

Outputs run_reference(const LutNetwork& net, const std::vector<uint16_t>& x, size_t tokens) {
  check_input(net, x, tokens);
  Outputs out;
  for (size_t t = 0; t < tokens; ++t) {
    std::vector<uint8_t> bits;
    for (uint32_t f = 0; f < net.features; ++f) {
      for (uint32_t j = 0; j < net.therm_bits; ++j) {
        bits.push_back(half_to_float(x[t * net.features + f]) > half_to_float(net.thresholds[f * net.therm_bits + j]));
      }
    }
    for (const auto& L : net.layers) {
      std::vector<uint8_t> nxt;
      for (uint32_t l = 0; l < L.luts; ++l) {
        uint32_t a = 0;
        for (uint32_t k = 0; k < L.inputs; ++k) a += bits[L.mapping[l * L.inputs + k]] * (1u << k);
        const uint32_t e = L.entries[(uint64_t(l) << L.inputs) + a];
        for (uint32_t j = 0; j < L.entry_bits; ++j) nxt.push_back((e >> j) & 1);
      }
      bits = nxt;
    }
    const size_t B = bits.size();
    for (uint32_t o = 0; o < net.outputs; ++o) {
      if (net.sum == SumKind::GroupSum) {
        int32_t c = 0;
        for (size_t b = o * (B / net.outputs); b < (o + 1) * (B / net.outputs); ++b) c += bits[b];
        out.i.push_back(c);
      } else if (net.sum == SumKind::CondInt8) {
        int64_t acc = net.bias_i[o];
        for (size_t b = 0; b < B; ++b) {
          if (bits[b]) acc += net.values_i8[o * B + b];
        }
        out.i.push_back(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc))));
      } else {
        uint16_t acc = net.bias_h[o];
        for (size_t b = 0; b < B; ++b) {
          if (bits[b])
            acc = half_from_double(double(half_to_float(acc)) + double(half_to_float(net.values_h[o * B + b])));
        }
        out.h.push_back(acc);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- generator

namespace {

struct SplitMix {
  uint64_t s;
  uint64_t operator()() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }  // [0, 1)
};

// Standard normal quantile by bisection on the CDF (plenty for fp16 thresholds).
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

LutNetwork generate(const GenSpec& g, uint64_t seed) {
  SplitMix rng{seed};
  LutNetwork n;
  n.features = g.features;
  n.therm_bits = g.therm_bits;
  for (uint32_t f = 0; f < g.features; ++f) {
    for (uint32_t j = 0; j < g.therm_bits; ++j) {
      const double p = double(j + 1) / double(g.therm_bits + 1);
      n.thresholds.push_back(half_from_double(g.thresholds == "quantile" ? normal_quantile(p) : -3.0 + 6.0 * p));
    }
  }
  uint64_t prev = n.encoded_bits();
  for (const auto& gl : g.layers) {
    LutLayer L;
    L.luts = gl.luts;
    L.inputs = gl.inputs;
    L.entry_bits = gl.entry_bits;
    L.in_bits = prev;
    for (uint64_t i = 0; i < uint64_t(L.luts) * L.inputs; ++i) L.mapping.push_back(static_cast<uint32_t>(rng() % prev));
    const uint64_t mask = L.entry_bits >= 32 ? 0xffffffffull : (uint64_t(1) << L.entry_bits) - 1;
    for (uint64_t e = 0; e < (uint64_t(L.luts) << L.inputs); ++e)
      L.entries.push_back(static_cast<uint32_t>(rng() & mask));
    prev = L.out_bits();
    n.layers.push_back(std::move(L));
  }
  n.sum = g.sum;
  n.outputs = g.outputs;
  const uint64_t B = n.final_bits();
  if (g.sum == SumKind::CondFp16) {
    // Multiples of 2^-9 in [-1/4, 1/4]: exact in fp16, sums that round now and then.
    for (uint32_t o = 0; o < g.outputs; ++o) n.bias_h.push_back(half_from_double((int(rng() % 257) - 128) / 64.0));
    for (uint64_t i = 0; i < B * g.outputs; ++i)
      n.values_h.push_back(half_from_double((int(rng() % 257) - 128) / 512.0));
  } else if (g.sum == SumKind::CondInt8) {
    for (uint32_t o = 0; o < g.outputs; ++o) n.bias_i.push_back(int(rng() % 2001) - 1000);
    for (uint64_t i = 0; i < B * g.outputs; ++i) n.values_i8.push_back(static_cast<int8_t>(int(rng() % 255) - 127));
  }
  validate(n, "generated LUT network");
  pack_tables(n);
  return n;
}

std::vector<uint16_t> synthetic_inputs(uint32_t features, size_t tokens, uint64_t seed) {
  SplitMix rng{seed ^ 0x5a17c0de5eedull};
  std::vector<uint16_t> x(tokens * features);
  for (auto& v : x) {
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();  // Box-Muller
    v = half_from_double(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return x;
}

// ---------------------------------------------------------------- validation and file format

void validate(const LutNetwork& n, const std::string& what) {
  auto bad = [&](const std::string& m) { throw ConfigError(what + ": " + m); };
  if (n.features == 0) bad("features must be >= 1");
  if (n.therm_bits == 0 || n.therm_bits > 4096) bad("thermometer bits per feature must be in 1..4096");
  if (n.thresholds.size() != n.encoded_bits()) bad("expected features x thermometer bits thresholds");
  for (uint32_t f = 0; f < n.features; ++f) {
    for (uint32_t j = 0; j < n.therm_bits; ++j) {
      const float t = half_to_float(n.thresholds[uint64_t(f) * n.therm_bits + j]);
      if (std::isnan(t)) bad("threshold " + std::to_string(j) + " of feature " + std::to_string(f) + " is NaN");
      if (j > 0 && t < half_to_float(n.thresholds[uint64_t(f) * n.therm_bits + j - 1])) {
        bad("thresholds of feature " + std::to_string(f) + " must ascend (threshold " + std::to_string(j) + ")");
      }
    }
  }
  uint64_t prev = n.encoded_bits();
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const LutLayer& L = n.layers[i];
    const std::string li = "LUT layer " + std::to_string(i) + ": ";
    if (L.luts == 0) bad(li + "luts must be >= 1");
    if (L.inputs == 0 || L.inputs > 16) bad(li + "inputs per LUT must be in 1..16");
    if (L.entry_bits == 0 || L.entry_bits > 32) bad(li + "entry bits must be in 1..32");
    if (L.in_bits != prev) bad(li + "reads " + std::to_string(prev) + " bits of the previous stage");
    if (L.mapping.size() != uint64_t(L.luts) * L.inputs) bad(li + "expected luts x inputs mapping indices");
    for (size_t k = 0; k < L.mapping.size(); ++k) {
      if (L.mapping[k] >= prev) {
        bad(li + "mapping[" + std::to_string(k) + "] = " + std::to_string(L.mapping[k]) + " is outside the " +
            std::to_string(prev) + " bits of the previous stage");
      }
    }
    if (L.entries.size() != (uint64_t(L.luts) << L.inputs)) bad(li + "expected luts x 2^inputs table entries");
    for (uint32_t e : L.entries) {
      if (L.entry_bits < 32 && (e >> L.entry_bits)) bad(li + "table entry wider than entry bits");
    }
    prev = L.out_bits();
  }
  if (n.outputs == 0) bad("outputs must be >= 1");
  const uint64_t B = n.final_bits();
  switch (n.sum) {
    case SumKind::GroupSum:
      if (B % n.outputs)
        bad("group_sum needs the final " + std::to_string(B) + " bits to divide into " + std::to_string(n.outputs) +
            " equal groups");
      break;
    case SumKind::CondInt8:
      if (n.bias_i.size() != n.outputs || n.values_i8.size() != B * n.outputs)
        bad("expected outputs bias and outputs x bits int8 values");
      break;
    case SumKind::CondFp16:
      if (n.bias_h.size() != n.outputs || n.values_h.size() != B * n.outputs)
        bad("expected outputs bias and outputs x bits fp16 values");
      break;
    default: bad("unknown sum kind");
  }
}

namespace {

const char kMagic[8] = {'L', 'P', 'U', 'L', 'U', 'T', '0', '1'};

struct Writer {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) {
    u8(v & 0xff);
    u8(v >> 8);
  }
  void u32(uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  }
};

struct Reader {
  const std::vector<uint8_t>& b;
  const std::string& what;
  size_t p = 0;
  void need(uint64_t n, const char* field) const {
    if (n > b.size() - p) {
      throw ConfigError(what + ": truncated: " + field + " needs " + std::to_string(n) + " bytes at offset " +
                        std::to_string(p) + ", file has " + std::to_string(b.size()));
    }
  }
  uint16_t u16(const char* f) {
    need(2, f);
    uint16_t v = uint16_t(b[p] | (b[p + 1] << 8));
    p += 2;
    return v;
  }
  uint32_t u32(const char* f) {
    need(4, f);
    uint32_t v = uint32_t(b[p]) | uint32_t(b[p + 1]) << 8 | uint32_t(b[p + 2]) << 16 | uint32_t(b[p + 3]) << 24;
    p += 4;
    return v;
  }
};

}  // namespace

std::vector<uint8_t> serialize(const LutNetwork& n) {
  validate(n, "LUT network to save");
  Writer w;
  for (char c : kMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(n.features);
  w.u32(n.therm_bits);
  w.u32(static_cast<uint32_t>(n.layers.size()));
  w.u32(static_cast<uint32_t>(n.sum));
  w.u32(n.outputs);
  for (const auto& L : n.layers) {
    w.u32(L.luts);
    w.u32(L.inputs);
    w.u32(L.entry_bits);
  }
  for (uint16_t t : n.thresholds) w.u16(t);
  for (const auto& L : n.layers) {
    for (uint32_t m : L.mapping) w.u32(m);
    std::vector<uint8_t> packed((L.table_bits() + 7) / 8, 0);
    for (uint64_t e = 0; e < L.entries.size(); ++e) {
      for (uint32_t j = 0; j < L.entry_bits; ++j) {
        const uint64_t bit = e * L.entry_bits + j;
        if ((L.entries[e] >> j) & 1) packed[bit >> 3] |= uint8_t(1u << (bit & 7));
      }
    }
    w.b.insert(w.b.end(), packed.begin(), packed.end());
  }
  if (n.sum == SumKind::CondInt8) {
    for (int32_t v : n.bias_i) w.u32(static_cast<uint32_t>(v));
    for (int8_t v : n.values_i8) w.u8(static_cast<uint8_t>(v));
  } else if (n.sum == SumKind::CondFp16) {
    for (uint16_t v : n.bias_h) w.u16(v);
    for (uint16_t v : n.values_h) w.u16(v);
  }
  return w.b;
}

LutNetwork deserialize(const std::vector<uint8_t>& bytes, const std::string& what) {
  Reader r{bytes, what};
  r.need(8, "magic");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw ConfigError(what + ": not a LUT network file (magic is not LPULUT01)");
  r.p = 8;
  LutNetwork n;
  n.features = r.u32("features");
  n.therm_bits = r.u32("thermometer_bits");
  const uint32_t layers = r.u32("layers");
  const uint32_t sum = r.u32("sum_kind");
  n.outputs = r.u32("outputs");
  if (sum > 2)
    throw ConfigError(what + ": sum_kind " + std::to_string(sum) + " is not 0 (int8), 1 (fp16) or 2 (group_sum)");
  n.sum = static_cast<SumKind>(sum);
  if (layers > 64) throw ConfigError(what + ": " + std::to_string(layers) + " LUT layers (at most 64)");
  if (n.therm_bits == 0 || n.therm_bits > 4096 || n.features == 0) {
    throw ConfigError(what + ": features must be >= 1 and thermometer bits in 1..4096");
  }
  uint64_t prev = n.encoded_bits();
  for (uint32_t i = 0; i < layers; ++i) {
    LutLayer L;
    L.luts = r.u32("luts");
    L.inputs = r.u32("inputs");
    L.entry_bits = r.u32("entry_bits");
    L.in_bits = prev;
    if (L.inputs == 0 || L.inputs > 16 || L.entry_bits == 0 || L.entry_bits > 32 || L.luts == 0) {
      throw ConfigError(what + ": LUT layer " + std::to_string(i) + ": need luts >= 1, inputs 1..16, entry bits 1..32");
    }
    prev = L.out_bits();
    n.layers.push_back(L);
  }
  // Size check before any allocation, so a corrupt header cannot ask for gigabytes.
  r.need(n.encoded_bits() * 2, "thresholds");
  n.thresholds.resize(n.encoded_bits());
  for (auto& t : n.thresholds) t = r.u16("thresholds");
  for (auto& L : n.layers) {
    r.need(uint64_t(L.luts) * L.inputs * 4, "mapping");
    L.mapping.resize(uint64_t(L.luts) * L.inputs);
    for (auto& m : L.mapping) m = r.u32("mapping");
    const uint64_t tb = (L.table_bits() + 7) / 8;
    r.need(tb, "tables");
    L.entries.assign(uint64_t(L.luts) << L.inputs, 0);
    for (uint64_t e = 0; e < L.entries.size(); ++e) {
      for (uint32_t j = 0; j < L.entry_bits; ++j) {
        const uint64_t bit = e * L.entry_bits + j;
        if ((bytes[r.p + (bit >> 3)] >> (bit & 7)) & 1) L.entries[e] |= 1u << j;
      }
    }
    r.p += tb;
  }
  const uint64_t B = n.final_bits();
  if (n.sum == SumKind::CondInt8) {
    r.need(uint64_t(n.outputs) * 4 + B * n.outputs, "conditional-sum int8 values");
    for (uint32_t o = 0; o < n.outputs; ++o) n.bias_i.push_back(static_cast<int32_t>(r.u32("bias")));
    for (uint64_t i = 0; i < B * n.outputs; ++i) n.values_i8.push_back(static_cast<int8_t>(bytes[r.p++]));
  } else if (n.sum == SumKind::CondFp16) {
    r.need(uint64_t(n.outputs) * 2 + B * n.outputs * 2, "conditional-sum fp16 values");
    for (uint32_t o = 0; o < n.outputs; ++o) n.bias_h.push_back(r.u16("bias"));
    for (uint64_t i = 0; i < B * n.outputs; ++i) n.values_h.push_back(r.u16("values"));
  }
  if (r.p != bytes.size()) {
    throw ConfigError(what + ": " + std::to_string(bytes.size() - r.p) + " trailing bytes after offset " +
                      std::to_string(r.p));
  }
  validate(n, what);
  pack_tables(n);
  return n;
}

void save(const LutNetwork& net, const std::string& path) {
  const auto b = serialize(net);
  write_file_atomic(path, std::string(b.begin(), b.end()));  // temp + fsync + rename
}

LutNetwork load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConfigError(path + ": cannot open LUT network file");
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return deserialize(b, path);
}

}  // namespace lpusim::lut
