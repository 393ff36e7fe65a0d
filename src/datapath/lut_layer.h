// Functional model of a DWN / QuWeiT weightless block (Bacellar et al., ICML 2024; Nag et al.,
// arXiv:2411.01818): thermometer encoder -> one or more LUT layers -> conditional sum or GroupSum.
// `run` is the fast model (packed bit vectors, bit-packed tables, set-bit walks) the simulator uses
// to get real LUT addresses; `run_reference` is a plain per-bit loop it is checked against bit-exactly.
// File format (".lutnet"): see README "LUT network file format"; `save`/`load` implement it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim::lut {

// Output stage. Values are the learned per-(output, bit) addends of the conditional sum.
enum class SumKind : uint32_t {
  CondInt8 = 0,  // int8 values, int32 bias and accumulation
  CondFp16 = 1,  // fp16 values and bias, fp16 accumulation (round to nearest even after every add)
  GroupSum = 2,  // DWN GroupSum: output o = popcount of the o-th of `outputs` equal groups of bits
};
const char* sum_kind_name(SumKind k);

struct LutLayer {
  uint32_t luts = 0, inputs = 0, entry_bits = 1;
  uint64_t in_bits = 0;           // bits of the previous stage (encoder or previous LUT layer)
  std::vector<uint32_t> mapping;  // luts * inputs; input k of LUT l = previous bit mapping[l*inputs+k] = address bit k
  std::vector<uint32_t> entries;  // luts << inputs entries, each < 2^entry_bits
  uint64_t out_bits() const { return uint64_t(luts) * entry_bits; }  // LUT l's entry bit j -> bit l*entry_bits + j
  uint64_t table_bits() const { return (uint64_t(luts) << inputs) * entry_bits; }
};

struct LutNetwork {
  uint32_t features = 0, therm_bits = 0;
  std::vector<uint16_t> thresholds;  // fp16 bit patterns, features x therm_bits, ascending per feature
  std::vector<LutLayer> layers;
  SumKind sum = SumKind::CondFp16;
  uint32_t outputs = 0;
  std::vector<int32_t> bias_i;     // CondInt8: outputs
  std::vector<int8_t> values_i8;   // CondInt8: outputs x final_bits, row-major [o][b]
  std::vector<uint16_t> bias_h;    // CondFp16: outputs (fp16 bits)
  std::vector<uint16_t> values_h;  // CondFp16: outputs x final_bits (fp16 bits)

  // Tables bit-packed as the LUT SRAM holds them (filled by pack_tables; run() packs locally if empty).
  std::vector<std::vector<uint64_t>> packed;

  uint64_t encoded_bits() const { return uint64_t(features) * therm_bits; }  // bit f*z + j = x_f > thr[f][j]
  uint64_t final_bits() const { return layers.empty() ? encoded_bits() : layers.back().out_bits(); }
  uint64_t table_bits() const;  // all LUT layers
  uint64_t threshold_bits() const { return encoded_bits() * 16; }
  uint64_t value_bits() const;  // conditional-sum values + bias
};

// Result of a block over T tokens: int32 outputs (CondInt8, GroupSum) or fp16 bit patterns (CondFp16).
struct Outputs {
  std::vector<int32_t> i;
  std::vector<uint16_t> h;
  bool operator==(const Outputs& o) const { return i == o.i && h == o.h; }
};

// What the hardware sees: the address each LUT is read at, and the set bits feeding the sum.
struct Trace {
  std::vector<std::vector<uint32_t>> addr;  // [layer][token * luts + lut]
  std::vector<uint32_t> final_ones;         // [token] set bits of the final stage
};

// x: tokens x features fp16 bit patterns (row-major). Throws std::invalid_argument on a size mismatch.
// with_sum = false: addresses and set-bit counts only (what the timing model needs).
Outputs run(const LutNetwork& net, const std::vector<uint16_t>& x, size_t tokens, Trace* trace = nullptr,
            bool with_sum = true);
Outputs run_reference(const LutNetwork& net, const std::vector<uint16_t>& x, size_t tokens);

// Seeded generator for tests and for workloads without trained tables.
struct GenLayer {
  uint32_t luts, inputs, entry_bits;
};
struct GenSpec {
  uint32_t features = 0, therm_bits = 0;
  std::string thresholds = "uniform";  // uniform: -3..3 evenly; quantile: N(0,1) quantiles j/(z+1)
  std::vector<GenLayer> layers;
  SumKind sum = SumKind::CondFp16;
  uint32_t outputs = 0;
};
LutNetwork generate(const GenSpec& g, uint64_t seed);

// Synthetic activations (LayerNorm output modelled as N(0,1)), rounded to fp16; seeded.
std::vector<uint16_t> synthetic_inputs(uint32_t features, size_t tokens, uint64_t seed);

// Fills net.packed from the entries (generate/deserialize do this; call it after editing entries).
void pack_tables(LutNetwork& net);

// Checks every invariant (sizes, mapping range, ascending thresholds, group divisibility);
// throws lpusim::ConfigError("<what>: ...").
void validate(const LutNetwork& net, const std::string& what);

std::vector<uint8_t> serialize(const LutNetwork& net);
LutNetwork deserialize(const std::vector<uint8_t>& bytes, const std::string& what);
void save(const LutNetwork& net, const std::string& path);
LutNetwork load(const std::string& path);  // errors name the file

// IEEE binary16 helpers (round to nearest even on narrowing).
float half_to_float(uint16_t h);
uint16_t half_from_double(double v);
uint16_t half_add(uint16_t a, uint16_t b);  // correctly rounded: the double sum of two halves is exact

}  // namespace lpusim::lut
