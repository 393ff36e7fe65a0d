#include "config/yaml_reader.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace lpusim {

namespace {
std::string describe_type(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing (null)";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "an undefined node";
  }
}
// yaml-cpp keeps every pair of a map with a repeated key and lookups return the first, so a
// duplicate would be silently ignored: walk the tree once and reject it at the second occurrence.
// Nesting is bounded here too, so a hostile file fails with a message, not a deep recursion.
constexpr int kMaxDepth = 64;

void check_tree(const YAML::Node& n, const std::string& file, const std::string& path, int depth) {
  auto at = [&](const YAML::Mark& m, const std::string& p, const std::string& what) {
    std::ostringstream os;
    os << file << ":" << m.line + 1 << ":" << m.column + 1 << ": " << (p.empty() ? "(top level)" : p) << ": " << what;
    throw ConfigError(os.str());
  };
  if (depth > kMaxDepth) at(n.Mark(), path, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  if (n.IsMap()) {
    std::map<std::string, int> first_line;
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const std::string child = path.empty() ? key : path + "." + key;
      auto [it, fresh] = first_line.emplace(key, kv.first.Mark().line + 1);
      if (!fresh) at(kv.first.Mark(), child, "duplicate key (first at line " + std::to_string(it->second) + ")");
      check_tree(kv.second, file, child, depth + 1);
    }
  } else if (n.IsSequence()) {
    size_t i = 0;
    for (const auto& e : n) check_tree(e, file, path + "[" + std::to_string(i++) + "]", depth + 1);
  }
}

}  // namespace

YamlNode::YamlNode(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

std::string set_key(YAML::Node root, const std::string& key, const YAML::Node& value) {
  YAML::Node cur = root;
  std::string done;
  size_t pos = 0;
  while (true) {
    const size_t dot = key.find('.', pos);
    const std::string seg = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (seg.empty()) return "empty part in key path '" + key + "'";
    if (!cur.IsMap()) {
      return (done.empty() ? std::string("(top level)") : done) + " is " + describe_type(cur) + ", not a map of keys";
    }
    done += (done.empty() ? "" : ".") + seg;
    if (dot == std::string::npos) {
      cur[seg] = value;
      return "";
    }
    if (!cur[seg].IsDefined()) cur[seg] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[seg];
    cur.reset(next);
    pos = dot + 1;
  }
}

YamlNode YamlNode::load_file(const std::string& path, const std::vector<KeyOverride>& overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path, overrides);
}

YamlNode YamlNode::load_string(const std::string& text, const std::string& pseudo_file,
                               const std::vector<KeyOverride>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::ostringstream os;
    os << pseudo_file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": not valid YAML: " << e.msg;
    throw ConfigError(os.str());
  }
  YamlNode n(root, pseudo_file, "");
  if (!root.IsMap()) {
    throw ConfigError(pseudo_file + ":1:1: (top level): expected a YAML map of keys, got " + describe_type(root));
  }
  check_tree(root, pseudo_file, "", 0);
  for (const auto& o : overrides) {
    YAML::Node v;
    try {
      v = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      throw ConfigError(pseudo_file + " (" + o.origin + "): " + o.key + ": not a valid YAML value: " + e.msg);
    }
    if (!v.IsDefined() || v.IsNull()) v = YAML::Node(o.value);  // an empty value is an empty string
    const std::string err = set_key(root, o.key, v);
    if (!err.empty()) throw ConfigError(pseudo_file + " (" + o.origin + "): " + o.key + ": " + err);
  }
  if (!overrides.empty()) n.overrides_ = std::make_shared<const std::vector<KeyOverride>>(overrides);
  return n;
}

YamlNode YamlNode::child(YAML::Node node, std::string path) const {
  YamlNode c(std::move(node), file_, std::move(path));
  c.overrides_ = overrides_;
  return c;
}

std::string YamlNode::where() const {
  if (overrides_) {
    // The last override at or above this key path set it.
    for (auto it = overrides_->rbegin(); it != overrides_->rend(); ++it) {
      const std::string& k = it->key;
      if (path_ == k || (path_.size() > k.size() && path_.compare(0, k.size(), k) == 0 &&
                         (path_[k.size()] == '.' || path_[k.size()] == '['))) {
        return file_ + " (" + it->origin + ")";
      }
    }
    // A map the override created on its way to its key (it has no place in the file).
    if (node_.Mark().is_null()) {
      for (auto it = overrides_->rbegin(); it != overrides_->rend(); ++it) {
        if (it->key.compare(0, path_.size() + 1, path_ + ".") == 0) return file_ + " (" + it->origin + ")";
      }
    }
  }
  YAML::Mark m = node_.Mark();
  std::ostringstream os;
  if (m.line < 0) {
    os << file_ << ":1:1";
  } else {
    os << file_ << ":" << m.line + 1 << ":" << m.column + 1;
  }
  return os.str();
}

void YamlNode::fail(const std::string& what) const {
  throw ConfigError(where() + ": " + (path_.empty() ? "(top level)" : path_) + ": " + what);
}

std::string YamlNode::child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void YamlNode::expect_map() const {
  if (!node_.IsMap()) fail("expected a map of keys, got " + describe_type(node_));
}

bool YamlNode::has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined(); }

YamlNode YamlNode::at(const std::string& key) const {
  expect_map();
  YAML::Node c = node_[key];
  if (!c.IsDefined()) fail("missing required key '" + key + "'");
  return child(c, child_path(key));
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) fail("expected a list, got " + describe_type(node_));
  std::vector<YamlNode> out;
  for (size_t i = 0; i < node_.size(); ++i) {
    out.push_back(child(node_[i], path_ + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::vector<std::string> YamlNode::keys() const {
  expect_map();
  std::vector<std::string> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) fail("map keys must be plain strings");
    out.push_back(it->first.Scalar());
  }
  return out;
}

std::string YamlNode::as_string() const {
  if (!node_.IsScalar()) fail("expected a string, got " + describe_type(node_));
  return node_.Scalar();
}

double YamlNode::as_double() const {
  if (!node_.IsScalar()) fail("expected a number, got " + describe_type(node_));
  const std::string& s = node_.Scalar();
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    fail("expected a number, got '" + s + "'");
  }
}

int64_t YamlNode::as_int() const {
  if (!node_.IsScalar()) fail("expected an integer, got " + describe_type(node_));
  const std::string& s = node_.Scalar();
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used, 10);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    fail("expected an integer, got '" + s + "'");
  }
}

bool YamlNode::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  fail("expected true or false, got " + describe_type(node_));
}

std::vector<std::string> YamlNode::as_string_list() const {
  std::vector<std::string> out;
  for (const auto& it : items()) out.push_back(it.as_string());
  return out;
}

std::string YamlNode::get_enum(const std::string& key, const std::vector<std::string>& choices) const {
  YamlNode n = at(key);
  std::string v = n.as_string();
  for (const auto& c : choices) {
    if (c == v) return v;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  n.fail("expected one of {" + list + "}, got '" + v + "'");
}

double YamlNode::get_positive(const std::string& key) const {
  YamlNode n = at(key);
  double v = n.as_double();
  if (!(v > 0)) n.fail("expected a number > 0, got " + n.raw().Scalar());
  return v;
}

double YamlNode::get_nonnegative(const std::string& key) const {
  YamlNode n = at(key);
  double v = n.as_double();
  if (v < 0) n.fail("expected a number >= 0, got " + n.raw().Scalar());
  return v;
}

int64_t YamlNode::get_positive_int(const std::string& key, int64_t max) const {
  YamlNode n = at(key);
  int64_t v = n.as_int();
  if (v <= 0) n.fail("expected an integer > 0, got " + n.raw().Scalar());
  if (v > max) n.fail("expected at most " + std::to_string(max) + ", got " + n.raw().Scalar());
  return v;
}

int64_t YamlNode::get_nonnegative_int(const std::string& key) const {
  YamlNode n = at(key);
  int64_t v = n.as_int();
  if (v < 0) n.fail("expected an integer >= 0, got " + n.raw().Scalar());
  return v;
}

void YamlNode::expect_keys(const std::vector<std::string>& required, const std::vector<std::string>& optional) const {
  expect_map();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = it->first.Scalar();
    bool known = false;
    for (const auto& r : required) known = known || r == k;
    for (const auto& o : optional) known = known || o == k;
    if (!known) {
      std::string list;
      for (const auto& r : required) list += (list.empty() ? "" : ", ") + r;
      for (const auto& o : optional) list += (list.empty() ? "" : ", ") + o;
      YamlNode key_node = child(it->first, child_path(k));
      key_node.fail("unknown key (expected one of: " + list + ")");
    }
  }
  for (const auto& r : required) {
    if (!node_[r].IsDefined()) fail("missing required key '" + r + "'");
  }
}

}  // namespace lpusim
