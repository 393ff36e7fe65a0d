// FP16 MAC array (the baseline): the same systolic timing as the ternary array; every MAC is an
// FP16 multiply plus an FP16 or FP32 add (design's `accumulate`) and an accumulator register
// write of that width. No zero gating.
// It also runs activation x activation products (attention) on either design.
#include "datapath/systolic.h"
#include "spec/area.h"
#include "units/compute_unit.h"

namespace lpusim {

namespace {

class Fp16MacArray : public ComputeUnit {
 public:
  Fp16MacArray(sc_core::sc_module_name name, const UnitSpec& spec, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), fp32_acc_(spec.e("accumulate") == "fp32") {
    shape_.dataflow = parse_dataflow(spec.e("dataflow"));
    shape_.timing = parse_fold_timing(spec.e("timing"));
    shape_.rows = spec.i("rows");
    shape_.cols = spec.i("cols");
  }

  TileCost cost(const Tile& t) const override {
    TileCost c;
    SystolicTiming s = systolic_gemm(shape_, t.m, t.k, t.n);
    c.cycles = s.cycles;
    c.macs = t.m * t.k * t.n;
    c.events[Ev::Fp16Mul] = c.macs;
    c.events[fp32_acc_ ? Ev::Fp32Add : Ev::Fp16Add] = c.macs;
    c.events[Ev::RegFileBit] = c.macs * (fp32_acc_ ? 32 : 16);
    add_systolic_sram_traffic(s, t, c);
    return c;
  }
  double leakage_uw() const override {
    return static_cast<double>(shape_.rows * shape_.cols) * ctx_.tech->leak("fp16_pe");
  }
  uint64_t peak_macs_per_cycle() const override { return shape_.rows * shape_.cols; }

 private:
  ArrayShape shape_;
  bool fp32_acc_;
};

const bool registered = register_unit(
    UnitInfo{"fp16_mac_array",
             "R x C systolic array of FP16 multiply-accumulate PEs (FP16 or FP32 accumulation)",
             {Capability::Fp16Gemm, Capability::ActGemm},
             {
                 {"rows", ParamType::Int, "array rows R", {}, 1},
                 {"cols", ParamType::Int, "array columns C", {}, 1},
                 {"dataflow",
                  ParamType::Enum,
                  "dataflow of a fold",
                  {"output_stationary", "weight_stationary", "input_stationary"},
                  0},
                 {"timing",
                  ParamType::Enum,
                  "fold accounting: scale_sim = folds back to back (SCALE-Sim), pipelined = next fold's fill "
                  "overlaps the current drain",
                  {"scale_sim", "pipelined"},
                  0,
                  "scale_sim"},
                 {"accumulate", ParamType::Enum, "accumulator precision", {"fp16", "fp32"}, 0},
             },
             {},
             [](const UnitSpec& s, const UnitContext& c) -> std::unique_ptr<ComputeUnit> {
               return std::make_unique<Fp16MacArray>(s.name.c_str(), s, c);
             },
             {},
             [](const UnitSpec& s, const TechTable& t) {
               // PE: FP16 multiplier + FP16/FP32 adder + activation, weight and accumulator registers.
               const bool fp32 = s.e("accumulate") == "fp32";
               const double pe = t.area("fp16_mul") + t.area(fp32 ? "fp32_add" : "fp16_add") +
                                 (16 + 16 + (fp32 ? 32 : 16)) * t.area("register_bit");
               AreaItem a;
               a.what = "R x C FP16 MAC PEs (" + s.e("accumulate") + " accumulate)";
               a.um2 = static_cast<double>(s.i("rows") * s.i("cols")) * pe;
               return a;
             }});

}  // namespace
}  // namespace lpusim
