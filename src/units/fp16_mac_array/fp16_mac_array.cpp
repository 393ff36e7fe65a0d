// FP16 MAC array (the baseline): the same systolic timing as the ternary array; every MAC is an
// FP16 multiply plus an FP16 or FP32 add (design's `accumulate`) and an accumulator register
// write of that width. No zero gating.
// It also runs activation x activation products (attention) on either design.
#include "datapath/systolic.h"
#include "spec/area.h"
#include "units/compute_unit.h"
#include "units/unit_def.h"

namespace lpusim {

namespace {

struct Fp16MacArrayParams {
  int64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  FoldTiming timing = FoldTiming::ScaleSim;
  std::string accumulate;  // fp16 | fp32
};

const ParamTable<Fp16MacArrayParams> kParams = {
    param(&Fp16MacArrayParams::rows, "rows", "array rows R").min(1),
    param(&Fp16MacArrayParams::cols, "cols", "array columns C").min(1),
    param(&Fp16MacArrayParams::dataflow, "dataflow", "dataflow of a fold", dataflow_values()),
    param(&Fp16MacArrayParams::timing, "timing",
          "fold accounting: scale_sim = folds back to back (SCALE-Sim), pipelined = next fold's fill overlaps the "
          "current drain",
          fold_timing_values())
        .default_value("scale_sim"),
    param(&Fp16MacArrayParams::accumulate, "accumulate", "accumulator precision").choices({"fp16", "fp32"}),
};

class Fp16MacArray : public ComputeUnit {
 public:
  Fp16MacArray(sc_core::sc_module_name name, const UnitSpec& spec, const Fp16MacArrayParams& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), fp32_acc_(p.accumulate == "fp32") {
    shape_.dataflow = p.dataflow;
    shape_.timing = p.timing;
    shape_.rows = p.rows;
    shape_.cols = p.cols;
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

const bool registered = UnitDef<Fp16MacArrayParams>("fp16_mac_array")
                            .doc("R x C systolic array of FP16 multiply-accumulate PEs (FP16 or FP32 accumulation)")
                            .params(kParams)
                            .capabilities({Capability::Fp16Gemm, Capability::ActGemm})
                            .area([](const Fp16MacArrayParams& p, const TechTable& t) {
                              // PE: FP16 multiplier + FP16/FP32 adder + activation, weight and accumulator registers.
                              const bool fp32 = p.accumulate == "fp32";
                              const double pe = t.area("fp16_mul") + t.area(fp32 ? "fp32_add" : "fp16_add") +
                                                (16 + 16 + (fp32 ? 32 : 16)) * t.area("register_bit");
                              AreaItem a;
                              a.what = "R x C FP16 MAC PEs (" + p.accumulate + " accumulate)";
                              a.um2 = static_cast<double>(p.rows * p.cols) * pe;
                              return a;
                            })
                            .make<Fp16MacArray>()
                            .add();

}  // namespace
}  // namespace lpusim
