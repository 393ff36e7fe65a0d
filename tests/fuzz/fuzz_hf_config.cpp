// Hugging Face config.json (workload/hf_import.cpp).
// seeds: tests/data/hf
#include "fuzz_common.h"
#include "workload/hf_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("config.json", data, size);
  lpusim_fuzz::expect_clean([&] { lpusim::import_hf_config(path, lpusim::HfImportOptions{}); });
  return 0;
}
