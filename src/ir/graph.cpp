#include "ir/graph.h"

#include <stdexcept>

#include "ir/graph_builder.h"
#include "spec/model_ops.h"

namespace lpusim {

const char* phase_name(Phase p) { return p == Phase::Prefill ? "prefill" : "decode"; }

WeightClass weight_class(Precision p) {
  switch (p) {
    case Precision::Ternary: return WeightClass::Ternary;
    case Precision::Int8: return WeightClass::Int8;
    case Precision::Int4: return WeightClass::Int4;
    case Precision::Fp16: break;
  }
  return WeightClass::Fp16;
}

const std::vector<std::string>& vec_op_names() {
  static const std::vector<std::string> names = {"rmsnorm", "layernorm", "softmax",    "swiglu", "relu2_glu",
                                                 "gelu",    "add",       "quantize",   "rope",   "gather",
                                                 "copy",    "mac",       "softmax_lut"};
  return names;
}

const char* vec_op_name(VecOp v) { return vec_op_names()[static_cast<int>(v)].c_str(); }

const ModelFamily& model_family(const std::string& name) {
  for (const ModelFamily* f : {&decoder_family(), &encoder_family(), &gemm_list_family()})
    if (name == f->name) return *f;
  throw std::out_of_range("no model family named '" + name + "'");
}

uint64_t layer_linear_macs_per_token(const ModelSpec& m) {
  uint64_t s = 0;
  for (const BlockLinear& b : block_linears(m, m.lut_mlp.enabled)) s += b.K * b.N;
  return s;
}

std::vector<Op> build_graph(const WorkloadSpec& w, const GraphOptions& opt) {
  return model_family(w.model.family).build(w, opt);
}

uint64_t graph_macs(const std::vector<Op>& ops, Phase ph, int step) {
  uint64_t s = 0;
  for (const Op& o : ops) {
    if (o.phase == ph && o.step == step) s += o.macs();
  }
  return s;
}

uint64_t closed_form_prefill_macs(const WorkloadSpec& w) { return model_family(w.model.family).prefill_macs(w); }

uint64_t closed_form_decode_step_macs(const WorkloadSpec& w, uint64_t kv_len) {
  return model_family(w.model.family).decode_step_macs(w, kv_len);
}

}  // namespace lpusim
