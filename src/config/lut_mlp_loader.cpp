#include "config/loaders.h"

#include "base/config_error.h"
#include "config/yaml_reader.h"

namespace lpusim {

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
  if (n.features != hidden || n.outputs != hidden)
    bad("features and outputs must equal hidden " + std::to_string(hidden));
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
  constexpr uint64_t kMaxTableBits = uint64_t{1} << 33;  // 1 GiB of tables per block
  uint64_t table_bits = 0;
  if (items.empty()) node.at("layers").fail("expected at least one LUT layer");
  for (const auto& it : items) {
    it.expect_keys({"luts", "inputs_per_lut", "entry_bits"});
    lut::GenLayer g{static_cast<uint32_t>(it.get_positive_int("luts", int64_t{1} << 24)),
                    static_cast<uint32_t>(it.get_positive_int("inputs_per_lut")),
                    static_cast<uint32_t>(it.get_positive_int("entry_bits"))};
    if (g.inputs > 16) it.at("inputs_per_lut").fail("expected 1..16 (a LUT has 2^n entries)");
    if (g.entry_bits > 32) it.at("entry_bits").fail("expected 1..32");
    // The tables are built in host memory (one network per transformer layer): bound them.
    table_bits += uint64_t(g.luts) * (uint64_t{1} << g.inputs) * g.entry_bits;
    if (table_bits > kMaxTableBits) {
      it.at("luts").fail("the block's LUT tables would hold " + std::to_string(table_bits >> 23) +
                         " MiB; expected at most " + std::to_string(kMaxTableBits >> 23) + " MiB per block");
    }
    if (g.inputs > prev)
      it.at("inputs_per_lut").fail("more inputs than the " + std::to_string(prev) + " bits of the previous stage");
    prev = uint64_t(g.luts) * g.entry_bits;
    s.layers.push_back(g);
  }
  s.output = parse_output(node);
  if (s.output == lut::SumKind::GroupSum && prev % static_cast<uint64_t>(hidden) != 0) {
    node.at("output").fail("group_sum needs the last layer's " + std::to_string(prev) +
                           " bits to split into hidden = " + std::to_string(hidden) + " equal groups");
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
      s.nets.push_back(
          std::make_shared<lut::LutNetwork>(lut::generate(g, s.seed ^ (uint64_t(l + 1) * 0x9e3779b97f4a7c15ull))));
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

}  // namespace lpusim
