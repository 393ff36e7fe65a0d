#include "sim/lut_mlp.h"

#include <sstream>

#include "sim/config_error.h"
#include "sim/yaml_reader.h"

namespace lpusim {

uint64_t lut_block_sram_bits(const lut::LutNetwork& n) { return n.table_bits() + n.threshold_bits(); }
uint64_t lut_block_value_bits(const lut::LutNetwork& n) { return n.value_bits(); }

uint64_t lut_mlp_bytes(const LutMlpSpec& s) {
  uint64_t b = 0;
  for (const auto& n : s.nets) b += (lut_block_sram_bits(*n) + lut_block_value_bits(*n) + 7) / 8;
  return b;
}

std::string lut_lookup_op_name(size_t i, size_t layers) {
  return layers == 1 ? "lut_lookup" : "lut_lookup" + std::to_string(i);
}

namespace {

lut::SumKind parse_output(const YamlNode& node) {
  const std::string o = node.get_enum("output", {"conditional_sum_fp16", "conditional_sum_int8", "group_sum"});
  if (o == "conditional_sum_int8") return lut::SumKind::CondInt8;
  if (o == "group_sum") return lut::SumKind::GroupSum;
  return lut::SumKind::CondFp16;
}

// A loaded network must have the shape the workload declares (so the graph and the tables agree).
void check_shape(const lut::LutNetwork& n, const LutMlpSpec& s, int64_t hidden, const YamlNode& at,
                 const std::string& file) {
  auto bad = [&](const std::string& m) { at.fail(file + " does not match the workload: " + m); };
  if (n.features != hidden || n.outputs != hidden) bad("features and outputs must equal hidden " + std::to_string(hidden));
  if (n.therm_bits != s.therm_bits) bad("thermometer_bits " + std::to_string(n.therm_bits));
  if (n.sum != s.output) bad(std::string("output ") + lut::sum_kind_name(n.sum));
  if (n.layers.size() != s.layers.size()) bad(std::to_string(n.layers.size()) + " LUT layers");
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const auto& a = n.layers[i];
    const auto& b = s.layers[i];
    if (a.luts != b.luts || a.inputs != b.inputs || a.entry_bits != b.entry_bits) {
      bad("layer " + std::to_string(i) + " is " + std::to_string(a.luts) + " LUTs x " + std::to_string(a.inputs) +
          " inputs x " + std::to_string(a.entry_bits) + " bits");
    }
  }
}

}  // namespace

void load_lut_mlp(const YamlNode& node, const std::string& workload_file, int64_t hidden, int64_t layers,
                  LutMlpSpec& s) {
  node.expect_map();
  if (node.get_enum("kind", {"mac", "lut"}) == "mac") {
    node.expect_keys({"kind"});
    s.enabled = false;
    return;
  }
  node.expect_keys({"kind", "thermometer_bits", "thresholds", "layers", "output", "tables", "seed"});
  s.enabled = true;
  const int64_t z = node.get_positive_int("thermometer_bits");
  if (z > 4096) node.at("thermometer_bits").fail("expected at most 4096 thresholds per feature");
  s.therm_bits = static_cast<uint32_t>(z);
  s.thresholds = node.get_enum("thresholds", {"uniform", "quantile"});
  uint64_t prev = static_cast<uint64_t>(hidden) * s.therm_bits;
  const auto items = node.at("layers").items();
  if (items.empty()) node.at("layers").fail("expected at least one LUT layer");
  for (const auto& it : items) {
    it.expect_keys({"luts", "inputs_per_lut", "entry_bits"});
    lut::GenLayer g{static_cast<uint32_t>(it.get_positive_int("luts")),
                    static_cast<uint32_t>(it.get_positive_int("inputs_per_lut")),
                    static_cast<uint32_t>(it.get_positive_int("entry_bits"))};
    if (g.inputs > 16) it.at("inputs_per_lut").fail("expected 1..16 (a LUT has 2^n entries)");
    if (g.entry_bits > 32) it.at("entry_bits").fail("expected 1..32");
    if (g.inputs > prev) it.at("inputs_per_lut").fail("more inputs than the " + std::to_string(prev) + " bits of the previous stage");
    prev = uint64_t(g.luts) * g.entry_bits;
    s.layers.push_back(g);
  }
  s.output = parse_output(node);
  if (s.output == lut::SumKind::GroupSum && prev % static_cast<uint64_t>(hidden) != 0) {
    node.at("output").fail("group_sum needs the last layer's " + std::to_string(prev) + " bits to split into hidden = " +
                           std::to_string(hidden) + " equal groups");
  }
  s.seed = static_cast<uint64_t>(node.get_nonnegative_int("seed"));
  s.tables = node.get_string("tables");
  if (s.tables.empty()) node.at("tables").fail("expected 'generate' or a .lutnet file path");
  if (s.tables != "generate") {
    const auto slash = workload_file.find_last_of('/');
    if (s.tables[0] != '/' && slash != std::string::npos) s.tables = workload_file.substr(0, slash + 1) + s.tables;
  }
  lut::GenSpec g;
  g.features = static_cast<uint32_t>(hidden);
  g.therm_bits = s.therm_bits;
  g.thresholds = s.thresholds;
  g.layers = s.layers;
  g.sum = s.output;
  g.outputs = static_cast<uint32_t>(hidden);
  std::shared_ptr<const lut::LutNetwork> shared;
  for (int64_t l = 0; l < layers; ++l) {
    if (s.tables == "generate") {
      s.nets.push_back(std::make_shared<lut::LutNetwork>(lut::generate(g, s.seed ^ (uint64_t(l + 1) * 0x9e3779b97f4a7c15ull))));
      continue;
    }
    const auto pos = s.tables.find("{layer}");
    if (pos == std::string::npos && shared) {  // one file for every block
      s.nets.push_back(shared);
      continue;
    }
    std::string path = s.tables;
    if (pos != std::string::npos) path.replace(pos, 7, std::to_string(l));
    auto n = std::make_shared<lut::LutNetwork>(lut::load(path));
    check_shape(*n, s, hidden, node.at("tables"), path);
    shared = n;
    s.nets.push_back(n);
  }
}

std::string lut_mlp_yaml(const LutMlpSpec& s) {
  std::ostringstream os;
  if (!s.enabled) return "";
  os << "\n  mlp:\n    kind: lut\n    thermometer_bits: " << s.therm_bits << "\n    thresholds: " << s.thresholds
     << "\n    layers:";
  for (const auto& l : s.layers) {
    os << "\n      - {luts: " << l.luts << ", inputs_per_lut: " << l.inputs << ", entry_bits: " << l.entry_bits << "}";
  }
  const char* out = s.output == lut::SumKind::CondInt8   ? "conditional_sum_int8"
                    : s.output == lut::SumKind::GroupSum ? "group_sum"
                                                         : "conditional_sum_fp16";
  os << "\n    output: " << out << "\n    tables: \"" << s.tables << "\"\n    seed: " << s.seed;
  return os.str();
}

}  // namespace lpusim
