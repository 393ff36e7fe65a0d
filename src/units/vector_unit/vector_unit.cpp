// Vector unit: `lanes` FP16/FP32 lanes for norms, softmax, activations, quantisation, RoPE, data
// movement, and (if listed in `ops`) GEMM fallback as plain MACs. Each op is a fixed recipe of
// arithmetic events per element and a number of passes over its data (the table below); a tile of
// E elements takes ceil(E * passes / lanes) + pipeline_depth cycles.
#include <algorithm>

#include "ir/graph.h"
#include "spec/area.h"
#include "units/compute_unit.h"
#include "units/unit_def.h"

namespace lpusim {

namespace {

struct Recipe {
  uint32_t passes;  // sweeps over the tile's data (reductions need one more than elementwise ops)
  uint32_t fp16_add, fp16_mul, fp32_add, int8_add;  // events per element
  uint32_t int32_add = 0, int8_mul = 0;
};

// Why these counts: rmsnorm = x^2, running FP32 sum, x * rsqrt, * gain; layernorm adds the mean
// and a subtraction; exp(x) is range reduction + a degree-3 polynomial (4 mul, 4 add), so softmax =
// max-compare, subtract, exp, FP32 sum, * 1/sum; SiLU's sigmoid = exp + add + Newton reciprocal
// (3 mul, 2 add); GELU uses the tanh form (6 mul, 4 add); quantise = |x| max-compare, * 127/max,
// round-and-clip (an integer op); RoPE rotates pairs (2 mul, 1 add per element).
Recipe recipe(VecOp v) {
  switch (v) {
    case VecOp::Rmsnorm: return {2, 0, 3, 1, 0};
    case VecOp::Layernorm: return {2, 1, 3, 2, 0};
    case VecOp::Softmax: return {3, 6, 5, 1, 0};
    case VecOp::Swiglu: return {1, 7, 9, 0, 0};
    case VecOp::Relu2Glu: return {1, 1, 2, 0, 0};
    case VecOp::Gelu: return {1, 4, 6, 0, 0};
    case VecOp::Add: return {1, 1, 0, 0, 0};
    case VecOp::Quantize: return {2, 1, 1, 0, 1};
    case VecOp::Rope: return {1, 1, 2, 0, 0};
    case VecOp::Gather: return {1, 0, 0, 0, 0};
    case VecOp::Copy: return {1, 0, 0, 0, 0};
    case VecOp::Mac: return {1, 0, 1, 1, 0};
    // Integer/LUT softmax (datapath/bitattn.cpp): max-compare and subtract (2 int adds),
    // exp2 by a 16-entry LUT plus a shift (register read), int32 sum, one multiply by 1/sum.
    case VecOp::SoftmaxLut: return {3, 0, 0, 0, 2, 1, 1};
  }
  return {1, 0, 0, 0, 0};
}

struct VectorUnitParams {
  int64_t lanes = 0, pipeline_depth = 0;
  std::vector<std::string> ops;  // vec_op_name()s this unit implements
};

const ParamTable<VectorUnitParams> kParams = {
    param(&VectorUnitParams::lanes, "lanes", "SIMD lanes (elements per cycle per pass)").min(1),
    param(&VectorUnitParams::pipeline_depth, "pipeline_depth", "pipeline fill + drain cycles per tile").min(0),
    param(&VectorUnitParams::ops, "ops", "operations this unit implements").choices(vec_op_names()),
};

class VectorUnit : public ComputeUnit {
 public:
  VectorUnit(sc_core::sc_module_name name, const UnitSpec& spec, const VectorUnitParams& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), lanes_(p.lanes), depth_(p.pipeline_depth) {}

  TileCost cost(const Tile& t) const override {
    TileCost c;
    if (t.kind == OpKind::Gemm) {  // fallback: lanes across N, one MAC per lane per cycle
      c.macs = t.m * t.k * t.n;
      c.cycles = ceil_div(c.macs, lanes_) + depth_;
      c.events[Ev::Fp16Mul] = c.macs;
      c.events[Ev::Fp32Add] = c.macs;
      c.events[Ev::RegFileBit] = c.macs * 3 * 16;
      c.a_read_bits = t.m * t.k * ceil_div(t.n, lanes_) * t.a_bits;
      c.w_read_bits = c.macs * t.w_bits;
      c.a_write_bits = t.m * t.n * (t.last_k ? t.out_bits : t.acc_bits);
      return c;
    }
    const Recipe r = recipe(t.vop);
    const uint64_t e = t.elements;
    c.cycles = ceil_div(e * r.passes, lanes_) + depth_;
    c.events[Ev::Fp16Add] = e * r.fp16_add;
    c.events[Ev::Fp16Mul] = e * r.fp16_mul;
    c.events[Ev::Fp32Add] = e * r.fp32_add;
    c.events[Ev::Int8Add] = e * r.int8_add;
    c.events[Ev::Int32Add] = e * r.int32_add;
    c.events[Ev::Int8Mul] = e * r.int8_mul;
    c.events[Ev::RegFileBit] = e * r.passes * 3 * 16;  // two operand reads + one write per pass
    if (t.vop != VecOp::Gather) c.a_read_bits = e * t.in_operands * 16 * r.passes;
    c.a_write_bits = e * t.out_bits;
    return c;
  }
  double leakage_uw() const override { return static_cast<double>(lanes_) * ctx_.tech->leak("vector_lane"); }

 private:
  uint64_t lanes_, depth_;
};

const bool registered =
    UnitDef<VectorUnitParams>("vector_unit")
        .doc(
            "SIMD FP16/FP32 lanes for elementwise and reduction ops (norms, softmax, activations, quantisation, "
            "RoPE, data movement); optional GEMM fallback ('mac')")
        .params(kParams)
        .capabilities({Capability::VectorOps})
        // Lowering: the vector ops in its `ops` list, tiled by the compiler (chunks of the activation buffer).
        .takes([](const VectorUnitParams& p, const Op& op) {
          return op.kind == OpKind::Vector && std::find(p.ops.begin(), p.ops.end(), vec_op_name(op.vop)) != p.ops.end();
        })
        .area([](const VectorUnitParams& p, const TechTable& t) {
          // Lane: FP32 adder + FP32 multiplier (compares reuse the adder) + 96 operand/result
          // register bits, the same composition as its leakage entry.
          AreaItem a;
          a.what = "lanes x (FP32 add + FP32 mul + 96 register bits)";
          a.um2 =
              static_cast<double>(p.lanes) * (t.area("fp32_add") + t.area("fp32_mul") + 96 * t.area("register_bit"));
          return a;
        })
        .make<VectorUnit>()
        .add();

}  // namespace
}  // namespace lpusim
