#include "config/loaders.h"

#include <algorithm>
#include <filesystem>

#include "base/config_error.h"
#include "config/yaml_reader.h"

namespace lpusim {

namespace {

// The presets over the config search path (config_search_dirs), sorted.
std::string preset_list(const std::string& design_dir) { return config_names(design_dir, "dram"); }

// Reads one preset file into params/sources.
void read_preset(const std::string& path, DramSpec& d) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"name", "description", "params"});
  d.description = root.get_string("description");
  YamlNode p = root.at("params");
  p.expect_keys(dram_param_keys());
  for (const auto& k : dram_param_keys()) {
    YamlNode e = p.at(k);
    e.expect_keys({"value", "source"});
    d.params[k] = e.get_nonnegative("value");
    d.sources[k] = e.get_string("source");
  }
}

}  // namespace

DramSpec dram_from_preset(const std::string& preset_path, int64_t channels, const std::string& mapping,
                          const std::map<std::string, double>& overrides) {
  DramSpec d;
  d.preset_file = preset_path;
  auto slash = preset_path.find_last_of('/');
  d.preset = preset_path.substr(slash == std::string::npos ? 0 : slash + 1);
  d.preset = d.preset.substr(0, d.preset.rfind(".yaml"));
  read_preset(preset_path, d);
  d.channels = channels;
  d.address_mapping = mapping;
  std::string err;
  d.mapping_msb_first = parse_dram_mapping(mapping, err);
  if (!err.empty()) throw ConfigError(preset_path + ": address_mapping: " + err);
  for (const auto& kv : overrides) {
    if (!d.params.count(kv.first)) throw ConfigError(preset_path + ": unknown dram parameter '" + kv.first + "'");
    d.params[kv.first] = kv.second;
    d.sources[kv.first] = "test override";
  }
  d.resolve();
  return d;
}

DramSpec load_dram(const YamlNode& n, const std::string& design_dir) {
  std::vector<std::string> optional = dram_param_keys();
  optional.push_back("capacity_gib");
  n.expect_keys({"preset", "channels", "address_mapping"}, optional);
  DramSpec d;
  YamlNode pn = n.at("preset");
  d.preset = pn.as_string();
  if (d.preset.empty() || d.preset.find('/') != std::string::npos || d.preset.find('.') != std::string::npos) {
    pn.fail("unknown DRAM preset '" + d.preset + "' (presets: " + preset_list(design_dir) + ")");
  }
  d.preset_file = find_config_file(design_dir, "dram", d.preset);
  if (d.preset_file.empty()) {
    pn.fail("unknown DRAM preset '" + d.preset + "': no " + d.preset + ".yaml in " +
            config_search_text(design_dir, "dram") + " (presets: " + preset_list(design_dir) + ")");
  }
  try {
    read_preset(d.preset_file, d);
  } catch (const ConfigError& e) {
    std::string what = e.what();
    if (what.find("cannot open file") != std::string::npos) {
      pn.fail("unknown DRAM preset '" + d.preset + "': no file " + d.preset_file +
              " (presets: " + preset_list(design_dir) + ")");
    }
    pn.fail(std::string("cannot use DRAM preset '") + d.preset + "': " + what);
  }
  d.channels = n.get_positive_int("channels", 1024);
  if (n.has("capacity_gib")) d.capacity_gib = n.get_positive("capacity_gib");
  YamlNode mn = n.at("address_mapping");
  d.address_mapping = mn.as_string();
  std::string err;
  d.mapping_msb_first = parse_dram_mapping(d.address_mapping, err);
  if (!err.empty()) mn.fail(err);
  for (const auto& k : dram_param_keys()) {
    if (n.has(k)) {
      d.params[k] = n.get_nonnegative(k);
      d.sources[k] = "design override (" + n.at(k).where() + ")";
    }
  }
  try {
    d.resolve();
  } catch (const ConfigError& e) {
    n.fail(e.what());
  }
  return d;
}

}  // namespace lpusim
