// Design-level attention mapping (`attention:` in a design file): where the score product, the
// softmax and the context product of each layer run, and whether the binarised K/V cache is what
// is stored. Without the section attention runs on the act_gemm unit as before.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lpusim {

struct DesignSpec;
struct UnitSpec;

struct AttentionLayerPath {
  std::string scores = "fp16";   // popcount | fp16 (the act_gemm unit)
  std::string softmax = "fp16";  // fp16 | int_lut (vector unit)
  std::string context = "fp16";  // popcount | ternary | fp16
};

struct AttentionSpec {
  bool present = false;
  std::string engine;             // unit name (impl popcount_attention)
  std::string kv_cache = "full";  // binarised: coded K (and V) are stored; full: kv_cache precision
  AttentionLayerPath base;
  std::map<int64_t, AttentionLayerPath> overrides;  // per layer
  std::string overrides_where;  // file:line:col of layer_overrides, for errors found at compile time

  const AttentionLayerPath& path(int layer) const;
};

std::string attention_resolved_yaml(const AttentionSpec& a);

// The engine's unit spec, or nullptr when the design has no attention section.
const UnitSpec* attention_engine(const DesignSpec& d);

}  // namespace lpusim
