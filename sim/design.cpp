#include "sim/design.h"

#include <sstream>

#include "sim/yaml_reader.h"

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
  b.banks = n.get_positive_int("banks");
  b.ports = n.get_positive_int("ports");
  b.width_bits = n.get_positive_int("width_bits");
  return b;
}

}  // namespace

DesignSpec DesignSpec::load(const std::string& path) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"name", "description", "budget", "clock_ghz", "tech", "units", "buffers", "dram"}, {"attention"});
  DesignSpec d;
  d.file = path;
  d.name = root.get_string("name");
  d.description = root.get_string("description");
  d.budget = root.get_string("budget");
  d.clock_ghz = root.get_positive("clock_ghz");
  d.tech_node = root.get_string("tech");

  std::string tech_path = dir_of(path) + "/../tech/" + d.tech_node + ".yaml";
  try {
    d.tech = TechTable::load(tech_path);
  } catch (const ConfigError& e) {
    root.at("tech").fail(std::string("cannot use tech node '") + d.tech_node + "': " + e.what());
  }
  if (d.tech.node != d.tech_node) {
    root.at("tech").fail("tech file " + tech_path + " declares node '" + d.tech.node + "'");
  }

  YamlNode units = root.at("units");
  units.expect_map();
  for (const auto& k : units.keys()) {
    d.units.push_back(UnitRegistry::instance().parse(k, units.at(k)));
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
    d.tech.sram_class(b->size_kib);  // throws if no size class covers it
  }

  d.dram = DramSpec::load(root.at("dram"), dir_of(path));
  validate_popcount_units(units, d);
  if (root.has("attention")) d.attention = parse_attention(root.at("attention"), d);
  return d;
}

const UnitSpec* DesignSpec::first_with(Capability c) const {
  for (const auto& u : units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info && info->caps.count(c)) return &u;
  }
  return nullptr;
}

std::string DesignSpec::resolved_yaml() const {
  std::ostringstream os;
  os.precision(17);
  os << "# Fully resolved design as simulated (source: " << file << ")\n";
  os << "name: " << name << "\n";
  os << "description: \"" << description << "\"\n";
  os << "budget: \"" << budget << "\"\n";
  os << "clock_ghz: " << clock_ghz << "\n";
  os << "tech: " << tech_node << "  # " << tech.file << "\n";
  os << "units:\n";
  for (const auto& u : units) {
    os << "  " << u.name << ":\n    impl: " << u.impl << "\n";
    for (const auto& kv : u.ints) os << "    " << kv.first << ": " << kv.second << "\n";
    for (const auto& kv : u.doubles) os << "    " << kv.first << ": " << kv.second << "\n";
    for (const auto& kv : u.bools) os << "    " << kv.first << ": " << (kv.second ? "true" : "false") << "\n";
    for (const auto& kv : u.enums) os << "    " << kv.first << ": " << kv.second << "\n";
    for (const auto& kv : u.lists) {
      os << "    " << kv.first << ": [";
      for (size_t i = 0; i < kv.second.size(); ++i) os << (i ? ", " : "") << kv.second[i];
      os << "]\n";
    }
  }
  os << "buffers:\n";
  for (const BufferSpec* b : {&weight_buffer, &activation_buffer}) {
    os << "  " << b->name << ": {size_kib: " << b->size_kib << ", banks: " << b->banks
       << ", ports: " << b->ports << ", width_bits: " << b->width_bits << "}\n";
  }
  os << "dram:\n" << dram.resolved_yaml("  ");
  os << attention_resolved_yaml(attention);
  os << "resolved_energy_pj:  # from " << tech.file << "\n";
  for (const auto& kv : tech.event_pj) os << "  " << kv.first << ": " << kv.second << "\n";
  for (const BufferSpec* b : {&weight_buffer, &activation_buffer}) {
    const SramClass& c = tech.sram_class(b->size_kib);
    os << "  sram_" << b->name << "_read_pj_per_bit: " << c.read_pj_per_bit << "\n";
    os << "  sram_" << b->name << "_write_pj_per_bit: " << c.write_pj_per_bit << "\n";
  }
  os << "  dram_activate_pj: " << dram.e_act_pj << "  # from " << dram.preset_file << "\n";
  os << "  dram_precharge_pj: " << dram.e_pre_pj << "\n";
  os << "  dram_read_burst_pj: " << dram.e_rd_pj << "\n";
  os << "  dram_write_burst_pj: " << dram.e_wr_pj << "\n";
  os << "  dram_static_uw_per_channel: " << dram.static_uw_per_channel() << "  # background + refresh\n";
  return os.str();
}

}  // namespace lpusim
