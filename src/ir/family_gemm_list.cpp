// Standalone GEMMs (`lpusim gemm --timing`, `lpusim topology`): no model, one graph op per listed
// GEMM (layer i = gemms[i]), run back to back in list order; built in code, never from a workload file.
#include "ir/graph_builder.h"

namespace lpusim {

namespace {

std::vector<Op> build(const WorkloadSpec& w, const GraphOptions&) {
  std::vector<Op> ops;
  for (size_t i = 0; i < w.model.gemms.size(); ++i) {
    const GemmListEntry& g = w.model.gemms[i];
    Op op;
    op.name = g.name;
    op.layer = static_cast<int>(i);
    op.kind = OpKind::Gemm;
    op.wclass = weight_class(g.weights);
    op.gemm_count = 1;
    op.M = g.m, op.K = g.k, op.N = g.n;
    op.in_elements = g.m * g.k;
    op.out_elements = g.m * g.n;
    ops.push_back(op);
  }
  return ops;
}

uint64_t prefill_macs(const WorkloadSpec& w) {
  uint64_t s = 0;
  for (const GemmListEntry& g : w.model.gemms) s += g.m * g.k * g.n;
  return s;
}

uint64_t decode_step_macs(const WorkloadSpec&, uint64_t) { return 0; }

}  // namespace

const ModelFamily& gemm_list_family() {
  static const ModelFamily f{"gemm_list", build, prefill_macs, decode_step_macs};
  return f;
}

}  // namespace lpusim
