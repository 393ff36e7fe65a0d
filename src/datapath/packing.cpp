#include "datapath/packing.h"

#include <algorithm>
#include <array>

namespace lpusim::datapath {

namespace {

// Decode tables: one entry per byte value; `ok` false marks an illegal byte (or for packed2 a byte
// holding a 11 code in any slot; which slot is checked only when that slot is actually read).
struct DecodeTables {
  std::array<std::array<int8_t, 4>, 256> p2{};
  std::array<uint8_t, 256> p2_bad_mask{};  // bit i set: slot i holds the illegal code 11
  std::array<std::array<int8_t, 5>, 256> b3{};
  DecodeTables() {
    for (unsigned b = 0; b < 256; ++b) {
      for (unsigned i = 0; i < 4; ++i) {
        const unsigned code = (b >> (2 * i)) & 3u;
        p2[b][i] = code == 1 ? 1 : code == 2 ? -1 : 0;
        if (code == 3) p2_bad_mask[b] |= static_cast<uint8_t>(1u << i);
      }
      unsigned v = b;
      for (unsigned i = 0; i < 5; ++i) {
        b3[b][i] = static_cast<int8_t>(static_cast<int>(v % 3) - 1);
        v /= 3;
      }
    }
  }
};

const DecodeTables& tables() {
  static const DecodeTables t;
  return t;
}

[[noreturn]] void bad_byte(WeightFormat f, uint64_t index, unsigned value, unsigned slot) {
  std::string msg =
      std::string(weight_format_name(f)) + " unpack: byte " + std::to_string(index) + " = " + std::to_string(value);
  msg += f == WeightFormat::Base3 ? " is not a base-3 group (legal bytes are 0..242)"
                                  : " holds the unused code 11 in slot " + std::to_string(slot);
  throw PackError(msg, index, value);
}

template <typename T>
void unpack_impl(const uint8_t* bytes, uint64_t nbytes, WeightFormat f, uint64_t first, uint64_t count, T* out) {
  const uint64_t per = weights_per_byte(f);
  if (count == 0) return;
  if (first + count > nbytes * per) {
    throw std::out_of_range(std::string(weight_format_name(f)) + " unpack: elements [" + std::to_string(first) + ", " +
                            std::to_string(first + count) + ") past the end of " + std::to_string(nbytes) + " bytes");
  }
  const DecodeTables& tb = tables();
  const uint64_t end = first + count;
  uint64_t bi = first / per;
  unsigned slot0 = static_cast<unsigned>(first % per);
  for (uint64_t e = first; e < end; ++bi, slot0 = 0) {
    const unsigned b = bytes[bi];
    const unsigned slots = static_cast<unsigned>(std::min<uint64_t>(per - slot0, end - e));
    if (f == WeightFormat::Packed2) {
      const unsigned used = ((1u << slots) - 1u) << slot0;
      if (tb.p2_bad_mask[b] & used) {
        unsigned s = slot0;
        while (!((tb.p2_bad_mask[b] >> s) & 1u)) ++s;
        bad_byte(f, bi, b, s);
      }
      const int8_t* v = tb.p2[b].data() + slot0;
      for (unsigned s = 0; s < slots; ++s) out[s] = static_cast<T>(v[s]);
    } else {
      if (b > 242) bad_byte(f, bi, b, 0);
      const int8_t* v = tb.b3[b].data() + slot0;
      for (unsigned s = 0; s < slots; ++s) out[s] = static_cast<T>(v[s]);
    }
    out += slots;
    e += slots;
  }
}

}  // namespace

WeightFormat parse_weight_format(const std::string& s) {
  if (s == "packed2") return WeightFormat::Packed2;
  if (s == "base3") return WeightFormat::Base3;
  throw std::invalid_argument("unknown weight format '" + s + "' (expected packed2 or base3)");
}

const char* weight_format_name(WeightFormat f) { return f == WeightFormat::Base3 ? "base3" : "packed2"; }

std::vector<uint8_t> pack_ternary(const int8_t* t, uint64_t n, WeightFormat f) {
  const uint64_t per = weights_per_byte(f);
  std::vector<uint8_t> out(packed_bytes(n, f), 0);
  static const unsigned kPow3[5] = {1, 3, 9, 27, 81};
  for (uint64_t bi = 0; bi < out.size(); ++bi) {
    unsigned byte = 0;
    for (unsigned s = 0; s < per; ++s) {
      const uint64_t e = bi * per + s;
      const int v = e < n ? t[e] : 0;  // padding: zero weights
      if (v < -1 || v > 1) {
        throw std::invalid_argument("pack_ternary: element " + std::to_string(e) + " = " + std::to_string(v) +
                                    " is not ternary");
      }
      if (f == WeightFormat::Packed2) {
        byte |= (v == 1 ? 1u : v == -1 ? 2u : 0u) << (2 * s);
      } else {
        byte += static_cast<unsigned>(v + 1) * kPow3[s];
      }
    }
    out[bi] = static_cast<uint8_t>(byte);
  }
  return out;
}

void unpack_ternary(const uint8_t* bytes, uint64_t nbytes, WeightFormat f, uint64_t first, uint64_t count,
                    int8_t* out) {
  unpack_impl(bytes, nbytes, f, first, count, out);
}

void unpack_ternary(const uint8_t* bytes, uint64_t nbytes, WeightFormat f, uint64_t first, uint64_t count,
                    int16_t* out) {
  unpack_impl(bytes, nbytes, f, first, count, out);
}

std::vector<int8_t> unpack_ternary(const std::vector<uint8_t>& bytes, uint64_t n, WeightFormat f) {
  if (bytes.size() != packed_bytes(n, f)) {
    throw std::invalid_argument(std::string(weight_format_name(f)) + " unpack: " + std::to_string(bytes.size()) +
                                " bytes for " + std::to_string(n) + " weights (expected " +
                                std::to_string(packed_bytes(n, f)) + ")");
  }
  std::vector<int8_t> out(n);
  unpack_impl(bytes.data(), bytes.size(), f, 0, n, out.data());
  return out;
}

}  // namespace lpusim::datapath
