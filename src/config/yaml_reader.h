// Strict YAML access: every key read is recorded, unknown keys are errors, and every error
// names file:line:column and the dotted key path (DRAMSys-style raw layer under a validated spec).
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/config_error.h"
#include "config/key_override.h"

namespace lpusim {

// Sets `key` (dotted path) in the map `root` to `value`, creating the maps along the way. Returns "" or
// why it cannot (a part of the path that is not a map).
std::string set_key(YAML::Node root, const std::string& key, const YAML::Node& value);

class YamlNode {
 public:
  // Loads a file; a missing file or a YAML syntax error is a ConfigError. With overrides, their keys are
  // set on the loaded tree before anything reads it, so they are validated exactly as if written in the
  // file; an error at or below an overridden key names the file and the override instead of a line.
  static YamlNode load_file(const std::string& path, const std::vector<KeyOverride>& overrides = {});
  static YamlNode load_string(const std::string& text, const std::string& pseudo_file,
                              const std::vector<KeyOverride>& overrides = {});

  YamlNode(YAML::Node node, std::string file, std::string path);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& raw() const { return node_; }

  bool is_map() const { return node_.IsMap(); }
  bool is_seq() const { return node_.IsSequence(); }
  bool has(const std::string& key) const;

  // Child access; a missing key is an error that names the parent's location.
  YamlNode at(const std::string& key) const;
  std::vector<YamlNode> items() const;    // sequence elements
  std::vector<std::string> keys() const;  // map keys in file order

  // Scalar conversions with type checks.
  std::string as_string() const;
  double as_double() const;
  int64_t as_int() const;
  bool as_bool() const;
  std::vector<std::string> as_string_list() const;

  // Convenience for required scalars with range checks.
  std::string get_string(const std::string& key) const { return at(key).as_string(); }
  std::string get_enum(const std::string& key, const std::vector<std::string>& choices) const;
  double get_positive(const std::string& key) const;
  double get_nonnegative(const std::string& key) const;
  // An integer in [1, max]: sizes and counts carry a bound, so absurd values fail here, not as a
  // multi-GiB allocation or an overflow later.
  int64_t get_positive_int(const std::string& key, int64_t max = INT64_MAX) const;
  int64_t get_nonnegative_int(const std::string& key) const;
  bool get_bool(const std::string& key) const { return at(key).as_bool(); }

  // A map must contain exactly these keys (optional ones may be absent); anything else is an error.
  void expect_keys(const std::vector<std::string>& required, const std::vector<std::string>& optional = {}) const;
  void expect_map() const;

  [[noreturn]] void fail(const std::string& what) const;
  std::string where() const;                             // "file:line:col"
  std::string child_path(const std::string& key) const;  // "units.tmac" + "rows" -> "units.tmac.rows"

 private:
  YamlNode child(YAML::Node node, std::string path) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::shared_ptr<const std::vector<KeyOverride>> overrides_;  // where a key came from the command line
};

}  // namespace lpusim
