#include "units/ternary_mac_array/weight_format.h"

namespace lpusim {

TernaryFormat parse_ternary_format(const std::string& s) {
  if (s == "base3") return TernaryFormat::Base3;
  if (s == "sparse") return TernaryFormat::Sparse;
  return TernaryFormat::Packed2;
}

uint64_t ternary_block_bits(const TernaryStorage& s, uint64_t k, uint64_t n, uint64_t nonzero) {
  const uint64_t w = k * n;
  switch (s.format) {
    case TernaryFormat::Packed2: return (w + 3) / 4 * 8;
    case TernaryFormat::Base3: return (w + 4) / 5 * 8;
    case TernaryFormat::Sparse: {
      const uint64_t block_rows = 1ull << s.index_bits;
      const uint64_t blocks = (k + block_rows - 1) / block_rows;
      return n * blocks * (s.index_bits + 1) + nonzero * (s.index_bits + 1);
    }
  }
  return 0;
}

}  // namespace lpusim
