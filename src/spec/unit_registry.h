// Registry of compute-unit implementations, chosen by `impl:` in a design file (Ramulator-style).
// Each implementation registers from its own folder (src/units/<kind>/) with named fields
// (units/unit_def.h): its parameter table (spec/unit_params.h), statistics, capabilities, lowering
// hook, area formula and factory, so `lpusim --list`, the README's unit tables, the loader and the
// compiler's choice of unit all come from that one registration.
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
#include "spec/unit_params.h"

namespace lpusim {

class ComputeUnit;
struct UnitContext;
struct TechTable;
struct AreaItem;
struct Op;    // ir/graph.h
struct Tile;  // ir/program.h

// What a unit can execute; the compiler picks a unit for each operation by capability.
enum class Capability {
  TernaryGemm,   // activation (INT8) x ternary weight matrix
  Fp16Gemm,      // FP16 activation x FP16 weight matrix
  IntGemm,       // activation (INT8) x integer (INT8 / INT4) weight matrix
  ActGemm,       // activation x activation (attention scores and context)
  VectorOps,     // elementwise / reduction ops (norms, softmax, activations, quantisation)
  BitAttention,  // popcount attention on bit-coded Q/K (and P/V), mapped by the design's `attention:`
  LutLayer,      // weightless (DWN/QuWeiT) block: thermometer encode, LUT lookups, conditional/group sum
};

using UnitFactory = std::function<std::unique_ptr<ComputeUnit>(const UnitSpec&, const UnitContext&)>;

// Lowering hook, part 1: does this unit take `op`? (The compiler gives a vector op to the first unit,
// in file order, that takes it.)
using UnitTakes = std::function<bool(const UnitSpec&, const Op&)>;
// Lowering hook, part 2 (optional): how `op` becomes tiles. `proto` holds what the compiler decided
// (op, unit, kind, vop, operands, output bits); `max_elements` is the most elements whose operands and
// result fit half the activation buffer. The compiler adds DRAM transfers and addresses to each tile.
using UnitLowering =
    std::function<std::vector<Tile>(const UnitSpec&, const Op&, const Tile& proto, uint64_t max_elements)>;

// What a registration declares (filled by units/unit_def.h's UnitDef, never positionally).
struct UnitInfo {
  std::string impl;
  std::string doc;
  std::set<Capability> caps;
  std::vector<ParamDoc> params;  // from the unit's ParamTable, in declaration order
  std::vector<StatDecl> stats;   // statistics of this kind beyond compute_unit_stats()
  UnitFactory factory;
  // Cross-parameter checks (e.g. an option that needs a given dataflow); fails on `node`.
  std::function<void(const UnitSpec&)> validate;  // throws ParamError
  // Silicon area of one instance from its parameters and the node's area primitives.
  std::function<AreaItem(const UnitSpec&, const TechTable&)> area;
  UnitTakes takes;     // empty: takes no vector op
  UnitLowering lower;  // empty: the compiler's own tiling
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

// The statistics every compute unit emits (tile queue, busy time, SRAM stalls); a kind declares its
// own extras in UnitInfo::stats.
const std::vector<StatDecl>& compute_unit_stats();
// Everything a unit of this kind emits: compute_unit_stats() then the kind's own (what the unit
// declares to the stats walk, `--list` and the README unit tables all read).
std::vector<StatDecl> unit_stats(const UnitInfo& u);

// Adds a registration; units call it through UnitDef::add() (units/unit_def.h).
bool register_unit(UnitInfo info);

// The unit tables of the README (`lpusim --list --markdown`): one table per implementation.
std::string units_markdown();

std::string capability_name(Capability c);

}  // namespace lpusim
