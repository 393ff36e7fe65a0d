#include "workload/checkpoint_weights.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "base/config_error.h"
#include "spec/model_ops.h"

namespace lpusim {

namespace {

std::string expand(const std::string& pattern, int layer) {
  std::string s = pattern;
  const std::string key = "{layer}";
  for (size_t p = s.find(key); p != std::string::npos; p = s.find(key, p))
    s.replace(p, key.size(), std::to_string(layer));
  return s;
}

// (N, K) of a ternary op: nn.Linear weights are [out, in].
std::pair<uint64_t, uint64_t> expected_shape(const ModelSpec& m, const std::string& op) {
  const BlockLinear b = block_linear(m, linear_op(op));
  return {b.N, b.K};
}

std::string shape2(uint64_t a, uint64_t b) { return "[" + std::to_string(a) + ", " + std::to_string(b) + "]"; }

}  // namespace

SafetensorsWeights::SafetensorsWeights(const ModelSpec& m)
    : file_(std::make_unique<SafetensorsFile>(m.checkpoint)), layers_(static_cast<int>(m.layers)) {
  const std::string& path = m.checkpoint;
  for (const auto& kv : m.name_map) {
    const std::string& op = kv.first;
    const auto [N, K] = expected_shape(m, op);
    for (int l = 0; l < layers_; ++l) {
      const std::string name = expand(kv.second, l);
      const StTensor* t = file_->find(name);
      if (!t)
        throw ConfigError(path + ": missing tensor '" + name + "' (weights.name_map." + op + ", layer " +
                          std::to_string(l) + ")");
      Matrix mx;
      mx.t = t;
      mx.N = N;
      mx.K = K;
      const std::string what = path + ": tensor '" + name + "' (" + op + "): ";
      if (t->dtype == StDtype::U8 && t->shape.size() == 2 && t->shape[0] == (N + 3) / 4 && t->shape[1] == K &&
          (N + 3) / 4 != N) {
        mx.packed = true;
        const std::string sname = name.size() > 6 && name.compare(name.size() - 6, 6, "weight") == 0
                                      ? name + "_scale"
                                      : name + ".weight_scale";
        const StTensor* s = file_->find(sname);
        if (!s) throw ConfigError(what + "packed ternary U8 needs its scale tensor '" + sname + "', which is missing");
        // transformers' BitLinear registers weight_scale with the model dtype (BF16), shape (1); the
        // ik_llama.cpp PR #337 conversion log prints it as a uint8 scalar, so integer scales pass too.
        // Its value scales outputs only; zero patterns do not depend on it.
        if (s->numel() != 1) {
          throw ConfigError(path + ": tensor '" + sname + "': expected one scale value, got shape " + s->shape_str());
        }
        const float sv = SafetensorsFile::value(*s, 0);
        if (!std::isfinite(sv) || sv <= 0)
          throw ConfigError(path + ": tensor '" + sname + "': scale must be finite and > 0");
        ++packed_count_;
      } else if (t->shape.size() == 2 && t->shape[0] == N && t->shape[1] == K) {
        // One pass: absmean and whether the tensor is already ternary.
        double sum = 0;
        bool ternary = true;
        const uint64_t n = t->numel();
        for (uint64_t i = 0; i < n; ++i) {
          const float v = SafetensorsFile::value(*t, i);
          if (!std::isfinite(v)) throw ConfigError(what + "element " + std::to_string(i) + " is not finite");
          sum += std::fabs(v);
          ternary = ternary && (v == 0.f || v == 1.f || v == -1.f);
        }
        mx.ternary_valued = ternary;
        mx.scale = static_cast<float>(1.0 / std::max(sum / static_cast<double>(n), 1e-5));
        ++(ternary ? ternary_count_ : absmean_count_);
      } else {
        throw ConfigError(what + "shape " + t->shape_str() + " " + st_dtype_name(t->dtype) +
                          " does not match the workload: expected " + shape2(N, K) + " ([out, in]) or packed U8 " +
                          shape2((N + 3) / 4, K));
      }
      mats_.emplace(std::make_pair(l, op), mx);
    }
  }
}

const SafetensorsWeights::Matrix& SafetensorsWeights::matrix(int layer, const std::string& name) const {
  auto it = mats_.find({layer, name});
  if (it == mats_.end()) {
    throw ConfigError(file_->path() + ": no tensor mapped for op '" + name + "' layer " + std::to_string(layer));
  }
  return it->second;
}

int SafetensorsWeights::trit(const Matrix& m, uint64_t k, uint64_t n) const {
  if (m.packed) {
    const uint64_t rd = (m.N + 3) / 4;
    const unsigned code = (m.t->data[(n % rd) * m.K + k] >> (2 * (n / rd))) & 3u;
    if (code == 3) {
      throw ConfigError(file_->path() + ": tensor '" + m.t->name + "': invalid 2-bit ternary code 3 at row " +
                        std::to_string(n) + ", column " + std::to_string(k));
    }
    return static_cast<int>(code) - 1;
  }
  const float v = SafetensorsFile::value(*m.t, n * m.K + k);
  if (m.ternary_valued) return static_cast<int>(v);
  const float q = std::nearbyint(v * m.scale);  // round half to even, like torch.round
  return q > 0 ? 1 : q < 0 ? -1 : 0;
}

int SafetensorsWeights::trit(int layer, const std::string& name, uint64_t k, uint64_t n) const {
  return trit(matrix(layer, name), k, n);
}

BlockZeros SafetensorsWeights::block(int layer, const std::string& name, uint64_t k0, uint64_t k, uint64_t n0,
                                     uint64_t n, bool per_column) const {
  const Matrix& m = matrix(layer, name);
  if (k0 + k > m.K || n0 + n > m.N) {
    throw ConfigError(file_->path() + ": block outside tensor '" + m.t->name + "' " + shape2(m.N, m.K));
  }
  BlockZeros b;
  if (per_column) b.col_nonzero.resize(n);
  const uint64_t rd = (m.N + 3) / 4;
  for (uint64_t j = 0; j < n; ++j) {
    uint32_t nz = 0;
    if (m.packed) {
      // Hot path (a whole checkpoint is counted): one packed byte row, contiguous along k.
      const uint64_t row = n0 + j;
      const uint8_t* p = m.t->data + (row % rd) * m.K + k0;
      const unsigned shift = static_cast<unsigned>(2 * (row / rd));
      uint32_t zeros = 0, invalid = 0;
      for (uint64_t i = 0; i < k; ++i) {
        const unsigned code = (p[i] >> shift) & 3u;
        zeros += code == 1;
        invalid += code == 3;
      }
      if (invalid) {
        for (uint64_t i = 0; i < k; ++i) trit(m, k0 + i, row);  // throws with the position
      }
      nz = static_cast<uint32_t>(k) - zeros;
    } else {
      for (uint64_t i = 0; i < k; ++i) nz += trit(m, k0 + i, n0 + j) != 0;
    }
    b.nonzero += nz;
    if (per_column) b.col_nonzero[j] = nz;
  }
  return b;
}

std::vector<double> SafetensorsWeights::layer_zero_fractions() const {
  std::vector<uint64_t> zeros(layers_, 0), total(layers_, 0);
  for (const auto& kv : mats_) {
    const Matrix& m = kv.second;
    const int l = kv.first.first;
    total[l] += m.N * m.K;
    zeros[l] += m.N * m.K - block(l, kv.first.second, 0, m.K, 0, m.N, false).nonzero;
  }
  std::vector<double> f(layers_);
  for (int l = 0; l < layers_; ++l) f[l] = total[l] ? static_cast<double>(zeros[l]) / static_cast<double>(total[l]) : 0;
  return f;
}

std::string SafetensorsWeights::describe() const {
  std::ostringstream s;
  s << "checkpoint " << file_->path() << ": " << mats_.size() << " ternary tensors (" << packed_count_
    << " packed U8 + scale, " << ternary_count_ << " already ternary, " << absmean_count_ << " absmean-ternarised)";
  return s.str();
}

}  // namespace lpusim
