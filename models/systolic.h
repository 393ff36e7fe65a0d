// Systolic-array tile timing, following SCALE-Sim's analytical accounting (Samajdar et al.,
// "A Systematic Methodology for Characterizing Scalability of DNN Accelerators using SCALE-Sim",
// ISPASS 2020): a fold maps an Sr x Sc slice of the operation onto the R x C array and takes
//   2R + C + T - 2 cycles  (R + C - 2 skew to fill, T cycles of streaming, R to drain),
// folds = ceil(Sr/R) * ceil(Sc/C), with no overlap between folds. For a GEMM (M x K) x (K x N):
//   output stationary:  Sr = M, Sc = N, T = K
//   weight stationary:  Sr = K, Sc = N, T = M
//   input stationary:   Sr = K, Sc = M, T = N
#pragma once
#include <cstdint>
#include <string>

namespace lpusim {

enum class Dataflow { OutputStationary, WeightStationary, InputStationary };
Dataflow parse_dataflow(const std::string& s);

struct SystolicTiming {
  uint64_t folds = 0;
  uint64_t cycles_per_fold = 0;  // including `extra_per_fold` pipeline stages
  uint64_t cycles = 0;
  // Operand elements moved between SRAM and the array for this tile.
  uint64_t a_reads = 0;   // activation elements read
  uint64_t w_reads = 0;   // weight elements read
  uint64_t out_writes = 0;  // output / partial-sum elements written
};

SystolicTiming systolic_gemm(Dataflow df, uint64_t R, uint64_t C, uint64_t m, uint64_t k, uint64_t n,
                             uint64_t extra_per_fold);

}  // namespace lpusim
