// Sweep files (sweep/sweep.cpp SweepSpec::load) and constraint expressions (sweep/sweep_expr.cpp).
// seeds: configs/sweeps
#include "fuzz_common.h"
#include "sweep/sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("configs/sweeps/fuzz.yaml", data, size);
  lpusim_fuzz::expect_clean([&] { lpusim::SweepSpec::load(path); });
  const std::string text(reinterpret_cast<const char*>(data), size);
  lpusim_fuzz::expect_clean([&] { lpusim::Expr::parse(text, "fuzz").eval([](const std::string&) { return 1.0; }); });
  return 0;
}
