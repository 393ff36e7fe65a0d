#include "spec/unit_registry.h"

#include <algorithm>

namespace lpusim {

UnitRegistry& UnitRegistry::instance() {
  static UnitRegistry r;
  return r;
}

bool UnitRegistry::add(UnitInfo info) {
  std::string name = info.impl;
  return infos_.emplace(name, std::move(info)).second;
}

bool register_unit(UnitInfo info) { return UnitRegistry::instance().add(std::move(info)); }

const UnitInfo* UnitRegistry::find(const std::string& impl) const {
  auto it = infos_.find(impl);
  return it == infos_.end() ? nullptr : &it->second;
}

std::vector<const UnitInfo*> UnitRegistry::all() const {
  std::vector<const UnitInfo*> out;
  for (const auto& kv : infos_) out.push_back(&kv.second);
  return out;
}

std::string capability_name(Capability c) {
  switch (c) {
    case Capability::TernaryGemm: return "ternary_gemm";
    case Capability::Fp16Gemm: return "fp16_gemm";
    case Capability::ActGemm: return "act_gemm";
    case Capability::VectorOps: return "vector_ops";
    case Capability::BitAttention: return "bit_attention";
    case Capability::LutLayer: return "lut_layer";
  }
  return "?";
}

}  // namespace lpusim
