// Safetensors files (workload/safetensors.cpp): header length, JSON header, dtypes, shapes, offsets.
// seeds: tests/fuzz/seeds/safetensors
#include "fuzz_common.h"
#include "workload/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lpusim_fuzz::write_input("model.safetensors", data, size);
  lpusim_fuzz::expect_clean([&] {
    lpusim::SafetensorsFile f(path);
    (void)f.find("model.layers.0.self_attn.q_proj.weight");
  });
  return 0;
}
