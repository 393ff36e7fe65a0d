// Safetensors reader (https://github.com/huggingface/safetensors, format: 8-byte little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the data; offsets are relative to the byte after the header). The file is memory-mapped:
// nothing is copied, so a checkpoint larger than RAM can be scanned. Every inconsistency (header
// length, JSON, dtype, shape x dtype size vs offsets, out-of-file or overlapping data) is a
// ConfigError naming the file and tensor, checked before any data byte is read.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lpusim {

enum class StDtype { F32, F16, BF16, I8, U8 };
const char* st_dtype_name(StDtype d);
uint64_t st_dtype_bytes(StDtype d);

struct StTensor {
  std::string name;
  StDtype dtype = StDtype::F32;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;    // byte offsets into the data section
  const uint8_t* data = nullptr;  // mapped bytes [begin, end)
  uint64_t numel() const;
  std::string shape_str() const;  // "[640, 2560]"
};

class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const StTensor* find(const std::string& name) const;
  const StTensor& at(const std::string& name) const;  // ConfigError naming the file when absent
  const std::map<std::string, StTensor>& tensors() const { return tensors_; }

  // Element i of a tensor as a float (F16/BF16 widened exactly; I8/U8 as integers).
  static float value(const StTensor& t, uint64_t i);

 private:
  void parse_header();  // the JSON header into tensors_; throws ConfigError
  std::string path_;
  void* map_ = nullptr;
  uint64_t size_ = 0;
  std::map<std::string, StTensor> tensors_;
};

// IEEE half / bfloat16 bits to float (exact).
float half_to_float(uint16_t h);
float bf16_to_float(uint16_t b);
// Float to half / bfloat16 bits (round to nearest even), for writing test files.
uint16_t float_to_half(float f);
uint16_t float_to_bf16(float f);

// Serialises tensors into a safetensors byte string (used by tests and tools): each entry is
// {name, dtype, shape, raw little-endian bytes}. Offsets are assigned in the given order.
struct StWriteTensor {
  std::string name;
  StDtype dtype;
  std::vector<uint64_t> shape;
  std::string bytes;
};
std::string write_safetensors(const std::vector<StWriteTensor>& tensors);

// Ternary weights in the layout BitNet b1.58 checkpoints publish (microsoft/bitnet-b1.58-2B-4T,
// transformers integrations/bitnet.py pack_weights/unpack_weights): a U8 tensor of shape
// [ceil(out/4), in]; byte (r, c) holds rows r + i*ceil(out/4) (i = 0..3) of the [out, in] ternary
// matrix in bits 2i..2i+1, stored as value + 1 (0 -> -1, 1 -> 0, 2 -> +1). The companion
// `weight_scale` tensor holds one scale per tensor.
std::string pack_ternary_rows(const std::vector<int8_t>& w, uint64_t out, uint64_t in);

}  // namespace lpusim
