// Tech table YAML (config/tech_loader.cpp) and DRAM presets (config/dram_loader.cpp).
// seeds: configs/tech configs/dram
#include "config/loaders.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("table.yaml", data, size);
  lpusim_fuzz::expect_clean([&] { lpusim::load_tech(path); });
  lpusim_fuzz::expect_clean([&] { lpusim::dram_from_preset(path, 4, "ro_ba_bg_ra_co_ch"); });
  return 0;
}
