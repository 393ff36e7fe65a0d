// Workload YAML (config/workload_loader.cpp: model families, precision, weights, scenario, LUT MLP).
// seeds: workloads tests/data/tiny.yaml
#include "config/loaders.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("workload.yaml", data, size);
  lpusim_fuzz::expect_clean([&] { lpusim::load_workload(path); });
  return 0;
}
