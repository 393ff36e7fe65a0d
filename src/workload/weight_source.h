// Where the compiler gets the zero pattern of each weight block it tiles. Timing and energy that
// depend on weight values (zero gating, zero skipping) read it from here: from synthetic weights
// drawn with a seed (SyntheticTernaryWeights), or from a real checkpoint (issue 6).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spec/workload.h"

namespace lpusim {

// Zero pattern of one k x n block of a weight matrix (rows k0..k0+k-1, columns n0..n0+n-1).
struct BlockZeros {
  uint64_t nonzero = 0;               // nonzero weights in the block
  std::vector<uint32_t> col_nonzero;  // nonzeros per column (size n), when asked for
};

class IWeightSource {
 public:
  virtual ~IWeightSource() = default;
  // `name` is the graph op name (q_proj, gate_proj, ...); `per_column` asks for col_nonzero too.
  virtual BlockZeros block(int layer, const std::string& name, uint64_t k0, uint64_t k, uint64_t n0, uint64_t n,
                           bool per_column) const = 0;
  // One line for the report: what the zero patterns come from.
  virtual std::string describe() const = 0;
  // Fraction of zero weights per layer over the ternary tensors, when the weights are real
  // (empty for synthetic sources, whose fraction is the workload's zero_fraction).
  virtual std::vector<double> layer_zero_fractions() const { return {}; }
};

// i.i.d. ternary weights with the workload's zero fraction: each column of a block has
// Binomial(k, 1 - p) nonzeros, drawn from a generator seeded by (seed, layer, name, k0, k, column),
// so the same block gives the same pattern in every decode step and m-tile. When only the block's
// total is asked for, it is one Binomial(k*n, 1 - p) draw (the same law, n times cheaper).
class SyntheticTernaryWeights : public IWeightSource {
 public:
  explicit SyntheticTernaryWeights(const ModelSpec& m) : p_(m.zero_fraction), seed_(m.seed) {}
  BlockZeros block(int layer, const std::string& name, uint64_t k0, uint64_t k, uint64_t n0, uint64_t n,
                   bool per_column) const override;
  std::string describe() const override;

 private:
  double p_;
  uint64_t seed_;
};

std::unique_ptr<IWeightSource> make_weight_source(const WorkloadSpec& w);

}  // namespace lpusim
