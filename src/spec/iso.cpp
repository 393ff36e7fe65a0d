#include "spec/iso.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "base/config_error.h"
#include "spec/area.h"
#include "spec/unit_registry.h"

namespace lpusim {

namespace {

std::vector<size_t> linear_arrays(const DesignSpec& d) {
  std::vector<size_t> out;
  for (Capability c : {Capability::TernaryGemm, Capability::IntGemm, Capability::Fp16Gemm}) {
    for (size_t i = 0; i < d.units.size(); ++i) {
      const UnitSpec& u = d.units[i];
      if (UnitRegistry::instance().find(u.impl)->caps.count(c) && u.has_int("rows") && u.has_int("cols")) {
        out.push_back(i);
      }
    }
    if (!out.empty()) break;
  }
  return out;
}

// The baseline with its linear arrays' rows and columns scaled by t (at least 1 x 1).
DesignSpec scaled(const DesignSpec& base, const std::vector<size_t>& arrays, double t) {
  DesignSpec d = base;
  for (size_t i : arrays) {
    UnitSpec& u = d.units[i];
    u.ints["rows"] =
        std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(base.units[i].i("rows")) * t + 1e-9)));
    u.ints["cols"] =
        std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(base.units[i].i("cols")) * t + 1e-9)));
  }
  return d;
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

}  // namespace

uint64_t linear_peak_macs(const DesignSpec& d) {
  uint64_t p = 0;
  for (size_t i : linear_arrays(d)) p += static_cast<uint64_t>(d.units[i].i("rows") * d.units[i].i("cols"));
  return p;
}

IsoResult hold_iso(const DesignSpec& reference, const DesignSpec& baseline, const std::string& mode) {
  const std::vector<size_t> arrays = linear_arrays(baseline);
  if (arrays.empty()) throw ConfigError(baseline.file + ": --iso: the design has no MAC array to resize");
  const double ref_area = design_area(reference).total_mm2();
  auto area_of = [&](double t) { return design_area(scaled(baseline, arrays, t)).total_mm2(); };

  double t = 1;
  if (mode == "peak-ops") {
    // Uniform scaling multiplies the peak by ~t^2; step t up to the first size that reaches the target.
    const double target = static_cast<double>(linear_peak_macs(reference));
    t = std::sqrt(target / static_cast<double>(linear_peak_macs(baseline)));
    while (static_cast<double>(linear_peak_macs(scaled(baseline, arrays, t))) < target) t *= 1.0001;
  } else if (mode == "area") {
    if (area_of(0) > ref_area) {
      throw ConfigError(baseline.file + ": --iso area: even with 1x1 arrays the design takes " + fmt(area_of(0)) +
                        " mm2, more than " + reference.name + "'s " + fmt(ref_area) +
                        " mm2 (shrink its buffers or units)");
    }
    double lo = 0, hi = 1;
    while (area_of(hi) <= ref_area) hi *= 2;
    for (int i = 0; i < 60; ++i) {  // largest t whose area still fits
      const double mid = 0.5 * (lo + hi);
      (area_of(mid) <= ref_area ? lo : hi) = mid;
    }
    t = lo;
  } else {
    throw ConfigError("usage: --iso expects 'area' or 'peak-ops', got '" + mode + "'");
  }

  IsoResult r{scaled(baseline, arrays, t), ""};
  std::ostringstream note;
  note << "iso " << mode << " with " << reference.name << ": resized";
  for (size_t i : arrays) {
    const UnitSpec& before = baseline.units[i];
    const UnitSpec& after = r.design.units[i];
    note << " " << before.name << " " << before.i("rows") << "x" << before.i("cols") << " -> " << after.i("rows") << "x"
         << after.i("cols");
  }
  note << "; area " << fmt(design_area(r.design).total_mm2()) << " mm2 vs " << fmt(ref_area)
       << " mm2; peak linear MACs/cycle " << linear_peak_macs(r.design) << " vs " << linear_peak_macs(reference)
       << "; buffers, DRAM and other units unchanged";
  r.note = note.str();
  return r;
}

}  // namespace lpusim
