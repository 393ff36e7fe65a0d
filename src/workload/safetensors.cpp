#include "workload/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/config_error.h"

namespace lpusim {

const char* st_dtype_name(StDtype d) {
  switch (d) {
    case StDtype::F32: return "F32";
    case StDtype::F16: return "F16";
    case StDtype::BF16: return "BF16";
    case StDtype::I8: return "I8";
    case StDtype::U8: return "U8";
  }
  return "?";
}

uint64_t st_dtype_bytes(StDtype d) {
  switch (d) {
    case StDtype::F32: return 4;
    case StDtype::F16:
    case StDtype::BF16: return 2;
    default: return 1;
  }
}

uint64_t StTensor::numel() const {
  uint64_t n = 1;
  for (uint64_t s : shape) n *= s;
  return n;
}

std::string StTensor::shape_str() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400u)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest even (finite inputs)
  return static_cast<uint16_t>(bits >> 16);
}

uint16_t float_to_half(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const int32_t exp = static_cast<int32_t>((bits >> 23) & 0xff) - 127 + 15;
  uint32_t mant = bits & 0x7fffffu;
  if (exp >= 31) return sign | 0x7c00u;  // overflow -> inf (test data stays in range)
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000u;
    const uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return sign | static_cast<uint16_t>(h);
  }
  uint32_t h = (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return sign | static_cast<uint16_t>(h);
}

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& what) { throw ConfigError(path + ": " + what); }

StDtype parse_dtype(const std::string& path, const std::string& name, const std::string& s) {
  if (s == "F32") return StDtype::F32;
  if (s == "F16") return StDtype::F16;
  if (s == "BF16") return StDtype::BF16;
  if (s == "I8") return StDtype::I8;
  if (s == "U8") return StDtype::U8;
  bad(path, "tensor '" + name + "': unsupported dtype '" + s + "' (supported: F32, F16, BF16, I8, U8)");
}

uint64_t header_u64(const nlohmann::json& v, const std::string& path, const std::string& what) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    bad(path, what + ": expected a non-negative integer, got " + v.dump());
  }
  return v.get<uint64_t>();
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) bad(path, "cannot open safetensors file");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    bad(path, "cannot stat file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ < 8) {
    ::close(fd);
    bad(path, "truncated: " + std::to_string(size_) + " bytes, shorter than the 8-byte header length");
  }
  map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    bad(path, "cannot memory-map file");
  }
  // A rejected file must not keep its mapping: the destructor does not run when the constructor throws.
  try {
    parse_header();
  } catch (...) {
    ::munmap(map_, size_);
    map_ = nullptr;
    throw;
  }
}

void SafetensorsFile::parse_header() {
  const std::string& path = path_;
  const uint8_t* base = static_cast<const uint8_t*>(map_);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | base[i];
  if (n > size_ - 8) {
    bad(path, "truncated or corrupt: header length " + std::to_string(n) + " exceeds the " + std::to_string(size_ - 8) +
                  " bytes after it");
  }
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(reinterpret_cast<const char*>(base + 8), reinterpret_cast<const char*>(base + 8 + n));
  } catch (const nlohmann::json::exception& e) {  // syntax, and numbers like 1e400 (out_of_range)
    bad(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!h.is_object()) bad(path, "header: expected a JSON object of tensors");
  const uint8_t* data = base + 8 + n;
  const uint64_t data_size = size_ - 8 - n;
  std::vector<std::pair<uint64_t, std::string>> spans;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const std::string& name = it.key();
    const nlohmann::json& e = it.value();
    const std::string where = "tensor '" + name + "'";
    if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets")) {
      bad(path, where + ": expected {dtype, shape, data_offsets}");
    }
    if (!e.at("dtype").is_string()) bad(path, where + ": dtype: expected a string");
    StTensor t;
    t.name = name;
    t.dtype = parse_dtype(path, name, e.at("dtype").get<std::string>());
    if (!e.at("shape").is_array()) bad(path, where + ": shape: expected a list");
    for (const auto& d : e.at("shape")) t.shape.push_back(header_u64(d, path, where + ": shape"));
    const auto& off = e.at("data_offsets");
    if (!off.is_array() || off.size() != 2) bad(path, where + ": data_offsets: expected [begin, end]");
    t.begin = header_u64(off[0], path, where + ": data_offsets");
    t.end = header_u64(off[1], path, where + ": data_offsets");
    if (t.begin > t.end) bad(path, where + ": data_offsets: begin > end");
    if (t.end > data_size) {
      bad(path, "truncated: " + where + " ends at data byte " + std::to_string(t.end) + " but the file holds " +
                    std::to_string(data_size) + " data bytes");
    }
    // numel x dtype size without wrapping: a crafted shape must not pass as a small tensor.
    uint64_t bytes = st_dtype_bytes(t.dtype);
    for (uint64_t d : t.shape) {
      if (__builtin_mul_overflow(bytes, d, &bytes))
        bad(path, where + ": shape " + t.shape_str() + " overflows 64 bits");
    }
    if (t.end - t.begin != bytes) {
      bad(path, where + ": shape " + t.shape_str() + " x " + st_dtype_name(t.dtype) + " needs " +
                    std::to_string(t.numel() * st_dtype_bytes(t.dtype)) + " bytes, data_offsets give " +
                    std::to_string(t.end - t.begin));
    }
    t.data = data + t.begin;
    spans.emplace_back(t.begin, name);
    tensors_.emplace(name, std::move(t));
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) {
    const StTensor& prev = tensors_.at(spans[i - 1].second);
    if (spans[i].first < prev.end) bad(path, "tensors '" + prev.name + "' and '" + spans[i].second + "' overlap");
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(map_, size_);
}

const StTensor* SafetensorsFile::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const StTensor& SafetensorsFile::at(const std::string& name) const {
  const StTensor* t = find(name);
  if (!t) bad(path_, "missing tensor '" + name + "'");
  return *t;
}

float SafetensorsFile::value(const StTensor& t, uint64_t i) {
  const uint8_t* p = t.data + i * st_dtype_bytes(t.dtype);
  switch (t.dtype) {
    case StDtype::F32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case StDtype::F16: return half_to_float(static_cast<uint16_t>(p[0] | (p[1] << 8)));
    case StDtype::BF16: return bf16_to_float(static_cast<uint16_t>(p[0] | (p[1] << 8)));
    case StDtype::I8: return static_cast<float>(static_cast<int8_t>(p[0]));
    case StDtype::U8: return static_cast<float>(p[0]);
  }
  return 0;
}

std::string write_safetensors(const std::vector<StWriteTensor>& tensors) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  std::string data;
  for (const auto& t : tensors) {
    nlohmann::ordered_json e;
    e["dtype"] = st_dtype_name(t.dtype);
    e["shape"] = t.shape;
    e["data_offsets"] = {data.size(), data.size() + t.bytes.size()};
    h[t.name] = e;
    data += t.bytes;
  }
  std::string header = h.dump();
  while (header.size() % 8) header += ' ';  // the reference writer pads the header to 8 bytes
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string pack_ternary_rows(const std::vector<int8_t>& w, uint64_t out, uint64_t in) {
  const uint64_t rd = (out + 3) / 4;
  std::string p(rd * in, '\0');
  for (uint64_t r = 0; r < out; ++r) {
    for (uint64_t c = 0; c < in; ++c) {
      const uint8_t v = static_cast<uint8_t>(w[r * in + c] + 1);
      p[(r % rd) * in + c] = static_cast<char>(static_cast<uint8_t>(p[(r % rd) * in + c]) | (v << (2 * (r / rd))));
    }
  }
  return p;
}

}  // namespace lpusim
