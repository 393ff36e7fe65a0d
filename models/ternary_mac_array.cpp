// Ternary MAC array (BitNet b1.58): weights in {-1, 0, +1}, INT8 activations. Each PE adds,
// subtracts or skips; partial sums accumulate in an `accumulator_bits` register; each finished
// output is rescaled once (absmean gamma x activation scale) in FP32.
// Energy: one ternary MAC is priced as one INT8 add, the BitNet b1.58 energy model; with
// zero_gating a zero weight costs no add (the cycle is still spent). The zero count of every
// k x n weight block comes from the compiler (sampled per block from the workload's weights).
#include "models/compute_unit.h"
#include "models/systolic.h"

namespace lpusim {

namespace {

class TernaryMacArray : public ComputeUnit {
 public:
  TernaryMacArray(sc_core::sc_module_name name, const UnitSpec& spec, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), rows_(spec.i("rows")), cols_(spec.i("cols")),
        df_(parse_dataflow(spec.e("dataflow"))), gating_(spec.b("zero_gating")),
        unpack_(spec.i("unpack_stages")) {}

  TileCost cost(const Tile& t) const override {
    TileCost c;
    SystolicTiming s = systolic_gemm(df_, rows_, cols_, t.m, t.k, t.n, unpack_);
    c.cycles = s.cycles;
    c.macs = t.m * t.k * t.n;
    c.events[Ev::Int8Add] = gating_ ? t.m * t.w_nonzero : c.macs;
    if (t.last_k) c.events[Ev::Fp32Mul] = t.m * t.n;  // dequantise: y = acc * (gamma / s_x)
    add_systolic_sram_traffic(s, t, c);
    return c;
  }
  double leakage_uw() const override {
    return static_cast<double>(rows_ * cols_) * ctx_.tech->leak("ternary_pe");
  }
  uint64_t peak_macs_per_cycle() const override { return rows_ * cols_; }

 private:
  uint64_t rows_, cols_;
  Dataflow df_;
  bool gating_;
  uint64_t unpack_;
};

const bool registered = register_unit(UnitInfo{
    "ternary_mac_array",
    "R x C systolic array of ternary add/sub/skip PEs (BitNet b1.58), INT8 activations, "
    "integer accumulators, per-output FP32 rescale",
    {Capability::TernaryGemm},
    {
        {"rows", ParamType::Int, "array rows R", {}, 1},
        {"cols", ParamType::Int, "array columns C", {}, 1},
        {"dataflow", ParamType::Enum, "SCALE-Sim dataflow of a fold",
         {"output_stationary", "weight_stationary", "input_stationary"}, 0},
        {"accumulator_bits", ParamType::Int, "partial-sum width in bits (INT32 by default)", {}, 8},
        {"accumulator_overflow", ParamType::Enum,
         "what a partial sum outside the accumulator's range does: saturate (clamped and counted) or "
         "error (the functional run stops with the output's coordinates)",
         {"saturate", "error"}, 0},
        {"zero_gating", ParamType::Bool, "zero weights skip the add (no energy), cycle still spent", {}, 0},
        {"weight_format", ParamType::Enum,
         "weight storage: packed2 = 2 bits/weight, base3 = 5 trits per byte (1.6 bits/weight)",
         {"packed2", "base3"}, 0},
        {"unpack_stages", ParamType::Int, "pipeline stages of the weight unpacker, added to every fold", {}, 0},
    },
    {"tiles: tiles executed", "busy_cycles: cycles with a tile in flight",
     "sram_stall_cycles: cycles added by busy SRAM ports"},
    [](const UnitSpec& s, const UnitContext& c) -> std::unique_ptr<ComputeUnit> {
      return std::make_unique<TernaryMacArray>(s.name.c_str(), s, c);
    }});

}  // namespace
}  // namespace lpusim
