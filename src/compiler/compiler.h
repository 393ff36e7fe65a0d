// Lowers a workload to a tiled program for one design: picks a unit for each op by capability,
// chooses GEMM tile sizes that fit the double-buffered SRAM, decides which activations stay on
// chip, and computes each tile's DRAM traffic. Bad fits are ConfigErrors with the sizes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/program.h"
#include "spec/design.h"
#include "spec/workload.h"

namespace lpusim {

struct GemmTiling {
  uint64_t tm, tk, tn;
};

// Largest tiles with tk*tn stationary bits in half the weight buffer and tm*(tk*a + tn*acc) bits in
// half the activation buffer; tn and tm are rounded down to multiples of the array's cols / rows.
GemmTiling choose_gemm_tiling(uint64_t M, uint64_t K, uint64_t N, double a_bits, double w_bits, double acc_bits,
                              uint64_t rows, uint64_t cols, uint64_t wbuf_half_bits, uint64_t abuf_half_bits,
                              const std::string& what);

// Bytes of `n` dense ternary weights in a storage format ("packed2": 4 per byte, "base3": 5 per
// byte; "sparse": as if all nonzero, in one column).
uint64_t ternary_bytes(uint64_t n, const std::string& format);

// Bits per element of a stationary operand of class wc when run on unit `u` of the design.
struct GemmPath {
  const UnitSpec* unit = nullptr;       // the first array of the path
  std::vector<const UnitSpec*> arrays;  // every unit of the path; the compiler splits GEMMs across them
  std::string path;                     // "ternary" | "int" | "fp16" | "vector"
  std::string note;
};
// Picks the arrays for a weight class. Int8/Int4 layers go to int_mac_arrays with weight_bits at
// least the layer's; without one they run as FP16 layers (with a note), as ternary layers do.
GemmPath choose_gemm_unit(const DesignSpec& d, WeightClass wc);
// True when the workload's int8/int4 linear layers run on an int_mac_array (their inputs are then
// quantised to INT8 per token by the vector unit).
bool int_inputs_quantized(const WorkloadSpec& w, const DesignSpec& d);
// Bytes of a k x n block of `bits`-bit integer weights (INT4 packed two per byte) plus its FP16
// scales: ceil(k / group) per column with group > 0 (int4), else n when with_column_scales (int8).
uint64_t int_weight_bytes(uint64_t k, uint64_t n, uint32_t bits, uint64_t group, bool with_column_scales);

class IWeightSource;
// `weights` supplies the zero pattern of each weight block (default: the workload's synthetic weights).
Program compile(const WorkloadSpec& w, const DesignSpec& d, bool single_decode_step = false,
                const IWeightSource* weights = nullptr);

// Memory footprint of the workload on a design, in bytes.
struct Footprint {
  uint64_t weights = 0;
  uint64_t ternary_weights = 0;   // of which stored as packed ternary
  uint64_t int_weights = 0;       // of which INT8 / INT4 with their FP16 scales (on an int_mac_array)
  uint64_t fp16_weights = 0;      // of which stored as FP16
  uint64_t lut_weights = 0;       // of which weightless MLP tables, thresholds and sum values
  uint64_t kv_cache = 0;          // at the longest context
  uint64_t peak_activations = 0;  // largest live activation working set of one op
  uint64_t peak() const { return weights + kv_cache + peak_activations; }
};
Footprint footprint(const WorkloadSpec& w, const DesignSpec& d, const IWeightSource* weights = nullptr);
// Parameters outside the layers, all FP16: token embedding (+ untied LM head) and a learned position
// table; for an encoder the patch projection, class tokens, positions and classifier heads.
uint64_t model_level_fp16_params(const ModelSpec& m);

}  // namespace lpusim
