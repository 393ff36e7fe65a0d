// The one place where raw YAML becomes validated, read-only specs (DRAMSys-style): every range and
// cross-key check happens here, and every error names file:line:col and the key path. Units,
// memory and the chip see only the specs (spec/), never the YAML they came from.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/key_override.h"
#include "spec/attention_spec.h"
#include "spec/design.h"
#include "spec/dram_spec.h"
#include "spec/lut_mlp.h"
#include "spec/tech.h"
#include "spec/unit_registry.h"
#include "spec/workload.h"

namespace lpusim {

class YamlNode;

// Loads and validates a file. Overrides (`-p KEY=VALUE`, config/yaml_reader.h) set keys of the file before
// it is read, so an override is checked exactly like the key in the file.
TechTable load_tech(const std::string& path);
DesignSpec load_design(const std::string& path, const std::vector<KeyOverride>& overrides = {});
WorkloadSpec load_workload(const std::string& path, const std::vector<KeyOverride>& overrides = {});

// Where a design's `tech:` and `dram: {preset:}` names resolve: <dir>/tech/<name>.yaml and
// <dir>/dram/<name>.yaml for each dir, first found wins: the design's folder, its parent (the shipped
// configs/designs + configs/tech layout), the installed configs (<binary>/../share/lpusim/configs), the
// source tree's configs/, then each folder of LPUSIM_CONFIG_PATH (colon-separated).
std::vector<std::string> config_search_dirs(const std::string& design_dir);
// The first existing <dir>/<sub>/<name>.yaml over config_search_dirs, or "".
std::string find_config_file(const std::string& design_dir, const std::string& sub, const std::string& name);
// The names found over every dir (sorted, comma-separated; "none found") and the folders searched.
std::string config_names(const std::string& design_dir, const std::string& sub);
std::string config_search_text(const std::string& design_dir, const std::string& sub);

// `units.<name>` against the implementation's declared parameters (unknown keys are errors; absent
// optional keys take their declared defaults).
UnitSpec parse_unit(const std::string& name, const YamlNode& node);

// The design's `dram:` map; `design_dir` locates ../dram/<preset>.yaml.
DramSpec load_dram(const YamlNode& n, const std::string& design_dir);
// A spec from a preset file with overrides (tests, dram tools).
DramSpec dram_from_preset(const std::string& preset_path, int64_t channels, const std::string& mapping,
                          const std::map<std::string, double>& overrides = {});

// `attention:` against the design's units.
AttentionSpec parse_attention(const YamlNode& node, const DesignSpec& d);
// Checks of every popcount_attention unit that need more than a range (lane width, adder-tree depth,
// T for sign coding), reported at units.<name>.<key>.
void validate_popcount_units(const YamlNode& units, const DesignSpec& d);

// `model.mlp` of a workload (kind mac | lut) and its .lutnet tables.
void load_lut_mlp(const YamlNode& node, const std::string& workload_file, int64_t hidden, int64_t layers,
                  LutMlpSpec& s);

}  // namespace lpusim
