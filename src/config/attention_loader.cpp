#include "config/loaders.h"

#include <algorithm>

#include "base/config_error.h"
#include "config/yaml_reader.h"

namespace lpusim {

namespace {

const std::vector<std::string> kPathKeys = {"scores", "softmax", "context"};

bool vector_unit_lists(const DesignSpec& d, const std::string& op) {
  for (const auto& u : d.units) {
    if (u.impl != "vector_unit") continue;
    const auto& ops = u.list("ops");
    if (std::find(ops.begin(), ops.end(), op) != ops.end()) return true;
  }
  return false;
}

// Reads scores/softmax/context (all required in the base, optional in an override) and checks that
// the design has a unit for each choice.
void read_path(const YamlNode& n, const DesignSpec& d, bool required, AttentionLayerPath& p) {
  auto pick = [&](const std::string& key, const std::vector<std::string>& choices, std::string& out) {
    if (required || n.has(key)) out = n.get_enum(key, choices);
  };
  pick("scores", {"popcount", "fp16"}, p.scores);
  pick("softmax", {"fp16", "int_lut"}, p.softmax);
  pick("context", {"popcount", "ternary", "fp16"}, p.context);
  const YamlNode& where = n;
  if (p.softmax == "int_lut" && !vector_unit_lists(d, "softmax_lut")) {
    (n.has("softmax") ? n.at("softmax") : where)
        .fail("softmax int_lut needs a vector_unit listing 'softmax_lut' in its ops");
  }
  if (p.softmax == "fp16" && !vector_unit_lists(d, "softmax")) {
    (n.has("softmax") ? n.at("softmax") : where).fail("softmax fp16 needs a vector_unit listing 'softmax' in its ops");
  }
  if (p.context == "ternary" && !d.first_with(Capability::TernaryGemm)) {
    (n.has("context") ? n.at("context") : where).fail("context ternary needs a ternary_mac_array unit");
  }
  const bool need_act = p.scores == "fp16" || p.context == "fp16";
  if (need_act && !d.first_with(Capability::ActGemm)) {
    where.fail("scores/context fp16 need a unit with act_gemm (e.g. fp16_mac_array)");
  }
}

}  // namespace

void validate_popcount_units(const YamlNode& units, const DesignSpec& d) {
  for (const auto& u : d.units) {
    if (u.impl != "popcount_attention") continue;
    YamlNode n = units.at(u.name);
    const int64_t lanes = u.i("lanes"), depth = u.i("adder_tree_depth");
    if (depth > 30 || (int64_t{1} << depth) < lanes) {
      n.at("adder_tree_depth")
          .fail("expected 2^adder_tree_depth >= lanes (" + std::to_string(lanes) + "), got depth " +
                std::to_string(depth));
    }
    if (u.e("encoding") == "sign" && u.i("T") != 1)
      n.at("T").fail("encoding sign codes 1 bit per element: expected T: 1");
    if (u.e("encoding") == "spike" && u.i("T") > 1024) n.at("T").fail("expected at most 1024 spike steps");
    if (u.e("encoding") == "bit_plane" && u.i("T") > 16) n.at("T").fail("expected at most 16 bit planes");
    if (u.e("encoding") == "bit_plane" && u.i("context_T") > 16)
      n.at("context_T").fail("expected at most 16 bit planes");
    if (u.e("encoder") == "vector" && !vector_unit_lists(d, "quantize")) {
      n.at("encoder").fail("encoder vector needs a vector_unit listing 'quantize' in its ops");
    }
    // The tech table needs an SRAM class for the K buffer.
    try {
      d.tech.sram_class(static_cast<double>(u.i("k_buffer_kib")));
    } catch (const ConfigError& e) {
      n.at("k_buffer_kib").fail(e.what());
    }
  }
}

AttentionSpec parse_attention(const YamlNode& node, const DesignSpec& d) {
  node.expect_keys({"engine", "scores", "softmax", "context", "kv_cache"}, {"layer_overrides"});
  AttentionSpec a;
  a.present = true;
  a.engine = node.get_string("engine");
  const UnitSpec* eng = nullptr;
  for (const auto& u : d.units) {
    if (u.name == a.engine) eng = &u;
  }
  if (!eng) node.at("engine").fail("no unit named '" + a.engine + "' under units");
  if (eng->impl != "popcount_attention") {
    node.at("engine").fail("unit '" + a.engine + "' is a " + eng->impl + ", expected impl popcount_attention");
  }
  a.kv_cache = node.get_enum("kv_cache", {"binarised", "full"});
  read_path(node, d, true, a.base);
  bool any_popcount = a.base.scores == "popcount" || a.base.context == "popcount";
  if (node.has("layer_overrides")) {
    YamlNode lo = node.at("layer_overrides");
    a.overrides_where = lo.where();
    for (const auto& item : lo.items()) {
      item.expect_keys({"layers"}, kPathKeys);
      AttentionLayerPath p = a.base;
      read_path(item, d, false, p);
      any_popcount = any_popcount || p.scores == "popcount" || p.context == "popcount";
      for (const auto& l : item.at("layers").items()) {
        const int64_t layer = l.as_int();
        if (layer < 0) l.fail("expected a layer index >= 0");
        if (!a.overrides.emplace(layer, p).second) l.fail("layer " + std::to_string(layer) + " is overridden twice");
      }
    }
  }
  if (a.kv_cache == "binarised" && !any_popcount) {
    node.at("kv_cache").fail("binarised needs scores or context on popcount in some layer");
  }
  return a;
}

}  // namespace lpusim
