// `lpusim gemm`: runs one GEMM through a MAC array's functional model (models/datapath/) with the
// design's unit parameters and the compiler's tiling, checks it against the plain reference and
// reports bit-exactness (ternary) or the error against the FP16 rounding bound, and the wall time.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

extern const char* kGemmHelp;

// args: everything after "gemm". Returns the process exit code: 0 the model matches its reference,
// 1 it does not, 3 the run stopped on an accumulator overflow (accumulator_overflow: error).
// Usage and config errors are thrown as ConfigError (exit 2 in main).
int cmd_gemm(const std::vector<std::string>& args);

}  // namespace lpusim
