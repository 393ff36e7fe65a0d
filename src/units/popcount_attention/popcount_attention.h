// Popcount attention engine (units/popcount_attention/popcount_attention.cpp): helpers shared with tests.
#pragma once
#include <cstdint>
#include <string>

namespace lpusim {

// Threshold comparisons per element the encoder spends on the coding itself (the absmax compare
// comes on top): sign 1, bit_plane T (successive approximation), spike ceil(log2(T + 1)) + 1.
uint64_t popcount_encoder_compares(const std::string& encoding, uint64_t T);

}  // namespace lpusim
