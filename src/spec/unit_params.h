// Typed unit parameters, declared once. A unit keeps its parameters in a plain struct and declares
// each field in ONE table (key, type, description, default, range or choices, member pointer):
//
//   struct MyParams { int64_t lanes = 0; std::string mode; };
//   const ParamTable<MyParams> kParams = {
//       param(&MyParams::lanes, "lanes", "lanes per cycle").min(1).max(4096),
//       param(&MyParams::mode, "mode", "what it does").choices({"a", "b"}).default_value("a"),
//   };
//
// From that table come the loader's keys, defaults and checks (config/unit_loader.cpp), `lpusim --list`
// and `--list --markdown` (the README's unit tables), and the resolved design YAML. A design keeps the
// loaded values by key in a UnitSpec (what sweeps, --iso and the YAML writer address by name); the unit
// reads them back as its struct with kParams.read(spec).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace lpusim {

enum class ParamType { Int, Double, Bool, Enum, StringList };

// What the loader, `--list` and the README know about one parameter.
struct ParamDoc {
  std::string key;
  ParamType type = ParamType::Int;
  std::string doc;
  std::vector<std::string> choices;  // Enum: allowed values; StringList: allowed items
  double min = 1;                    // Int/Double: smallest legal value
  std::optional<double> max;         // Int/Double: largest legal value (none = unbounded)
  std::string default_value;         // YAML text used when the key is absent; empty = required
};

// Validated parameters of one unit instance, by key (the loaded form; units read their typed struct).
struct UnitSpec {
  std::string name;  // instance name, the key under `units:`
  std::string impl;  // registered implementation name
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> doubles;
  std::map<std::string, bool> bools;
  std::map<std::string, std::string> enums;
  std::map<std::string, std::vector<std::string>> lists;

  int64_t i(const std::string& k) const { return ints.at(k); }
  double d(const std::string& k) const { return doubles.at(k); }
  bool b(const std::string& k) const { return bools.at(k); }
  const std::string& e(const std::string& k) const { return enums.at(k); }
  const std::vector<std::string>& list(const std::string& k) const { return lists.at(k); }
  bool has_int(const std::string& k) const { return ints.count(k) != 0; }
};

// Thrown by a unit's cross-parameter check; the loader reports it at units.<name>.<key>, with the
// file:line:col of that key, so units never see the YAML they came from.
struct ParamError : std::runtime_error {
  std::string key;
  ParamError(std::string k, const std::string& msg) : std::runtime_error(msg), key(std::move(k)) {}
};

// One declared field of a unit's parameter struct P: its documentation and how to read it from a UnitSpec.
template <class P>
class Param {
 public:
  Param(ParamDoc doc, std::function<void(const UnitSpec&, P&)> read) : doc_(std::move(doc)), read_(std::move(read)) {}

  Param&& min(double v) && {
    doc_.min = v;
    return std::move(*this);
  }
  Param&& max(double v) && {
    doc_.max = v;
    return std::move(*this);
  }
  Param&& default_value(std::string v) && {
    doc_.default_value = std::move(v);
    return std::move(*this);
  }
  // Enum: the allowed values (a std::string field keeps the text; an enum field gets choices with values).
  Param&& choices(std::vector<std::string> c) && {
    doc_.choices = std::move(c);
    return std::move(*this);
  }

  const ParamDoc& doc() const { return doc_; }
  void read(const UnitSpec& s, P& p) const { read_(s, p); }

 private:
  ParamDoc doc_;
  std::function<void(const UnitSpec&, P&)> read_;
};

namespace detail {
template <class T>
constexpr bool is_int_field = std::is_integral_v<T> && !std::is_same_v<T, bool>;
}  // namespace detail

// Integer, number, bool, enum-as-text and list fields: the type follows the member.
template <class P, class T>
Param<P> param(T P::*m, std::string key, std::string doc) {
  ParamDoc d;
  d.key = key;
  d.doc = std::move(doc);
  if constexpr (detail::is_int_field<T>) {
    d.type = ParamType::Int;
    return Param<P>(std::move(d), [m, key](const UnitSpec& s, P& p) { p.*m = static_cast<T>(s.i(key)); });
  } else if constexpr (std::is_same_v<T, double>) {
    d.type = ParamType::Double;
    return Param<P>(std::move(d), [m, key](const UnitSpec& s, P& p) { p.*m = s.d(key); });
  } else if constexpr (std::is_same_v<T, bool>) {
    d.type = ParamType::Bool;
    d.min = 0;
    return Param<P>(std::move(d), [m, key](const UnitSpec& s, P& p) { p.*m = s.b(key); });
  } else if constexpr (std::is_same_v<T, std::string>) {
    d.type = ParamType::Enum;
    d.min = 0;
    return Param<P>(std::move(d), [m, key](const UnitSpec& s, P& p) { p.*m = s.e(key); });
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>,
                  "a unit parameter is an integer, double, bool, std::string (enum) or std::vector<std::string>");
    d.type = ParamType::StringList;
    d.min = 0;
    return Param<P>(std::move(d), [m, key](const UnitSpec& s, P& p) { p.*m = s.list(key); });
  }
}

// A field with named values (an enum, or e.g. a bool behind two words): the YAML text of each value,
// in the order `--list` shows them.
template <class P, class E>
Param<P> param(E P::*m, std::string key, std::string doc, std::vector<std::pair<std::string, E>> values) {
  ParamDoc d;
  d.key = key;
  d.type = ParamType::Enum;
  d.doc = std::move(doc);
  d.min = 0;
  for (const auto& v : values) d.choices.push_back(v.first);
  return Param<P>(std::move(d), [m, key, values](const UnitSpec& s, P& p) {
    const std::string& text = s.e(key);
    for (const auto& v : values) {
      if (v.first == text) {
        p.*m = v.second;
        return;
      }
    }
    throw std::logic_error("units." + s.name + "." + key + ": '" + text + "' is not a declared value");
  });
}

// The one declaration of a unit's parameters, in `--list` order.
template <class P>
class ParamTable {
 public:
  ParamTable(std::initializer_list<Param<P>> fields) : fields_(fields) {}

  std::vector<ParamDoc> docs() const {
    std::vector<ParamDoc> out;
    for (const auto& f : fields_) out.push_back(f.doc());
    return out;
  }
  // The typed struct of a loaded (validated) unit.
  P read(const UnitSpec& s) const {
    P p{};
    for (const auto& f : fields_) f.read(s, p);
    return p;
  }

 private:
  std::vector<Param<P>> fields_;
};

}  // namespace lpusim
