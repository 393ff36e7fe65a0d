// Storage formats of ternary weights (a ternary_mac_array's `weight_format`), as held in DRAM and
// SRAM and decoded by the array's unpack stage. A tensor is packed in row-major element order
// (element e = k * N + n of a K x N matrix), so a tile's rows are byte ranges that may start
// mid-byte; the unpacker decodes any element range.
//
// packed2: 4 weights per byte, 2 bits each, element e in bits [2*(e%4), 2*(e%4)+1] of byte e/4
//          (first element in the least significant bits). Codes: 00 = 0, 01 = +1, 10 = -1,
//          11 = invalid (an unpack error).
// base3:   5 weights per byte, byte = sum_{i=0..4} (t_i + 1) * 3^i with t_0 the first element of
//          the group (least significant trit); legal bytes are 0..242, 243..255 are unpack errors.
//          1.6 bits per weight (3^5 = 243 <= 256).
// A last, partial byte is padded with zero weights (packed2 code 00, base3 digit 1).
// Byte counts equal ternary_bytes() in compiler/compiler.cpp: ceil(n/4) and ceil(n/5).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lpusim::datapath {

enum class WeightFormat { Packed2, Base3 };
WeightFormat parse_weight_format(const std::string& s);  // "packed2" | "base3"
const char* weight_format_name(WeightFormat f);
inline uint64_t weights_per_byte(WeightFormat f) { return f == WeightFormat::Base3 ? 5 : 4; }
inline uint64_t packed_bytes(uint64_t n, WeightFormat f) { return (n + weights_per_byte(f) - 1) / weights_per_byte(f); }

// A byte (or 2-bit code) that is not a legal encoding, with where it was found.
class PackError : public std::runtime_error {
 public:
  PackError(const std::string& msg, uint64_t byte_index, unsigned value)
      : std::runtime_error(msg), byte_index(byte_index), value(value) {}
  uint64_t byte_index;
  unsigned value;
};

// Packs n ternary values (each must be -1, 0 or +1; anything else is std::invalid_argument).
std::vector<uint8_t> pack_ternary(const int8_t* t, uint64_t n, WeightFormat f);
inline std::vector<uint8_t> pack_ternary(const std::vector<int8_t>& t, WeightFormat f) {
  return pack_ternary(t.data(), t.size(), f);
}

// Decodes elements [first, first + count) of a packed tensor of `nbytes` bytes into out[0..count).
// Throws PackError on an illegal byte/code inside the range, std::out_of_range past the end.
void unpack_ternary(const uint8_t* bytes, uint64_t nbytes, WeightFormat f, uint64_t first, uint64_t count, int8_t* out);
void unpack_ternary(const uint8_t* bytes, uint64_t nbytes, WeightFormat f, uint64_t first, uint64_t count,
                    int16_t* out);
// Whole tensor of n elements.
std::vector<int8_t> unpack_ternary(const std::vector<uint8_t>& bytes, uint64_t n, WeightFormat f);

}  // namespace lpusim::datapath
