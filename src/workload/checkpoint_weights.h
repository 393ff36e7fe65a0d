// Real weights as the zero-pattern source: the ternary tensors of a safetensors checkpoint named by
// the workload's `weights.name_map` (graph op -> tensor name with {layer}). Accepted per tensor:
//  - packed ternary (BitNet b1.58 2B4T layout, see pack_ternary_rows): U8 [ceil(out/4), in] plus a
//    one-element `<name minus "weight">weight_scale` tensor;
//  - F32 / F16 / BF16 / I8 / U8 [out, in]: used as is when every value is -1, 0 or +1, otherwise
//    ternarised with absmean (BitNet b1.58: W_t = clamp(round(W / mean|W|), -1, 1), round half to even).
// The header is checked against the workload (names, shapes, dtypes) when the source is built; data
// bytes are read through the memory map only when zero counts are asked for.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "workload/safetensors.h"
#include "workload/weight_source.h"

namespace lpusim {

class SafetensorsWeights : public IWeightSource {
 public:
  explicit SafetensorsWeights(const ModelSpec& m);
  BlockZeros block(int layer, const std::string& name, uint64_t k0, uint64_t k, uint64_t n0, uint64_t n,
                   bool per_column) const override;
  std::string describe() const override;
  std::vector<double> layer_zero_fractions() const override;

  // Ternary weight of op `name` in `layer` at input row k, output column n (GEMM orientation K x N).
  int trit(int layer, const std::string& name, uint64_t k, uint64_t n) const;

 private:
  struct Matrix {
    const StTensor* t = nullptr;
    uint64_t N = 0, K = 0;  // out features (GEMM N), in features (GEMM K)
    bool packed = false;
    bool ternary_valued = false;  // unpacked tensor already holding -1/0/+1
    float scale = 1;              // absmean: 1 / max(mean|W|, 1e-5)
  };
  const Matrix& matrix(int layer, const std::string& name) const;
  int trit(const Matrix& m, uint64_t k, uint64_t n) const;

  std::unique_ptr<SafetensorsFile> file_;
  std::map<std::pair<int, std::string>, Matrix> mats_;
  int layers_ = 0;
  int packed_count_ = 0, ternary_count_ = 0, absmean_count_ = 0;
};

}  // namespace lpusim
