// Integer MAC array (the INT8 / W4A8 baseline): R x C systolic PEs, INT8 activations times INT8 or
// INT4 weights (`weight_bits`; INT4 is sign-extended in the PE), exact products added into an
// `accumulator_bits` (INT32 by default) partial sum. The same three dataflows and two fold timings as
// the other arrays (datapath/systolic.h). Functional model: datapath/int_gemm.h.
// Events per tile (priced from the tech table):
//  - int8_mul + int32_add: one each per MAC (the BitNet v1 / Horowitz energy model of an INT8 MAC).
//    An 8 x 4 multiply (weight_bits 4) is priced as an INT8 multiply: no cited 8 x 4 figure, so an
//    upper bound. No zero gating;
//  - register_file_bit: the accumulator write of every MAC (accumulator_bits each);
//  - fp32_mul: the per-output rescale by the activation scale (and the per-channel weight scale), on
//    the last K tile;
//  - int4 group scales (tile w_group > 0): each output's partial sum of one K group of `w_group`
//    rows is rescaled and added in FP32 by the column's rescale unit: per output and group one
//    fp32_mul, one fp32_add and a 32-bit register write. The rescale unit takes one output per
//    cycle, so it keeps up with an output-stationary fold while w_group >= rows (not stalled here).
#include "datapath/systolic.h"
#include "spec/area.h"
#include "units/compute_unit.h"
#include "units/unit_def.h"

namespace lpusim {

namespace {

struct IntMacArrayParams {
  int64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  FoldTiming timing = FoldTiming::ScaleSim;
  int64_t weight_bits = 8;
  int64_t accumulator_bits = 32;
  std::string accumulator_overflow;  // saturate | error (the functional run)
};
using IP = IntMacArrayParams;

const ParamTable<IP> kParams = {
    param(&IP::rows, "rows", "array rows R").min(1),
    param(&IP::cols, "cols", "array columns C").min(1),
    param(&IP::dataflow, "dataflow", "dataflow of a fold", dataflow_values()),
    param(&IP::timing, "timing",
          "fold accounting: scale_sim = folds back to back (SCALE-Sim), pipelined = next fold's fill overlaps the "
          "current drain",
          fold_timing_values())
        .default_value("scale_sim"),
    param(&IP::weight_bits, "weight_bits",
          "weight operand width: 8 (runs int8 and int4 layers) or 4 (int4 layers only, half-width multipliers)")
        .min(4)
        .max(8)
        .default_value("8"),
    param(&IP::accumulator_bits, "accumulator_bits", "partial-sum width in bits (INT32 by default)")
        .min(16)
        .max(64)
        .default_value("32"),
    param(&IP::accumulator_overflow, "accumulator_overflow",
          "what a partial sum outside the accumulator's range does: saturate (clamped and counted) or error (the "
          "functional run stops with the output's coordinates)")
        .choices({"saturate", "error"})
        .default_value("saturate"),
};

class IntMacArray : public ComputeUnit {
 public:
  IntMacArray(sc_core::sc_module_name name, const UnitSpec& spec, const IP& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), acc_bits_(static_cast<uint64_t>(p.accumulator_bits)) {
    shape_.dataflow = p.dataflow;
    shape_.timing = p.timing;
    shape_.rows = p.rows;
    shape_.cols = p.cols;
  }

  TileCost cost(const Tile& t) const override {
    TileCost c;
    const SystolicTiming s = systolic_gemm(shape_, t.m, t.k, t.n);
    c.cycles = s.cycles;
    c.macs = t.m * t.k * t.n;
    c.events[Ev::Int8Mul] = c.macs;
    c.events[Ev::Int32Add] = c.macs;
    c.events[Ev::RegFileBit] = c.macs * acc_bits_;
    if (t.w_group > 0) {
      const uint64_t rescales = t.m * t.n * ceil_div(t.k, t.w_group);
      c.events[Ev::Fp32Mul] += rescales;
      c.events[Ev::Fp32Add] += rescales;
      c.events[Ev::RegFileBit] += rescales * 32;
    }
    if (t.last_k) c.events[Ev::Fp32Mul] += t.m * t.n;  // y = acc x (weight scale / activation scale)
    add_systolic_sram_traffic(s, t, c);
    return c;
  }
  double leakage_uw() const override {
    return static_cast<double>(shape_.rows * shape_.cols) * ctx_.tech->leak("int8_pe");
  }
  uint64_t peak_macs_per_cycle() const override { return shape_.rows * shape_.cols; }

 private:
  ArrayShape shape_;
  uint64_t acc_bits_;
};

const bool registered =
    UnitDef<IP>("int_mac_array")
        .doc(
            "R x C systolic array of integer MAC PEs: INT8 activations x INT8 or INT4 weights, INT32 accumulation, "
            "per-column FP32 rescale (per-channel or group scales)")
        .params(kParams)
        .capabilities({Capability::IntGemm})
        .validate([](const IP& p) {
          if (p.weight_bits != 8 && p.weight_bits != 4) throw ParamError("weight_bits", "expected 8 or 4");
        })
        .area([](const IP& p, const TechTable& t) {
          // PE: multiplier (the tech table's int8_mul; an 8 x w array multiplier scales with the product
          // of the operand widths, the rule its entry uses to derive 8 x 8 from 32 x 32) + accumulator
          // adder (int32_add scaled by width) + activation, weight and accumulator registers.
          const double acc = static_cast<double>(p.accumulator_bits), wb = static_cast<double>(p.weight_bits);
          const double pe =
              t.area("int8_mul") * wb / 8 + t.area("int32_add") * acc / 32 + (8 + wb + acc) * t.area("register_bit");
          // Per column: the FP32 rescale unit (multiply, add, 32-bit partial register) for per-channel
          // and group scales.
          const double per_col = t.area("fp32_mul") + t.area("fp32_add") + 32 * t.area("register_bit");
          AreaItem a;
          a.what =
              "R x C INT8 x INT" + std::to_string(p.weight_bits) + " MAC PEs + per-column FP32 rescale (multiply-add)";
          a.um2 = static_cast<double>(p.rows * p.cols) * pe + static_cast<double>(p.cols) * per_col;
          return a;
        })
        .make<IntMacArray>()
        .add();

}  // namespace
}  // namespace lpusim
