// Where a compiled program's data lives in DRAM (byte addresses the DMA engine hands to the DRAM
// address mapping). One bump allocator, regions aligned to 1 MiB, allocated in program order on
// first use, so weights, KV cache and activations get distinct base addresses:
//   - weight tensor (layer, op): its k x n blocks stored in the order the tiles read them
//     (block (n0, k0) at element offset n0 K + k0 tn, times the storage bits); later m-tiles and
//     decode steps read the same bytes again;
//   - KV cache (layer, attn_score = K, attn_context = V): batch x kv_heads slices of
//     head_dim x max_context elements; kv_append writes at a per-layer cursor that advances by the
//     bytes appended and wraps at the end of the layer's K region;
//   - activations: two ping-pong buffers; op i spills its output into buffer i % 2 in tile order and
//     its consumer reads the other buffer from its start.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace lpusim {

class DramLayout {
 public:
  static constexpr uint64_t kAlign = uint64_t{1} << 20;

  // Base of the region (layer, name), allocated with `bytes` at first use.
  uint64_t region(int layer, const std::string& name, uint64_t bytes) {
    auto key = std::make_pair(layer, name);
    auto it = regions_.find(key);
    if (it != regions_.end()) return it->second.first;
    const uint64_t base = next_;
    next_ += (bytes + kAlign - 1) / kAlign * kAlign;
    if (bytes == 0) next_ += kAlign;
    regions_.emplace(key, std::make_pair(base, bytes));
    return base;
  }
  uint64_t region_bytes(int layer, const std::string& name) const { return regions_.at({layer, name}).second; }
  // Advancing cursor inside a region (appends); wraps at its end.
  uint64_t append(int layer, const std::string& name, uint64_t bytes) {
    const uint64_t size = region_bytes(layer, name);
    uint64_t& c = cursor_[{layer, name}];
    if (c + bytes > size) c = 0;
    const uint64_t a = region(layer, name, size) + c;
    c += bytes;
    return a;
  }
  uint64_t end() const { return next_; }

 private:
  uint64_t next_ = 0;
  std::map<std::pair<int, std::string>, std::pair<uint64_t, uint64_t>> regions_;
  std::map<std::pair<int, std::string>, uint64_t> cursor_;
};

}  // namespace lpusim
