// Design YAML (config/design_loader.cpp and everything it calls: units, buffers, DRAM, attention).
// seeds: configs/designs
#include "config/loaders.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("configs/designs/fuzz.yaml", data, size);
  lpusim_fuzz::expect_clean([&] { lpusim::load_design(path); });
  return 0;
}
