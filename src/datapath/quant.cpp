#include "datapath/quant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lpusim::datapath {

namespace {
void check_size(size_t have, uint64_t rows, uint64_t cols, const char* what) {
  if (have != rows * cols) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(have) + " values for a " +
                                std::to_string(rows) + " x " + std::to_string(cols) + " tensor");
  }
}
}  // namespace

QuantizedActivations quantize_absmax_int8(const std::vector<float>& x, uint64_t rows, uint64_t cols) {
  check_size(x.size(), rows, cols, "quantize_absmax_int8");
  QuantizedActivations r;
  r.rows = rows;
  r.cols = cols;
  r.q.resize(x.size());
  r.scale.resize(rows);
  for (uint64_t i = 0; i < rows; ++i) {
    const float* row = x.data() + i * cols;
    float amax = 0;
    for (uint64_t j = 0; j < cols; ++j) amax = std::max(amax, std::fabs(row[j]));
    const float s = 127.0f / std::max(amax, kQuantEps);
    r.scale[i] = s;
    for (uint64_t j = 0; j < cols; ++j) {
      const float v = std::clamp(std::nearbyint(row[j] * s), -128.0f, 127.0f);
      r.q[i * cols + j] = static_cast<int8_t>(v);
    }
  }
  return r;
}

TernaryWeights quantize_absmean_ternary(const std::vector<float>& w, uint64_t rows, uint64_t cols) {
  check_size(w.size(), rows, cols, "quantize_absmean_ternary");
  TernaryWeights r;
  r.rows = rows;
  r.cols = cols;
  // Sum in double so the mean does not depend on the tensor size's rounding drift; the scale itself
  // is then an FP32 value like the reference's.
  double sum = 0;
  for (float v : w) sum += std::fabs(v);
  const float mean = w.empty() ? 0.0f : static_cast<float>(sum / static_cast<double>(w.size()));
  r.gamma = std::max(mean, kQuantEps);
  r.t.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    r.t[i] = static_cast<int8_t>(std::clamp(std::nearbyint(w[i] / r.gamma), -1.0f, 1.0f));
  }
  return r;
}

double zero_fraction(const std::vector<int8_t>& v) {
  if (v.empty()) return 0;
  const auto zeros = std::count(v.begin(), v.end(), int8_t{0});
  return static_cast<double>(zeros) / static_cast<double>(v.size());
}

}  // namespace lpusim::datapath
