// Area model and iso-budget comparisons: unit areas follow their closed forms from the tech table's
// primitives, the breakdown adds up, and --iso resizes the baseline to the reference's budget.
#include <catch2/catch.hpp>

#include "base/config_error.h"
#include "config/loaders.h"
#include "helpers.h"
#include "spec/area.h"
#include "spec/design.h"
#include "spec/iso.h"
#include "spec/unit_registry.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {
const AreaItem& item(const AreaBreakdown& a, const std::string& name) {
  for (const auto& i : a.items) {
    if (i.name == name) return i;
  }
  throw std::runtime_error("no area item " + name);
}
}  // namespace

TEST_CASE("unit areas follow their closed forms and the breakdown adds up") {
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  const TechTable& t = lpu.tech;
  const AreaBreakdown a = design_area(lpu);
  double sum = 0;
  for (const auto& i : a.items) sum += i.um2;
  CHECK(a.total_um2() == Approx(sum));
  // Ternary 64 x 64, 32-bit accumulators, zero gating, packed2.
  const double tern_pe = t.area("int32_add") + (32 + 8 + 2) * t.area("register_bit") + 9 * t.area("logic_gate_bit");
  const double tern_col = t.area("fp32_mul") + 2 * t.area("logic_gate_bit");
  CHECK(item(a, "tmac").um2 == Approx(4096 * tern_pe + 64 * tern_col));
  // FP16 16 x 16 with FP32 accumulation.
  const double fp_pe = t.area("fp16_mul") + t.area("fp32_add") + 64 * t.area("register_bit");
  CHECK(item(a, "fpmac").um2 == Approx(256 * fp_pe));
  // 1 MiB buffer: bits x cell / efficiency of the <= 1024 KiB class.
  CHECK(item(a, "weight_buffer").um2 == Approx(1024 * 8192 * t.area("sram_bitcell") / t.sram_array_efficiency(1024)));
  CHECK(item(a, "dma_engine").um2 == t.area("dma_engine"));
  // An FP16 PE is far larger than a ternary PE: the whole point of the LPU.
  CHECK(fp_pe > 5 * tern_pe);
}

TEST_CASE("sparse weights and base3 decoders add their hardware") {
  DesignSpec d = load_design(src("configs/designs/lpu_64x64.yaml"));
  const double packed = item(design_area(d), "tmac").um2;
  d.units[0].enums["weight_format"] = "base3";
  const double base3 = item(design_area(d), "tmac").um2;
  d.units[0].enums["weight_format"] = "sparse";
  const double sparse = item(design_area(d), "tmac").um2;
  const TechTable& t = d.tech;
  CHECK(base3 - packed == Approx(64 * (5 * t.area("int8_add") - 2 * t.area("logic_gate_bit"))));
  // 16-entry windows per row, 15 x 8 mux bits per PE, 4 index-decode bits per column.
  CHECK(sparse - packed == Approx(64 * 16 * 8 * t.area("register_bit") + 4096 * 15 * 8 * t.area("logic_gate_bit") +
                                  64 * (4 - 2) * t.area("logic_gate_bit")));
}

TEST_CASE("iso peak-ops (compare --iso) resizes the baseline's arrays to the reference's peak") {
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  fp.units[0].ints["rows"] = 32;
  fp.units[0].ints["cols"] = 32;
  IsoResult r = hold_iso(lpu, fp, "peak-ops");
  CHECK(linear_peak_macs(lpu) == 4096);
  CHECK(r.design.units[0].i("rows") == 64);
  CHECK(r.design.units[0].i("cols") == 64);
  CHECK_THAT(r.note, Catch::Contains("fpmac 32x32 -> 64x64"));
}

TEST_CASE("iso area (compare --iso) picks the largest arrays that fit the reference's area") {
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  IsoResult r = hold_iso(lpu, fp, "area");
  const double ref = design_area(lpu).total_mm2();
  CHECK(design_area(r.design).total_mm2() <= ref);
  const int64_t side = r.design.units[0].i("rows");
  CHECK(side == r.design.units[0].i("cols"));
  CHECK(side < 64);  // FP16 PEs are larger: same area buys fewer of them
  DesignSpec one_more = r.design;
  one_more.units[0].ints["rows"] = side + 1;
  one_more.units[0].ints["cols"] = side + 1;
  CHECK(design_area(one_more).total_mm2() > ref);
  // Buffers alone larger than the reference: a clear error, not a silent 0 x 0 array.
  DesignSpec big = fp;
  big.weight_buffer.size_kib = 60000;
  CHECK_THROWS_WITH(hold_iso(lpu, big, "area"), Catch::Contains("even with 1x1 arrays"));
}

TEST_CASE("a tech table without an area section is rejected with its key path") {
  std::string dir = temp_tree("noarea");
  std::string path = dir + "/configs/tech/7nm.yaml";
  std::string text = read_file(path);
  text = replace_once(text, "  register_bit: {um2:", "  register_bitz: {um2:");
  write_file(path, text);
  CHECK_THROWS_WITH(load_tech(path), Catch::Contains("area") && Catch::Contains("register_bitz"));
}

TEST_CASE("every registered unit implementation has an area model") {
  for (const UnitInfo* u : UnitRegistry::instance().all()) {
    INFO(u->impl);
    CHECK(static_cast<bool>(u->area));
  }
}
