// A compute unit on its own: a shipped design's SRAM buffers and context, one statistics key,
// a 1 GHz clock. `tweak` edits the design (e.g. a narrower buffer) before anything is built.
#pragma once
#include <systemc>

#include <functional>
#include <memory>
#include <string>

#include "config/loaders.h"
#include "helpers.h"
#include "memory/sram_buffer.h"
#include "spec/design.h"
#include "units/compute_unit.h"

namespace lpusim_test {

struct UnitBench {
  explicit UnitBench(const std::string& design_rel, const std::function<void(lpusim::DesignSpec&)>& tweak = {})
      : design(load(design_rel, tweak)) {}

  lpusim::DesignSpec design;
  sc_core::sc_time clk{1, sc_core::SC_NS};
  lpusim::SramBuffer wbuf{"wbuf", design.weight_buffer, design.tech, clk, 1};
  lpusim::SramBuffer abuf{"abuf", design.activation_buffer, design.tech, clk, 1};
  lpusim::UnitContext ctx{clk, &design.tech, &wbuf, &abuf, 1};

  std::unique_ptr<lpusim::ComputeUnit> make(const lpusim::UnitSpec& s) {
    return lpusim::UnitRegistry::instance().find(s.impl)->factory(s, ctx);
  }
  const lpusim::UnitSpec& unit(const std::string& name) const {
    for (const auto& u : design.units) {
      if (u.name == name) return u;
    }
    throw std::runtime_error("no unit " + name);
  }
  // Simulates one tile on `cu` and returns the cycle at which it completed.
  uint64_t run_tile(lpusim::ComputeUnit& cu, const lpusim::Tile& t) {
    sc_core::sc_time done;
    cu.submit(&t, 0, [&]() { done = sc_core::sc_time_stamp(); });
    sc_core::sc_start();
    return static_cast<uint64_t>(done / clk + 0.5);
  }

 private:
  static lpusim::DesignSpec load(const std::string& rel, const std::function<void(lpusim::DesignSpec&)>& tweak) {
    lpusim::DesignSpec d = lpusim::load_design(src(rel));
    if (tweak) tweak(d);
    return d;
  }
};

}  // namespace lpusim_test
