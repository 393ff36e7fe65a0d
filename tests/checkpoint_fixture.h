// The tiny checkpoint fixture shared by the safetensors and functional tests: a 2-layer model
// (tests/data/tiny.yaml shapes) whose ternary ops are written here as a safetensors file, layer 0
// packed U8 + BF16 scale (BitNet b1.58 2B4T layout), layer 1 BF16 Gaussian master weights.
#pragma once
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "helpers.h"
#include "workload/safetensors.h"

namespace lpusim_test {

using lpusim::bf16_to_float;
using lpusim::float_to_bf16;
using lpusim::pack_ternary_rows;
using lpusim::StDtype;
using lpusim::StWriteTensor;

inline std::string tmp(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("lpusim_st_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

template <typename T>
inline std::string raw(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(&s[0], v.data(), s.size());
  return s;
}

inline std::string f32_bytes(const std::vector<float>& v) { return raw(v); }
inline std::string u16_bytes(const std::vector<float>& v, uint16_t (*conv)(float)) {
  std::vector<uint16_t> h;
  for (float f : v) h.push_back(conv(f));
  return raw(h);
}

// The tiny test model's ternary ops as LLaMA/BitNet checkpoints name them.
const std::vector<std::pair<std::string, std::string>> kNames = {
    {"q_proj", "model.layers.{layer}.self_attn.q_proj.weight"},
    {"k_proj", "model.layers.{layer}.self_attn.k_proj.weight"},
    {"v_proj", "model.layers.{layer}.self_attn.v_proj.weight"},
    {"o_proj", "model.layers.{layer}.self_attn.o_proj.weight"},
    {"ffn_gate", "model.layers.{layer}.mlp.gate_proj.weight"},
    {"ffn_up", "model.layers.{layer}.mlp.up_proj.weight"},
    {"ffn_down", "model.layers.{layer}.mlp.down_proj.weight"}};

inline std::string layer_name(const std::string& pattern, int l) {
  return replace_once(pattern, "{layer}", std::to_string(l));
}

// tiny.yaml: hidden 256, 4 heads, 2 KV heads (kv_dim 128), ffn 640, 2 layers. [out, in] per op.
inline std::pair<uint64_t, uint64_t> tiny_shape(const std::string& op) {
  if (op == "k_proj" || op == "v_proj") return {128, 256};
  if (op == "ffn_gate" || op == "ffn_up") return {640, 256};
  if (op == "ffn_down") return {256, 640};
  return {256, 256};
}

struct Checkpoint {
  std::vector<StWriteTensor> tensors;
  // Expected ternary matrices [out, in] per (layer, op).
  std::map<std::pair<int, std::string>, std::vector<int8_t>> trits;
};

inline int absmean_trit(float v, float scale) {
  const float q = std::nearbyint(v * scale);
  return q > 0 ? 1 : q < 0 ? -1 : 0;
}

// Layer 0: packed ternary U8 + BF16 weight_scale, as microsoft/bitnet-b1.58-2B-4T stores it.
// Layer 1: BF16 Gaussian master weights, ternarised with absmean by the reader.
inline Checkpoint tiny_checkpoint(uint32_t seed) {
  Checkpoint c;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> tri(0, 9);
  std::normal_distribution<float> gauss(0.f, 0.02f);
  for (const auto& nm : kNames) {
    const auto [N, K] = tiny_shape(nm.first);
    std::vector<int8_t> w(N * K);
    for (auto& x : w) {
      const int r = tri(rng);
      x = static_cast<int8_t>(r < 4 ? 0 : r < 7 ? 1 : -1);  // 40 % zeros
    }
    c.tensors.push_back({layer_name(nm.second, 0), StDtype::U8, {(N + 3) / 4, K}, pack_ternary_rows(w, N, K)});
    c.tensors.push_back({layer_name(nm.second, 0) + "_scale", StDtype::BF16, {1}, u16_bytes({1.5f}, float_to_bf16)});
    c.trits[{0, nm.first}] = w;

    std::vector<float> g(N * K);
    double sum = 0;
    for (auto& x : g) {
      x = bf16_to_float(float_to_bf16(gauss(rng)));  // the value the file will hold
      sum += std::fabs(x);
    }
    const float scale = static_cast<float>(1.0 / std::max(sum / static_cast<double>(N * K), 1e-5));
    std::vector<int8_t> t(N * K);
    for (size_t i = 0; i < g.size(); ++i) t[i] = static_cast<int8_t>(absmean_trit(g[i], scale));
    c.tensors.push_back({layer_name(nm.second, 1), StDtype::BF16, {N, K}, u16_bytes(g, float_to_bf16)});
    c.trits[{1, nm.first}] = t;
  }
  return c;
}

inline std::string checkpoint_workload(const std::string& ckpt, const std::string& tag) {
  std::string text = read_file(src("tests/data/tiny.yaml"));
  std::string map = "    distribution: checkpoint\n    checkpoint: \"" + ckpt + "\"\n    name_map:\n";
  for (const auto& nm : kNames) map += "      " + nm.first + ": \"" + nm.second + "\"\n";
  text = replace_once(text, "    distribution: ternary_iid\n    zero_fraction: 0.31\n    seed: 7\n", map);
  const std::string path = tmp(tag + ".yaml");
  write_file(path, text);
  return path;
}

}  // namespace lpusim_test
