// residual_adder unit: parameters, timing, lowering hook, area and registration (see residual_adder.h).
#include "residual_adder.h"

#include <algorithm>

#include "units/unit_def.h"

namespace lpusim {

namespace {

struct ResidualAdderParams {
  int64_t lanes = 1, latency = 0, max_tile_elements = 1;
};
using RA = ResidualAdderParams;

const ParamTable<RA> kParams = {
    param(&RA::lanes, "lanes", "FP16 adders (elements per cycle)").min(1).max(4096),
    param(&RA::latency, "latency", "pipeline fill + drain cycles per tile").min(0).default_value("2"),
    param(&RA::max_tile_elements, "max_tile_elements", "largest tile its lowering emits, in elements")
        .min(1)
        .default_value("4096"),
};

class ResidualAdder : public ComputeUnit {
 public:
  ResidualAdder(sc_core::sc_module_name name, const UnitSpec& spec, const RA& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx), p_(p) {}

  TileCost cost(const Tile& t) const override {
    TileCost c;
    const uint64_t e = t.elements;
    c.cycles =
        lpusim_test::residual_adder_tile_cycles(e, static_cast<uint64_t>(p_.lanes), static_cast<uint64_t>(p_.latency));
    c.events[Ev::Fp16Add] = e;
    c.a_read_bits = e * t.in_operands * 16;
    c.a_write_bits = e * t.out_bits;
    return c;
  }
  double leakage_uw() const override { return static_cast<double>(p_.lanes) * ctx_.tech->leak("vector_lane") / 4; }

 private:
  RA p_;
};

const bool registered =
    UnitDef<RA>("residual_adder")
        .doc("test-only: FP16 adder lanes for the residual adds, with its own tiling")
        .params(kParams)
        .takes([](const RA&, const Op& op) { return op.kind == OpKind::Vector && op.vop == VecOp::Add; })
        .lower([](const RA& p, const Op& op, const Tile& proto, uint64_t max_elements) {
          const uint64_t chunk = std::min<uint64_t>(static_cast<uint64_t>(p.max_tile_elements), max_elements);
          std::vector<Tile> tiles;
          for (uint64_t e0 = 0; e0 < op.elements; e0 += chunk) {
            tiles.push_back(proto);
            tiles.back().elements = std::min(chunk, op.elements - e0);
          }
          return tiles;
        })
        .area([](const RA& p, const TechTable& t) {
          AreaItem a;
          a.what = "lanes x (FP16 add + 48 register bits)";
          a.um2 = static_cast<double>(p.lanes) * (t.area("fp16_add") + 48 * t.area("register_bit"));
          return a;
        })
        .make<ResidualAdder>()
        .add();

}  // namespace
}  // namespace lpusim
