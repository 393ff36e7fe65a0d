// Ternary MAC array (BitNet b1.58): weights in {-1, 0, +1}, INT8 activations. Each PE adds,
// subtracts or skips; partial sums accumulate in an `accumulator_bits` register; each finished
// output is rescaled once (absmean gamma x activation scale) in FP32.
// Events per tile (priced from the tech table):
//  - int8_add: one per add/subtract, the BitNet b1.58 energy model of a ternary MAC;
//  - register_file_bit: the accumulator write of every add (accumulator_bits each) and, with
//    sparse weights, the 8-bit read of the activation each nonzero selects from its row window;
//  - gated_slot: with zero_gating, a zero weight costs no add and no accumulator write, only the
//    gating logic; the cycle is still spent;
//  - unpack_packed2_weight / unpack_base3_byte / index_decode_bit: the weight decoder between the
//    weight SRAM and the array, once per weight streamed (OS streams weights once per M fold);
//  - fp32_mul: the per-output rescale, on the last K tile.
// Zero counts come from the compiler's IWeightSource, block by block: the real zero pattern.
#include "datapath/systolic.h"
#include "spec/area.h"
#include "units/compute_unit.h"
#include "units/ternary_mac_array/weight_format.h"
#include "units/unit_def.h"

#include <stdexcept>

namespace lpusim {

namespace {

struct TernaryMacArrayParams {
  int64_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::OutputStationary;
  FoldTiming timing = FoldTiming::ScaleSim;
  int64_t accumulator_bits = 32;
  std::string accumulator_overflow;  // saturate | error (the functional run)
  bool zero_gating = false;
  std::string weight_format;  // packed2 | base3 | sparse
  int64_t index_bits = 4, unpack_stages = 0;
};
using TP = TernaryMacArrayParams;

const ParamTable<TP> kParams = {
    param(&TP::rows, "rows", "array rows R").min(1),
    param(&TP::cols, "cols", "array columns C").min(1),
    param(&TP::dataflow, "dataflow", "dataflow of a fold", dataflow_values()),
    param(&TP::timing, "timing",
          "fold accounting: scale_sim = folds back to back (SCALE-Sim), pipelined = next fold's fill overlaps the "
          "current drain",
          fold_timing_values())
        .default_value("scale_sim"),
    param(&TP::accumulator_bits, "accumulator_bits", "partial-sum width in bits (INT32 by default)").min(8),
    param(&TP::accumulator_overflow, "accumulator_overflow",
          "what a partial sum outside the accumulator's range does: saturate (clamped and counted) or error (the "
          "functional run stops with the output's coordinates)")
        .choices({"saturate", "error"}),
    param(&TP::zero_gating, "zero_gating", "zero weights skip the add (no energy), cycle still spent"),
    param(&TP::weight_format, "weight_format",
          "weight storage: packed2 = 2 bits/weight, base3 = 5 trits per byte (1.6 bits/weight), sparse = zero "
          "skipping with compressed indices (output_stationary only)")
        .choices({"packed2", "base3", "sparse"}),
    param(&TP::index_bits, "index_bits",
          "sparse: bits of a nonzero's row index within its index block of 2^index_bits rows")
        .min(1)
        .default_value("4"),
    param(&TP::unpack_stages, "unpack_stages",
          "pipeline stages of the weight decoder (unpack or index decode), paid per fold in scale_sim timing and "
          "once per tile in pipelined timing")
        .min(0),
};

class TernaryMacArray : public ComputeUnit {
 public:
  TernaryMacArray(sc_core::sc_module_name name, const UnitSpec& spec, const TP& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), gating_(p.zero_gating), acc_bits_(p.accumulator_bits) {
    shape_.dataflow = p.dataflow;
    shape_.timing = p.timing;
    shape_.rows = p.rows;
    shape_.cols = p.cols;
    shape_.unpack_stages = p.unpack_stages;
    store_.format = parse_ternary_format(p.weight_format);
    store_.index_bits = p.index_bits;
  }
  TileCost cost(const Tile& t) const override {
    const bool sparse = store_.format == TernaryFormat::Sparse;
    if (sparse && !t.nfold_stream) {
      throw std::logic_error(std::string(name()) + ": sparse weights need the tile's per-fold zero pattern");
    }
    TileCost c;
    const SystolicTiming s = systolic_gemm(shape_, t.m, t.k, t.n, sparse ? t.nfold_stream.get() : nullptr);
    c.cycles = s.cycles;
    c.macs = t.m * t.k * t.n;
    const uint64_t dense = t.k * t.n;
    const uint64_t adds = (gating_ || sparse) ? t.m * t.w_nonzero : c.macs;
    c.events[Ev::Int8Add] = adds;
    c.events[Ev::RegFileBit] = adds * acc_bits_ + (sparse ? adds * 8 : 0);
    if (gating_ && !sparse) c.events[Ev::GatedSlot] = t.m * (dense - t.w_nonzero);
    switch (store_.format) {
      case TernaryFormat::Packed2: c.events[Ev::UnpackPacked2] = dense * s.w_streams; break;
      case TernaryFormat::Base3: c.events[Ev::UnpackBase3Byte] = ceil_div(dense, 5) * s.w_streams; break;
      case TernaryFormat::Sparse: c.events[Ev::IndexDecodeBit] = t.w_nonzero * store_.index_bits * s.w_streams; break;
    }
    if (t.last_k) c.events[Ev::Fp32Mul] = t.m * t.n;  // dequantise: y = acc * (gamma / s_x)
    add_systolic_sram_traffic(s, t, c);
    return c;
  }
  double leakage_uw() const override {
    return static_cast<double>(shape_.rows * shape_.cols) * ctx_.tech->leak("ternary_pe");
  }
  uint64_t peak_macs_per_cycle() const override { return shape_.rows * shape_.cols; }

 private:
  ArrayShape shape_;
  TernaryStorage store_;
  bool gating_;
  uint64_t acc_bits_;
};

const bool registered =
    UnitDef<TP>("ternary_mac_array")
        .doc(
            "R x C systolic array of ternary add/sub/skip PEs (BitNet b1.58), INT8 activations, integer "
            "accumulators, per-output FP32 rescale")
        .params(kParams)
        .capabilities({Capability::TernaryGemm})
        .validate([](const TP& p) {
          // Skipping lets each column walk its own nonzeros; only the output-stationary array keeps a
          // private accumulator per column to do that (WS/IS would need per-PE operand routing).
          if (p.weight_format == "sparse" && p.dataflow != Dataflow::OutputStationary) {
            const char* df = p.dataflow == Dataflow::WeightStationary ? "weight_stationary" : "input_stationary";
            throw ParamError("weight_format",
                             std::string("sparse weights (zero skipping) need dataflow: output_stationary, got ") + df);
          }
          if (p.index_bits > 16) throw ParamError("index_bits", "expected at most 16 index bits");
        })
        .area([](const TP& p, const TechTable& t) {
          // PE: accumulator adder (int32_add scaled by width) + accumulator, activation and 2-bit weight
          // registers + conditional negate of the INT8 operand (8 gate bits) + the zero-gate enable.
          const double acc = static_cast<double>(p.accumulator_bits);
          const double R = static_cast<double>(p.rows), C = static_cast<double>(p.cols);
          double pe = t.area("int32_add") * acc / 32 + (acc + 8 + 2) * t.area("register_bit") +
                      (8 + (p.zero_gating ? 1 : 0)) * t.area("logic_gate_bit");
          // Weight decoder per column; output rescale multiplier per column.
          double per_col = t.area("fp32_mul");
          const std::string& fmt = p.weight_format;
          double per_row = 0;
          if (fmt == "packed2") per_col += 2 * t.area("logic_gate_bit");
          if (fmt == "base3") per_col += 5 * t.area("int8_add");  // 5 chained divide-by-3 steps
          if (fmt == "sparse") {
            // Each row keeps a window of 2^b activations; each PE selects one with a 2^b:1 8-bit mux.
            const double win = static_cast<double>(1ull << p.index_bits);
            per_row += win * 8 * t.area("register_bit");
            pe += (win - 1) * 8 * t.area("logic_gate_bit");
            per_col += static_cast<double>(p.index_bits) * t.area("logic_gate_bit");
          }
          AreaItem a;
          a.what = "R x C ternary PEs + per-column weight decoder and FP32 rescale" +
                   std::string(fmt == "sparse" ? " + per-row operand windows" : "");
          a.um2 = R * C * pe + C * per_col + R * per_row;
          return a;
        })
        .make<TernaryMacArray>()
        .add();

}  // namespace
}  // namespace lpusim
