#include "config/loaders.h"

#include "config/yaml_reader.h"

namespace lpusim {

namespace {

std::string dir_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? "." : path.substr(0, pos);
}

BufferSpec parse_buffer(const YamlNode& n, const std::string& name) {
  n.expect_keys({"size_kib", "banks", "ports", "width_bits"});
  BufferSpec b;
  b.name = name;
  b.size_kib = n.get_positive("size_kib");
  b.banks = n.get_positive_int("banks", 1 << 16);
  b.ports = n.get_positive_int("ports", 64);
  b.width_bits = n.get_positive_int("width_bits", 1 << 16);
  return b;
}

}  // namespace

DesignSpec load_design(const std::string& path, const std::vector<KeyOverride>& overrides) {
  YamlNode root = YamlNode::load_file(path, overrides);
  root.expect_keys({"name", "description", "budget", "clock_ghz", "tech", "units", "buffers", "dram"},
                   {"attention", "mapper"});
  DesignSpec d;
  d.file = path;
  d.name = root.get_string("name");
  // The name becomes part of output file names (design_<name>.resolved.yaml): a plain word only.
  const bool plain = !d.name.empty() && d.name.size() <= 64 && d.name[0] != '.' &&
                     d.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.+") ==
                         std::string::npos;
  if (!plain) {
    root.at("name").fail("expected up to 64 letters, digits, '_', '-', '.' or '+' (it names output files), got '" +
                         d.name + "'");
  }
  d.description = root.get_string("description");
  d.budget = root.get_string("budget");
  d.clock_ghz = root.get_positive("clock_ghz");
  d.tech_node = root.get_string("tech");

  const bool plain_node = !d.tech_node.empty() && d.tech_node.find('/') == std::string::npos && d.tech_node[0] != '.';
  const std::string tech_path = plain_node ? find_config_file(dir_of(path), "tech", d.tech_node) : "";
  if (tech_path.empty()) {
    root.at("tech").fail("cannot use tech node '" + d.tech_node + "': no " + d.tech_node + ".yaml in " +
                         config_search_text(dir_of(path), "tech") + " (found: " + config_names(dir_of(path), "tech") +
                         ")");
  }
  try {
    d.tech = load_tech(tech_path);
  } catch (const ConfigError& e) {
    root.at("tech").fail(std::string("cannot use tech node '") + d.tech_node + "': " + e.what());
  }
  if (d.tech.node != d.tech_node) {
    root.at("tech").fail("tech file " + tech_path + " declares node '" + d.tech.node + "'");
  }

  YamlNode units = root.at("units");
  units.expect_map();
  for (const auto& k : units.keys()) {
    d.units.push_back(parse_unit(k, units.at(k)));
  }
  if (d.units.empty()) units.fail("a design needs at least one compute unit");
  if (!d.first_with(Capability::VectorOps)) {
    units.fail("a design needs a unit with vector ops (impl: vector_unit) for norms and softmax");
  }

  YamlNode bufs = root.at("buffers");
  bufs.expect_keys({"weight", "activation"});
  d.weight_buffer = parse_buffer(bufs.at("weight"), "weight");
  d.activation_buffer = parse_buffer(bufs.at("activation"), "activation");
  for (const BufferSpec* b : {&d.weight_buffer, &d.activation_buffer}) {
    try {
      d.tech.sram_class(b->size_kib);  // the tech table must price a buffer of this size
    } catch (const ConfigError& e) {
      bufs.at(b->name).at("size_kib").fail(e.what());
    }
  }

  d.dram = load_dram(root.at("dram"), dir_of(path));
  validate_popcount_units(units, d);
  if (root.has("attention")) d.attention = parse_attention(root.at("attention"), d);
  if (root.has("mapper")) {
    YamlNode m = root.at("mapper");
    m.expect_keys({}, {"objective", "tiling"});
    if (m.has("objective")) {
      d.mapper_objective = m.get_string("objective");
      if (d.mapper_objective != "latency" && d.mapper_objective != "energy" && d.mapper_objective != "edp") {
        m.at("objective").fail("expected latency, energy or edp, got '" + d.mapper_objective + "'");
      }
    }
    if (m.has("tiling")) {
      d.mapper_tiling = m.get_string("tiling");
      if (d.mapper_tiling != "search" && d.mapper_tiling != "whole") {
        m.at("tiling").fail("expected search or whole, got '" + d.mapper_tiling + "'");
      }
    }
  }
  return d;
}

}  // namespace lpusim
