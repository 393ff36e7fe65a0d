// How a ternary array stores its weights, in DRAM and in the weight SRAM, and what a block costs:
//   packed2: 2 bits per weight, 4 per byte.
//   base3:   5 trits per byte (3^5 = 243 <= 256), 1.6 bits per weight.
//   sparse:  zero skipping with compressed indices. Each weight column is cut into index blocks
//            of 2^index_bits rows; a block stores its nonzero count (index_bits + 1 bits) and,
//            per nonzero, its row within the block (index_bits) and its sign (1 bit).
#pragma once
#include <cstdint>
#include <string>

namespace lpusim {

enum class TernaryFormat { Packed2, Base3, Sparse };
TernaryFormat parse_ternary_format(const std::string& s);

struct TernaryStorage {
  TernaryFormat format = TernaryFormat::Packed2;
  uint64_t index_bits = 4;  // sparse only
};

// Bits of a k x n block (n columns of k rows) holding `nonzero` nonzero weights.
uint64_t ternary_block_bits(const TernaryStorage& s, uint64_t k, uint64_t n, uint64_t nonzero);

}  // namespace lpusim
