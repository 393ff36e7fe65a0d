// Systolic-array tile timing. A fold maps an Sr x Sc slice of the operation onto the R x C array
// and streams T operands through it. For a GEMM (M x K) x (K x N):
//   output stationary:  Sr = M, Sc = N, T = K
//   weight stationary:  Sr = K, Sc = N, T = M
//   input stationary:   Sr = K, Sc = M, T = N
// folds = ceil(Sr/R) * ceil(Sc/C), visited with the Sc folds innermost.
// Two timing modes (the design's `timing`):
//  - scale_sim: SCALE-Sim v2's "Total Cycles" (compute only, no stalls), exactly: folds run back to
//    back with no overlap, and a fold lasts
//      output stationary:   R + C + T_f - 2   (T_f streaming cycles, R + C - 2 skew; the R output
//                                              rows drain under the column skew)
//      weight/input stat.:  2R + C + T - 2    (R cycles to preload the stationary operand first)
//    SCALE-Sim reports the index of the last busy cycle (its cycles count from 0), one less than
//    the number of cycles, so
//      cycles = sum over folds of (fold + E)  -  1
//    where E is the weight-unpack pipeline, re-filled by every fold's weight stream (E = 0 for
//    SCALE-Sim). tests/data/scalesim_gemm.csv holds the SCALE-Sim runs this is tested against.
//  - pipelined: double-buffered accumulators (OS) / stationary registers (WS, IS) let fold f+1's
//    operands enter as soon as fold f's last operand has entered, i.e. T_f cycles after fold f
//    started, unless fold f's R-cycle drain (or preload) is longer:
//      cycles = sum over f < F of max(T_f, R)  +  (2R + C + T_F - 2 + E)
//    the fill and the unpack pipeline are paid once, by the last fold's full latency
//    (R + C - 2 skew to fill, T cycles of streaming, R to drain).
// With zero skipping (output stationary only), column j's PEs walk only the nonzero weights of
// their column, so the streaming phase of an n-fold lasts as long as its densest column:
// T_f = max nonzeros over the fold's columns, given per n-fold in `nfold_stream`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim {

enum class Dataflow { OutputStationary, WeightStationary, InputStationary };
Dataflow parse_dataflow(const std::string& s);

enum class FoldTiming { ScaleSim, Pipelined };
FoldTiming parse_fold_timing(const std::string& s);

struct ArrayShape {
  Dataflow dataflow = Dataflow::OutputStationary;
  FoldTiming timing = FoldTiming::ScaleSim;
  uint64_t rows = 1, cols = 1;
  uint64_t unpack_stages = 0;  // E: pipeline stages between the weight SRAM and the array
};

struct SystolicTiming {
  uint64_t folds = 0;
  uint64_t cycles = 0;
  uint64_t stream_cycles = 0;  // sum of T_f: cycles in which the array streams operands
  // Operand elements moved between SRAM and the array for this tile.
  uint64_t a_reads = 0;     // activation elements read
  uint64_t w_reads = 0;     // weight elements read (dense; compressed streams are costed by the unit)
  uint64_t out_writes = 0;  // output / partial-sum elements written
  uint64_t w_streams = 1;   // times the weight block streams through the array (folds along M for OS)
};

// `nfold_stream`, when given (zero skipping, output stationary), holds T for each of the
// ceil(n / C) column folds; otherwise T follows from the dataflow.
SystolicTiming systolic_gemm(const ArrayShape& a, uint64_t m, uint64_t k, uint64_t n,
                             const std::vector<uint32_t>* nfold_stream = nullptr);

}  // namespace lpusim
