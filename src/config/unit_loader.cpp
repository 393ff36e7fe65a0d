#include "config/loaders.h"

#include <algorithm>

#include "config/yaml_reader.h"

namespace lpusim {

UnitSpec parse_unit(const std::string& name, const YamlNode& node) {
  node.expect_map();
  std::string impl = node.at("impl").as_string();
  const UnitInfo* info = UnitRegistry::instance().find(impl);
  if (!info) {
    std::string list;
    for (const UnitInfo* u : UnitRegistry::instance().all()) list += (list.empty() ? "" : ", ") + u->impl;
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
        if (p.max && x > static_cast<int64_t>(*p.max)) {
          v.fail("expected an integer <= " + std::to_string(static_cast<int64_t>(*p.max)) + ", got " +
                 std::to_string(x));
        }
        s.ints[p.key] = x;
        break;
      }
      case ParamType::Double: {
        double x = v.as_double();
        if (!(x > 0) || x < p.min) v.fail("expected a number > 0 and >= " + std::to_string(p.min));
        if (p.max && x > *p.max) v.fail("expected a number <= " + std::to_string(*p.max));
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
  if (info->validate) {
    try {
      info->validate(s);
    } catch (const ParamError& e) {
      (node.has(e.key) ? node.at(e.key) : node).fail(e.what());
    }
  }
  return s;
}

}  // namespace lpusim
