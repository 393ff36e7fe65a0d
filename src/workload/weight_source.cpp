#include "workload/weight_source.h"

#include "workload/checkpoint_weights.h"

#include <random>
#include <sstream>

namespace lpusim {

namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t hash_str(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// A splitmix64 stream: cheap to seed per column, unlike mt19937_64's 312-word state.
struct SplitMixEngine {
  using result_type = uint64_t;
  uint64_t s;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~0ull; }
  result_type operator()() { return splitmix(s += 0x9e3779b97f4a7c15ull); }
};

}  // namespace

BlockZeros SyntheticTernaryWeights::block(int layer, const std::string& name, uint64_t k0, uint64_t k, uint64_t n0,
                                          uint64_t n, bool per_column) const {
  BlockZeros b;
  if (per_column) b.col_nonzero.resize(n);
  const uint64_t base = splitmix(
      seed_ ^ splitmix(hash_str(name) ^ splitmix(static_cast<uint64_t>(layer + 1)) ^ splitmix(k0 * 1000003ull + k)));
  if (p_ <= 0) {
    b.nonzero = k * n;
    if (per_column) b.col_nonzero.assign(n, static_cast<uint32_t>(k));
    return b;
  }
  if (!per_column) {
    // The block's total alone: one Binomial(k*n, p) draw, the sum of its columns' draws in law.
    SplitMixEngine eng{base};
    std::binomial_distribution<uint64_t> zeros(k * n, p_);
    b.nonzero = k * n - zeros(eng);
    return b;
  }
  std::binomial_distribution<uint64_t> zeros(k, p_);  // set up once: construction dominates a draw
  for (uint64_t j = 0; j < n; ++j) {
    SplitMixEngine eng{splitmix(base ^ (n0 + j))};
    const uint64_t nz = k - zeros(eng);
    b.nonzero += nz;
    b.col_nonzero[j] = static_cast<uint32_t>(nz);
  }
  return b;
}

std::string SyntheticTernaryWeights::describe() const {
  std::ostringstream s;
  s << "synthetic i.i.d. ternary weights, zero fraction " << p_ << ", seed " << seed_;
  return s.str();
}

std::unique_ptr<IWeightSource> make_weight_source(const WorkloadSpec& w) {
  if (w.model.weight_distribution == "checkpoint") return std::make_unique<SafetensorsWeights>(w.model);
  return std::make_unique<SyntheticTernaryWeights>(w.model);
}

}  // namespace lpusim
