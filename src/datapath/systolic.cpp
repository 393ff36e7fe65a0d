#include "datapath/systolic.h"

#include <algorithm>

#include "base/math.h"

namespace lpusim {

Dataflow parse_dataflow(const std::string& s) {
  if (s == "weight_stationary") return Dataflow::WeightStationary;
  if (s == "input_stationary") return Dataflow::InputStationary;
  return Dataflow::OutputStationary;
}

FoldTiming parse_fold_timing(const std::string& s) {
  return s == "pipelined" ? FoldTiming::Pipelined : FoldTiming::ScaleSim;
}

SystolicTiming systolic_gemm(const ArrayShape& a, uint64_t m, uint64_t k, uint64_t n,
                             const std::vector<uint32_t>* nfold_stream) {
  const uint64_t R = a.rows, C = a.cols, E = a.unpack_stages;
  uint64_t sr = m, sc = n, t = k;
  if (a.dataflow == Dataflow::WeightStationary) {
    sr = k;
    sc = n;
    t = m;
  } else if (a.dataflow == Dataflow::InputStationary) {
    sr = k;
    sc = m;
    t = n;
  }
  SystolicTiming r;
  const uint64_t outer = ceil_div(sr, R), inner = ceil_div(sc, C);
  r.folds = outer * inner;
  const uint64_t fixed = 2 * R + C - 2;  // a fold alone: skew, preload or drain (pipelined timing)
  // Every outer fold repeats the same inner folds, so sum one row of them and scale.
  uint64_t stream = 0, overlapped = 0, t_last = t;
  for (uint64_t j = 0; j < inner; ++j) {
    const uint64_t tf = nfold_stream ? (*nfold_stream)[j] : t;
    stream += tf;
    overlapped += std::max(tf, R);
    t_last = tf;
  }
  r.stream_cycles = outer * stream;
  if (a.timing == FoldTiming::ScaleSim) {
    // SCALE-Sim v2 (compute/systolic_compute_{os,ws,is}.py): an output-stationary fold drains its R
    // output rows under the C - 1 column skew; weight and input stationary first preload R rows.
    // Its total is the last cycle's index, hence the - 1.
    const uint64_t fold = a.dataflow == Dataflow::OutputStationary ? R + C - 2 : 2 * R + C - 2;
    r.cycles = r.folds == 0 ? 0 : r.folds * (fold + E) + r.stream_cycles - 1;
  } else {
    r.cycles = outer * overlapped - std::max(t_last, R) + fixed + t_last + E;
  }
  switch (a.dataflow) {
    case Dataflow::OutputStationary:  // each fold streams its M-rows of A and N-cols of W over K
      r.a_reads = m * k * ceil_div(n, C);
      r.w_streams = ceil_div(m, R);
      r.w_reads = k * n * r.w_streams;
      r.out_writes = m * n;
      break;
    case Dataflow::WeightStationary:  // weights loaded once; partial sums leave once per K-fold
      r.a_reads = m * k * ceil_div(n, C);
      r.w_streams = 1;
      r.w_reads = k * n;
      r.out_writes = m * n * ceil_div(k, R);
      break;
    case Dataflow::InputStationary:  // activations loaded once; weights stream per M-fold
      r.a_reads = m * k;
      r.w_streams = ceil_div(m, C);
      r.w_reads = k * n * r.w_streams;
      r.out_writes = m * n * ceil_div(k, R);
      break;
  }
  return r;
}

}  // namespace lpusim
