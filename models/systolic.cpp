#include "models/systolic.h"

#include "models/compute_unit.h"

namespace lpusim {

Dataflow parse_dataflow(const std::string& s) {
  if (s == "weight_stationary") return Dataflow::WeightStationary;
  if (s == "input_stationary") return Dataflow::InputStationary;
  return Dataflow::OutputStationary;
}

SystolicTiming systolic_gemm(Dataflow df, uint64_t R, uint64_t C, uint64_t m, uint64_t k, uint64_t n,
                             uint64_t extra_per_fold) {
  uint64_t sr = m, sc = n, t = k;
  if (df == Dataflow::WeightStationary) {
    sr = k; sc = n; t = m;
  } else if (df == Dataflow::InputStationary) {
    sr = k; sc = m; t = n;
  }
  SystolicTiming r;
  r.folds = ceil_div(sr, R) * ceil_div(sc, C);
  r.cycles_per_fold = 2 * R + C + t - 2 + extra_per_fold;
  r.cycles = r.folds * r.cycles_per_fold;
  switch (df) {
    case Dataflow::OutputStationary:  // each fold streams its M-rows of A and N-cols of W over K
      r.a_reads = m * k * ceil_div(n, C);
      r.w_reads = k * n * ceil_div(m, R);
      r.out_writes = m * n;
      break;
    case Dataflow::WeightStationary:  // weights loaded once; partial sums leave once per K-fold
      r.a_reads = m * k * ceil_div(n, C);
      r.w_reads = k * n;
      r.out_writes = m * n * ceil_div(k, R);
      break;
    case Dataflow::InputStationary:  // activations loaded once; weights stream per M-fold
      r.a_reads = m * k;
      r.w_reads = k * n * ceil_div(m, C);
      r.out_writes = m * n * ceil_div(k, R);
      break;
  }
  return r;
}

}  // namespace lpusim
