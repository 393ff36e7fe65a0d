#include "spec/unit_registry.h"

#include <algorithm>
#include <sstream>

namespace lpusim {

const std::vector<StatDecl>& compute_unit_stats() {
  static const std::vector<StatDecl> s = {{"tiles", "count", "tiles executed"},
                                          {"busy_cycles", "cycles", "cycles with a tile in flight"},
                                          {"sram_stall_cycles", "cycles", "cycles added by busy SRAM ports"}};
  return s;
}

std::vector<StatDecl> unit_stats(const UnitInfo& u) {
  std::vector<StatDecl> s = compute_unit_stats();
  s.insert(s.end(), u.stats.begin(), u.stats.end());
  return s;
}

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
    case Capability::IntGemm: return "int_gemm";
    case Capability::ActGemm: return "act_gemm";
    case Capability::VectorOps: return "vector_ops";
    case Capability::BitAttention: return "bit_attention";
    case Capability::LutLayer: return "lut_layer";
  }
  return "?";
}

namespace {

std::string fmt_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string code_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& c : items) out += (out.empty() ? "" : ", ") + ("`" + c + "`");
  return out;
}

std::string md_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::Int: return "integer";
    case ParamType::Double: return "number";
    case ParamType::Bool: return "bool";
    case ParamType::Enum: return "one of";
    case ParamType::StringList: return "list of";
  }
  return "?";
}

std::string range_text(const ParamDoc& p) {
  switch (p.type) {
    case ParamType::Int: return p.max ? fmt_number(p.min) + " … " + fmt_number(*p.max) : "≥ " + fmt_number(p.min);
    case ParamType::Double: return "> 0, ≥ " + fmt_number(p.min) + (p.max ? ", ≤ " + fmt_number(*p.max) : "");
    case ParamType::Bool: return "`true`, `false`";
    case ParamType::Enum:
    case ParamType::StringList: return code_list(p.choices);
  }
  return "";
}

}  // namespace

std::string units_markdown() {
  std::ostringstream os;
  bool first = true;
  for (const UnitInfo* u : UnitRegistry::instance().all()) {
    if (!first) os << "\n";
    first = false;
    std::vector<std::string> caps;
    for (Capability c : u->caps) caps.push_back(capability_name(c));
    os << "#### `" << u->impl << "`\n\n"
       << u->doc << ". Capabilities: " << (caps.empty() ? "none" : code_list(caps)) << ".\n\n";
    os << "| parameter | type | default | range / choices | meaning |\n|---|---|---|---|---|\n";
    for (const ParamDoc& p : u->params) {
      os << "| `" << p.key << "` | " << type_name(p.type) << " | "
         << (p.default_value.empty() ? "required" : "`" + p.default_value + "`") << " | " << md_cell(range_text(p))
         << " | " << md_cell(p.doc) << " |\n";
    }
    os << "\nStatistics:";
    const std::vector<StatDecl> stats = unit_stats(*u);
    for (size_t i = 0; i < stats.size(); ++i) {
      os << (i ? "; " : " ") << "`" << stats[i].name << "` (" << stats[i].unit
         << "): " << md_cell(stats[i].description);
    }
    os << ".\n";
  }
  return os.str();
}

}  // namespace lpusim
