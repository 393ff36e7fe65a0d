// Registry of compute-unit implementations, chosen by `impl:` in a design file (Ramulator-style).
// Each implementation declares its parameters, statistics and capabilities where it registers,
// so `lpusim --list` and the README's unit reference come from the code.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/stat_decl.h"

namespace lpusim {

class ComputeUnit;
struct UnitContext;
struct TechTable;
struct AreaItem;

// What a unit can execute; the compiler picks a unit for each operation by capability.
enum class Capability {
  TernaryGemm,   // activation (INT8) x ternary weight matrix
  Fp16Gemm,      // FP16 activation x FP16 weight matrix
  ActGemm,       // activation x activation (attention scores and context)
  VectorOps,     // elementwise / reduction ops (norms, softmax, activations, quantisation)
  BitAttention,  // popcount attention on bit-coded Q/K (and P/V), mapped by the design's `attention:`
  LutLayer,      // weightless (DWN/QuWeiT) block: thermometer encode, LUT lookups, conditional/group sum
};

enum class ParamType { Int, Double, Bool, Enum, StringList };

struct ParamDoc {
  std::string key;
  ParamType type;
  std::string doc;
  std::vector<std::string> choices;  // Enum: allowed values; StringList: allowed items
  double min = 1;                    // Int/Double: smallest legal value
  std::string default_value;         // YAML text used when the key is absent; empty = required
};

// Validated parameters of one unit instance.
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

using UnitFactory = std::function<std::unique_ptr<ComputeUnit>(const UnitSpec&, const UnitContext&)>;

struct UnitInfo {
  std::string impl;
  std::string doc;
  std::set<Capability> caps;
  std::vector<ParamDoc> params;
  std::vector<StatDecl> stats;  // statistics of this kind beyond compute_unit_stats() (units/compute_unit.h)
  UnitFactory factory;
  // Cross-parameter checks (e.g. an option that needs a given dataflow); fails on `node`.
  std::function<void(const UnitSpec&)> validate;  // throws ParamError
  // Silicon area of one instance from its parameters and the node's area primitives.
  std::function<AreaItem(const UnitSpec&, const TechTable&)> area;
};

class UnitRegistry {
 public:
  static UnitRegistry& instance();
  bool add(UnitInfo info);
  const UnitInfo* find(const std::string& impl) const;
  std::vector<const UnitInfo*> all() const;  // sorted by name

 private:
  std::map<std::string, UnitInfo> infos_;
};

// Self-registration helper: `static const bool reg = register_unit({...});` in each unit's file.
bool register_unit(UnitInfo info);

std::string capability_name(Capability c);

}  // namespace lpusim
