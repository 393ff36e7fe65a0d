#include "models/unit_registry.h"

#include <algorithm>

#include "sim/yaml_reader.h"

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

UnitSpec UnitRegistry::parse(const std::string& name, const YamlNode& node) const {
  node.expect_map();
  std::string impl = node.at("impl").as_string();
  const UnitInfo* info = find(impl);
  if (!info) {
    std::string list;
    for (const auto& kv : infos_) list += (list.empty() ? "" : ", ") + kv.first;
    node.at("impl").fail("unknown unit implementation '" + impl + "' (known: " + list + ")");
  }
  std::vector<std::string> required = {"impl"}, optional;
  for (const auto& p : info->params) (p.default_value.empty() ? required : optional).push_back(p.key);
  node.expect_keys(required, optional);

  UnitSpec s;
  s.name = name;
  s.impl = impl;
  for (const auto& p : info->params) {
    // An absent optional key takes its documented default; the resolved design prints it.
    YamlNode v = node.has(p.key) ? node.at(p.key)
                                 : YamlNode(YAML::Load(p.default_value), "default of " + impl, node.child_path(p.key));
    switch (p.type) {
      case ParamType::Int: {
        int64_t x = v.as_int();
        if (x < static_cast<int64_t>(p.min)) {
          v.fail("expected an integer >= " + std::to_string(static_cast<int64_t>(p.min)) + ", got " +
                 std::to_string(x));
        }
        s.ints[p.key] = x;
        break;
      }
      case ParamType::Double: {
        double x = v.as_double();
        if (!(x > 0) || x < p.min) v.fail("expected a number > 0 and >= " + std::to_string(p.min));
        s.doubles[p.key] = x;
        break;
      }
      case ParamType::Bool: s.bools[p.key] = v.as_bool(); break;
      case ParamType::Enum: {
        std::string x = v.as_string();
        if (std::find(p.choices.begin(), p.choices.end(), x) == p.choices.end()) {
          std::string list;
          for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
          v.fail("expected one of {" + list + "}, got '" + x + "'");
        }
        s.enums[p.key] = x;
        break;
      }
      case ParamType::StringList: {
        auto items = v.items();
        std::vector<std::string> out;
        for (const auto& it : items) {
          std::string x = it.as_string();
          bool ok = false;
          for (const auto& c : p.choices) ok = ok || c == x;
          if (!ok) {
            std::string list;
            for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
            it.fail("unknown item '" + x + "' (expected any of: " + list + ")");
          }
          out.push_back(x);
        }
        s.lists[p.key] = out;
        break;
      }
    }
  }
  if (info->validate) info->validate(s, node);
  return s;
}

}  // namespace lpusim
