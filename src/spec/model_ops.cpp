#include "spec/model_ops.h"

#include <stdexcept>

namespace lpusim {

const std::vector<LinearOp>& linear_ops() {
  using D = ModelDim;
  static const std::vector<LinearOp> ops = {
      {"q_proj", false, D::Hidden, D::Hidden, false, 0}, {"k_proj", false, D::Hidden, D::KvDim, false, 1},
      {"v_proj", false, D::Hidden, D::KvDim, false, 2},  {"o_proj", false, D::Hidden, D::Hidden, false, 3},
      {"ffn_gate", true, D::Hidden, D::Ffn, true, 4},    {"ffn_up", true, D::Hidden, D::Ffn, false, 5},
      {"ffn_down", true, D::Ffn, D::Hidden, false, 6},
  };
  return ops;
}

const LinearOp& linear_op(const std::string& name) {
  for (const LinearOp& o : linear_ops())
    if (name == o.name) return o;
  throw std::out_of_range("no linear op named '" + name + "'");
}

uint64_t model_dim(const ModelSpec& m, ModelDim d) {
  switch (d) {
    case ModelDim::Hidden: return static_cast<uint64_t>(m.hidden);
    case ModelDim::KvDim: return static_cast<uint64_t>(m.kv_dim());
    case ModelDim::Ffn: return static_cast<uint64_t>(m.ffn);
  }
  return 0;
}

BlockLinear block_linear(const ModelSpec& m, const LinearOp& op) {
  return {&op, model_dim(m, op.k), model_dim(m, op.n), op.ffn ? m.ffn_w : m.attn_proj};
}

std::vector<BlockLinear> block_linears(const ModelSpec& m, bool mlp_as_lut) {
  std::vector<BlockLinear> out;
  for (const LinearOp& o : linear_ops()) {
    if (o.ffn && mlp_as_lut) continue;
    if (o.gated_only && !m.gated_ffn()) continue;
    out.push_back(block_linear(m, o));
  }
  return out;
}

}  // namespace lpusim
