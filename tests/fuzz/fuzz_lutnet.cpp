// .lutnet weightless networks (datapath/lut_layer.cpp deserialize).
// seeds: tests/fuzz/seeds/lutnet
#include <vector>

#include "datapath/lut_layer.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  lpusim_fuzz::expect_clean([&] { lpusim::lut::deserialize(bytes, "fuzz.lutnet"); });
  return 0;
}
