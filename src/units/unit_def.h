// Registration of a compute unit from its own folder, with named fields:
//
//   const bool registered = UnitDef<MyParams>("my_unit")
//                               .doc("what it is")
//                               .params(kMyParams)                       // spec/unit_params.h
//                               .capabilities({Capability::VectorOps})   // what the compiler may map onto it
//                               .takes([](const MyParams& p, const Op& op) { return ...; })
//                               .lower([](const MyParams& p, const Op& op, const Tile& proto, uint64_t max) {...})
//                               .stats({{"lookups", "count", "LUT reads"}})  // beyond compute_unit_stats()
//                               .validate([](const MyParams& p) { ... throw ParamError(key, msg); })
//                               .area([](const MyParams& p, const TechTable& t) { ... return AreaItem{...}; })
//                               .make<MyUnit>()  // MyUnit(sc_module_name, const UnitSpec&, const MyParams&, ctx)
//                               .add();
//
// Every hook takes the unit's typed parameter struct, read from the loaded UnitSpec by its one ParamTable.
#pragma once
#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/program.h"
#include "spec/area.h"
#include "spec/unit_registry.h"
#include "units/compute_unit.h"

namespace lpusim {

template <class P>
class UnitDef {
 public:
  explicit UnitDef(std::string impl) { info_.impl = std::move(impl); }

  UnitDef& doc(std::string d) {
    info_.doc = std::move(d);
    return *this;
  }
  UnitDef& params(const ParamTable<P>& table) {
    table_ = std::make_shared<ParamTable<P>>(table);
    info_.params = table.docs();
    check_declarations();
    return *this;
  }
  UnitDef& capabilities(std::set<Capability> caps) {
    info_.caps = std::move(caps);
    return *this;
  }
  UnitDef& stats(std::vector<StatDecl> s) {
    info_.stats = std::move(s);
    return *this;
  }
  template <class F>  // void(const P&), throws ParamError
  UnitDef& validate(F f) {
    auto t = table();
    info_.validate = [t, f](const UnitSpec& s) { f(t->read(s)); };
    return *this;
  }
  template <class F>  // AreaItem(const P&, const TechTable&)
  UnitDef& area(F f) {
    auto t = table();
    info_.area = [t, f](const UnitSpec& s, const TechTable& tech) -> AreaItem { return f(t->read(s), tech); };
    return *this;
  }
  template <class F>  // bool(const P&, const Op&)
  UnitDef& takes(F f) {
    auto t = table();
    info_.takes = [t, f](const UnitSpec& s, const Op& op) -> bool { return f(t->read(s), op); };
    return *this;
  }
  template <class F>  // std::vector<Tile>(const P&, const Op&, const Tile& proto, uint64_t max_elements)
  UnitDef& lower(F f) {
    auto t = table();
    info_.lower = [t, f](const UnitSpec& s, const Op& op, const Tile& proto, uint64_t max_elements) {
      return std::vector<Tile>(f(t->read(s), op, proto, max_elements));
    };
    return *this;
  }
  // U(sc_core::sc_module_name, const UnitSpec&, const P&, const UnitContext&)
  template <class U>
  UnitDef& make() {
    auto t = table();
    info_.factory = [t](const UnitSpec& s, const UnitContext& c) -> std::unique_ptr<ComputeUnit> {
      return std::make_unique<U>(s.name.c_str(), s, t->read(s), c);
    };
    return *this;
  }
  bool add() { return register_unit(std::move(info_)); }

 private:
  std::shared_ptr<const ParamTable<P>> table() const {
    if (!table_) throw std::logic_error("unit " + info_.impl + ": declare .params() before the hooks that read them");
    return table_;
  }
  // A declaration mistake stops every binary at start-up, before any design is read.
  void check_declarations() const {
    std::set<std::string> keys = {"impl"};
    for (const ParamDoc& p : info_.params) {
      const std::string where = "unit " + info_.impl + ", parameter " + p.key + ": ";
      if (!keys.insert(p.key).second) throw std::logic_error(where + "declared twice (or named impl)");
      const bool named = p.type == ParamType::Enum || p.type == ParamType::StringList;
      if (named && p.choices.empty()) throw std::logic_error(where + "declares no choices");
      if (p.type == ParamType::Enum && !p.default_value.empty() &&
          std::find(p.choices.begin(), p.choices.end(), p.default_value) == p.choices.end()) {
        throw std::logic_error(where + "default '" + p.default_value + "' is not one of its choices");
      }
      if (p.max && *p.max < p.min) throw std::logic_error(where + "max below min");
    }
  }

  UnitInfo info_;
  std::shared_ptr<const ParamTable<P>> table_;
};

}  // namespace lpusim
