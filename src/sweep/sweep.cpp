#include "sweep/sweep.h"
#include "base/parse.h"
#include "config/loaders.h"

#include "spec/area.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "base/version.h"
#include "config/yaml_reader.h"
#include "report/metrics.h"
#include "spec/area.h"
#include "spec/workload.h"

namespace lpusim {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// ---- derived quantities ---------------------------------------------------------------------------

std::vector<std::string> derived_names() {
  return {"sram_kib", "peak_macs_per_cycle", "dram_bandwidth_gb_s", "clock_ghz", "compute_units", "area_mm2"};
}

std::map<std::string, double> derived_quantities(const DesignSpec& d) {
  std::map<std::string, double> q;
  q["sram_kib"] = d.weight_buffer.size_kib + d.activation_buffer.size_kib;
  double peak = 0;
  // Matrix units are the ones with an R x C array; vector lanes do not count as linear-layer MACs.
  for (const auto& u : d.units) {
    if (u.has_int("rows") && u.has_int("cols")) peak += static_cast<double>(u.i("rows") * u.i("cols"));
  }
  q["peak_macs_per_cycle"] = peak;
  q["dram_bandwidth_gb_s"] = static_cast<double>(d.dram.channels) * d.dram.peak_gb_s_per_channel();
  q["clock_ghz"] = d.clock_ghz;
  q["compute_units"] = static_cast<double>(d.units.size());
  q["area_mm2"] = design_area(d).total_mm2();  // spec/area.h
  return q;
}

// ---- helpers -------------------------------------------------------------------------------------

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whole files go through a temporary sibling; rows are appended and fsync'd (base/atomic_output.h).
void write_atomic(const std::string& path, const std::string& text) { write_file_atomic(path, text); }
void append_sync(const std::string& path, const std::string& text) { append_file_synced(path, text); }

std::string abs_from(const std::string& base_dir, const std::string& p) {
  fs::path q(p);
  if (q.is_relative()) q = fs::path(base_dir) / q;
  return q.lexically_normal().string();
}

// A YAML scalar as JSON: integers and numbers stay numbers, true/false booleans, else a string.
json scalar_json(const std::string& s) {
  if (s == "true") return true;
  if (s == "false") return false;
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used, 10);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return s;
}

std::string pad(size_t i, size_t width) {
  std::string s = std::to_string(i);
  while (s.size() < width) s = "0" + s;
  return s;
}

// Follows a dotted key path in a design YAML tree; nullptr-like (undefined) when absent.
YAML::Node find_path(const YAML::Node& root, const std::string& path) {
  YAML::Node cur = root;
  for (const auto& seg : split(path, '.')) {
    if (!cur.IsMap() || !cur[seg].IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    cur.reset(cur[seg]);
  }
  return cur;
}

std::string list_keys(const YAML::Node& m) {
  std::string s;
  if (!m.IsMap()) return s;
  for (auto it = m.begin(); it != m.end(); ++it) s += (s.empty() ? "" : ", ") + it->first.Scalar();
  return s;
}

}  // namespace

// ---- sweep file --------------------------------------------------------------------------------

SweepSpec SweepSpec::load(const std::string& path) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"name", "base_design", "baseline_design", "workloads", "mode", "parameters"},
                   {"scenario", "samples", "seed", "constraints"});
  SweepSpec s;
  s.file = path;
  s.text = read_text(path);
  const std::string dir = fs::path(path).parent_path().string().empty() ? "." : fs::path(path).parent_path().string();
  s.name = root.get_string("name");
  auto existing = [&](const std::string& key, const YamlNode& n) {
    std::string p = abs_from(dir, n.as_string());
    std::error_code ec;  // a name too long for the file system is a bad path too, not an internal error
    if (!fs::is_regular_file(p, ec)) n.fail("no such file '" + p + "'" + (ec ? " (" + ec.message() + ")" : ""));
    (void)key;
    return p;
  };
  s.base_design = existing("base_design", root.at("base_design"));
  s.baseline_design = existing("baseline_design", root.at("baseline_design"));
  // Both designs must load on their own before any variant is built.
  load_design(s.base_design);
  load_design(s.baseline_design);
  std::set<std::string> wl_names;
  for (const YamlNode& w : root.at("workloads").items()) {
    s.workloads.push_back(existing("workloads", w));
    std::string name = load_workload(s.workloads.back()).name;
    if (!wl_names.insert(name).second) w.fail("two workloads are named '" + name + "'");
  }
  if (s.workloads.empty()) root.at("workloads").fail("expected at least one workload file");
  if (root.has("scenario")) {
    YamlNode sc = root.at("scenario");
    sc.expect_keys({}, {"batch", "prompt_tokens", "generated_tokens"});
    for (const char* k : {"batch", "prompt_tokens", "generated_tokens"}) {
      if (sc.has(k)) s.scenario[k] = sc.get_positive_int(k);
    }
  }
  s.mode = root.get_enum("mode", {"cartesian", "zip", "random"});
  if (s.mode == "random") {
    s.samples = static_cast<uint64_t>(root.get_positive_int("samples"));
    s.seed = static_cast<uint64_t>(root.get_nonnegative_int("seed"));
  } else {
    for (const char* k : {"samples", "seed"}) {
      if (root.has(k)) root.at(k).fail(std::string("only used with mode: random (this sweep is ") + s.mode + ")");
    }
  }

  YAML::Node base = YAML::LoadFile(s.base_design);
  YamlNode params = root.at("parameters");
  params.expect_map();
  for (const auto& key : params.keys()) {
    YamlNode v = params.at(key);
    SweepParam p;
    p.path = key;
    p.where = v.where();
    YAML::Node leaf = find_path(base, key);
    if (!leaf.IsDefined()) {
      // Name the deepest existing parent and what it holds, so a typo is easy to fix.
      std::string parent_path;
      YAML::Node parent = base;
      for (const auto& seg : split(key, '.')) {
        if (!parent.IsMap() || !parent[seg].IsDefined()) break;
        parent.reset(parent[seg]);
        parent_path += (parent_path.empty() ? "" : ".") + seg;
      }
      v.fail("no such key in the base design " + s.base_design + " (" +
             (parent_path.empty() ? std::string("top level") : parent_path) + " has: " + list_keys(parent) + ")");
    }
    if (!leaf.IsScalar()) v.fail("the base design's value at this key path is not a scalar; only scalars can be swept");
    for (const YamlNode& item : v.items()) {
      if (!item.raw().IsScalar()) item.fail("expected a scalar value");
      p.values.push_back(item.raw().Scalar());
    }
    if (p.values.empty()) v.fail("expected a non-empty list of values");
    s.params.push_back(std::move(p));
  }
  if (s.params.empty()) params.fail("expected at least one parameter to vary");
  if (s.mode == "zip") {
    for (const auto& p : s.params) {
      if (p.values.size() != s.params[0].values.size()) {
        throw ConfigError(p.where + ": parameters." + p.path + ": mode zip needs lists of equal length (" +
                          s.params[0].path + " has " + std::to_string(s.params[0].values.size()) + ", this has " +
                          std::to_string(p.values.size()) + ")");
      }
    }
  }

  if (root.has("constraints")) {
    const std::vector<std::string> dn = derived_names();
    for (const YamlNode& c : root.at("constraints").items()) {
      SweepConstraint sc{Expr::parse(c.as_string(), c.where() + ": " + c.path()), c.where()};
      for (const auto& n : sc.expr.names()) {
        if (std::find(dn.begin(), dn.end(), n) != dn.end()) continue;
        YAML::Node leaf = find_path(base, n);
        if (!leaf.IsDefined() || !leaf.IsScalar()) {
          std::string list;
          for (const auto& d : dn) list += (list.empty() ? "" : ", ") + d;
          c.fail("unknown name '" + n + "' (expected a derived quantity {" + list +
                 "} or a key path to a number in the base design)");
        }
      }
      s.constraints.push_back(std::move(sc));
    }
  }
  return s;
}

// ---- expansion -----------------------------------------------------------------------------------

namespace {

// Value combinations (indices into each parameter's list) in the sweep's order.
std::vector<std::vector<size_t>> combinations(const SweepSpec& s) {
  std::vector<std::vector<size_t>> out;
  const size_t np = s.params.size();
  if (s.mode == "zip") {
    for (size_t i = 0; i < s.params[0].values.size(); ++i) out.push_back(std::vector<size_t>(np, i));
    return out;
  }
  // Mixed-radix count; the last parameter varies fastest.
  uint64_t space = 1;
  for (const auto& p : s.params) {
    if (space > (uint64_t{1} << 40) / p.values.size()) {
      if (s.mode == "cartesian") throw ConfigError(s.file + ": parameters: the cartesian product is too large");
      space = uint64_t{1} << 40;
    } else {
      space *= p.values.size();
    }
  }
  auto decode = [&](uint64_t idx) {
    std::vector<size_t> c(np);
    for (size_t k = np; k-- > 0;) {
      c[k] = static_cast<size_t>(idx % s.params[k].values.size());
      idx /= s.params[k].values.size();
    }
    return c;
  };
  if (s.mode == "cartesian") {
    for (uint64_t i = 0; i < space; ++i) out.push_back(decode(i));
    return out;
  }
  // random: distinct draws from the space with a fixed generator (mt19937_64 is specified by the
  // standard; the modulo keeps the draw independent of library distribution code).
  if (s.samples > space) {
    throw ConfigError(s.file + ": samples: " + std::to_string(s.samples) +
                      " distinct samples asked for, but the space has only " + std::to_string(space) + " points");
  }
  std::mt19937_64 rng(s.seed);
  std::set<uint64_t> seen;
  while (out.size() < s.samples) {
    uint64_t idx = rng() % space;
    if (seen.insert(idx).second) out.push_back(decode(idx));
  }
  return out;
}

// Copies the tables a design refers to by name (../tech/*.yaml, ../dram/*.yaml) into out_dir/<sub>,
// so the written designs load from out_dir/designs exactly as the originals did.
void copy_config_dir(const std::string& design_path, const std::string& out_dir, const std::string& sub) {
  fs::path tech = fs::path(design_path).parent_path() / ".." / sub;
  fs::create_directories(fs::path(out_dir) / sub);
  if (!fs::is_directory(tech)) return;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(tech)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    fs::path dst = fs::path(out_dir) / sub / f.filename();
    const std::string text = read_text(f.string());
    if (fs::exists(dst)) {
      if (read_text(dst.string()) != text) {
        throw ConfigError(f.string() + ": differs from " + dst.string() + " (base and baseline designs use different " +
                          sub + " tables of the same name)");
      }
      continue;
    }
    write_atomic(dst.string(), text);
  }
}

std::string emit(const YAML::Node& n, const std::string& header) {
  YAML::Emitter e;
  e << n;
  return header + e.c_str() + "\n";
}

}  // namespace

Expansion expand(const SweepSpec& s, const std::string& out_dir) {
  Expansion ex;
  fs::create_directories(fs::path(out_dir) / "designs");
  for (const char* sub : {"tech", "dram"}) {
    copy_config_dir(s.base_design, out_dir, sub);
    copy_config_dir(s.baseline_design, out_dir, sub);
  }
  const YAML::Node base = YAML::LoadFile(s.base_design);
  const std::string baseline_file = "designs/baseline.yaml";
  write_atomic(out_dir + "/" + baseline_file,
               emit(YAML::LoadFile(s.baseline_design),
                    "# sweep " + s.name + ": baseline design, from " + s.baseline_design + "\n"));
  const DesignSpec baseline = load_design(out_dir + "/" + baseline_file);

  struct Variant {
    size_t index;
    std::string file;
    std::vector<std::string> values;
    std::map<std::string, double> derived;
  };
  std::vector<Variant> kept;
  const auto combos = combinations(s);
  ex.design_points = combos.size();
  const size_t width = std::max<size_t>(4, std::to_string(combos.size()).size());
  for (size_t vi = 0; vi < combos.size(); ++vi) {
    Variant v;
    v.index = vi;
    YAML::Node d = YAML::Clone(base);
    std::string label;
    for (size_t k = 0; k < s.params.size(); ++k) {
      const std::string& val = s.params[k].values[combos[vi][k]];
      v.values.push_back(val);
      set_key(d, s.params[k].path, YAML::Node(val));  // the -p setter (config/yaml_reader.h); the key exists
      label += (label.empty() ? "" : ", ") + s.params[k].path + "=" + val;
    }
    const std::string id = "d" + pad(vi, width);
    v.file = "designs/" + id + ".yaml";
    const std::string path = out_dir + "/" + v.file;
    write_atomic(path,
                 emit(d, "# sweep " + s.name + ": variant " + id + " of " + s.base_design + " (" + label + ")\n"));
    DesignSpec spec;
    try {
      spec = load_design(path);
    } catch (const ConfigError& e) {
      throw ConfigError(s.params[0].where + ": parameters: variant " + id + " (" + label +
                        ") is not a valid design: " + e.what());
    }
    v.derived = derived_quantities(spec);
    // Constraint names: derived quantities first, then numeric key paths of this variant.
    auto lookup = [&](const std::string& n) -> double {
      auto it = v.derived.find(n);
      if (it != v.derived.end()) return it->second;
      YAML::Node leaf = find_path(d, n);
      const std::string sv = leaf.IsDefined() && leaf.IsScalar() ? leaf.Scalar() : "";
      json j = scalar_json(sv);
      if (j.is_number()) return j.get<double>();
      if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
      throw ConfigError("constraint name '" + n + "' is '" + sv + "' in variant " + id + ", not a number");
    };
    std::string why;
    for (const auto& c : s.constraints) {
      double r = 0;
      try {
        r = c.expr.eval(lookup);
      } catch (const ConfigError& e) {
        throw ConfigError(c.where + ": constraints: " + e.what());
      }
      if (r == 0) {
        std::string vals;
        for (const auto& n : c.expr.names()) {
          std::ostringstream os;
          os << lookup(n);
          vals += (vals.empty() ? "" : ", ") + n + "=" + os.str();
        }
        why = id + ": fails '" + c.expr.text() + "' (" + vals + ")";
        break;
      }
    }
    if (!why.empty()) {
      ex.dropped++;
      ex.dropped_reasons.push_back(why);
      fs::remove(path);  // a dropped variant leaves no design behind
      continue;
    }
    kept.push_back(std::move(v));
  }

  // Point order: per workload, the baseline first, then the kept variants in index order.
  const auto baseline_derived = derived_quantities(baseline);
  for (const auto& wpath : s.workloads) {
    const std::string wname = load_workload(wpath).name;
    SweepPoint b;
    b.id = "baseline-" + wname;
    b.baseline = true;
    b.design_file = baseline_file;
    b.workload_file = wpath;
    b.workload_name = wname;
    b.derived = baseline_derived;
    ex.points.push_back(b);
    for (const auto& v : kept) {
      SweepPoint p;
      p.id = "d" + pad(v.index, width) + "-" + wname;
      p.design_index = v.index;
      p.design_file = v.file;
      p.workload_file = wpath;
      p.workload_name = wname;
      p.values = v.values;
      p.derived = v.derived;
      ex.points.push_back(p);
    }
  }
  for (size_t i = 0; i < ex.points.size(); ++i) ex.points[i].index = i;
  return ex;
}

void validate_expansion(const SweepSpec& s) {
  std::error_code ec;
  const fs::path scratch = fs::temp_directory_path(ec) / ("lpusim-sweep-check." + std::to_string(::getpid()));
  fs::remove_all(scratch, ec);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{scratch};
  try {
    expand(s, scratch.string());
  } catch (const ConfigError& e) {
    // Name a generated design as the sweep folder does (designs/d0001.yaml), not by the scratch folder.
    std::string msg = e.what();
    const std::string prefix = scratch.string() + "/";
    for (size_t at = msg.find(prefix); at != std::string::npos; at = msg.find(prefix)) msg.erase(at, prefix.size());
    throw ConfigError(msg);
  }
}

std::vector<SweepPoint> shard(const std::vector<SweepPoint>& pts, size_t i, size_t n) {
  std::vector<SweepPoint> out;
  for (const auto& p : pts) {
    if (p.index % n == i - 1) out.push_back(p);
  }
  return out;
}

// ---- results rows --------------------------------------------------------------------------------

namespace {

// The report metrics that are result columns (DesignMetric::sweep), in their column order.
std::vector<const DesignMetric*> sweep_metrics() {
  std::vector<const DesignMetric*> out;
  for (const auto& m : design_metrics()) {
    if (m.sweep > 0) out.push_back(&m);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DesignMetric* a, const DesignMetric* b) { return a->sweep < b->sweep; });
  return out;
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") != std::string::npos) {
    std::string q = "\"";
    for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
    return q + "\"";
  }
  return s;
}

// A metric's value in a point's report.json: its JSON location, or the sum of its locations (integers
// stay integers).
json metrics_from_report(const std::string& report_path) {
  json r = json::parse(read_text(report_path));
  const json& d = r.at("designs").at(0);
  json m;
  for (const DesignMetric* x : sweep_metrics()) {
    json v;
    for (const auto& path : x->json) {
      const json& p = d.at(json::json_pointer("/" + path));
      if (v.is_null())
        v = p;
      else if (v.is_number_unsigned() && p.is_number_unsigned())
        v = v.get<uint64_t>() + p.get<uint64_t>();
      else
        v = v.get<double>() + p.get<double>();
    }
    m[x->name] = v;
  }
  return m;
}

json make_row(const SweepSpec& s, const SweepPoint& p, const json& status, const std::string& point_dir) {
  json row;
  row["point"] = p.id;
  row["index"] = p.index;
  row["kind"] = p.baseline ? "baseline" : "variant";
  row["workload"] = p.workload_name;
  row["design_file"] = p.design_file;
  row["results_dir"] = "points/" + p.id;
  for (size_t k = 0; k < s.params.size(); ++k) {
    row[s.params[k].path] = p.baseline ? json(nullptr) : scalar_json(p.values[k]);
  }
  for (const auto& n : derived_names()) {
    auto it = p.derived.find(n);
    if (it == p.derived.end()) continue;
    // Integral quantities (KiB, MACs/cycle, unit counts) print as integers.
    const double v = it->second;
    if (std::floor(v) == v && std::fabs(v) < 9e15)
      row[n] = static_cast<int64_t>(v);
    else
      row[n] = v;
  }
  row["status"] = status.at("status");
  row["attempts"] = status.at("attempts");
  const bool ok = status.at("status") == "ok";
  json m = ok ? metrics_from_report(point_dir + "/report.json") : json::object();
  for (const DesignMetric* c : sweep_metrics()) row[c->name] = ok ? m.at(c->name) : json(nullptr);
  row["error"] = ok ? json("") : status.at("error");
  return row;
}

}  // namespace

std::vector<std::string> result_columns(const SweepSpec& s) {
  std::vector<std::string> cols = {"point", "index", "kind", "workload", "design_file", "results_dir"};
  for (const auto& p : s.params) cols.push_back(p.path);
  for (const auto& n : derived_names()) cols.push_back(n);
  cols.push_back("status");
  cols.push_back("attempts");
  for (const DesignMetric* c : sweep_metrics()) cols.push_back(c->name);
  cols.push_back("error");
  return cols;
}

std::string csv_line(const std::vector<std::string>& cols, const std::string& jsonl_row) {
  json r = json::parse(jsonl_row);
  std::string line;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) line += ",";
    line += r.contains(cols[i]) ? csv_cell(r.at(cols[i])) : "";
  }
  return line;
}

// ---- Pareto front, summary.md, sweep.json --------------------------------------------------------

std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& pts) {
  std::vector<size_t> order(pts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts[a] < pts[b]; });
  std::vector<size_t> front;
  for (size_t i : order) {
    // Sorted by x then y: a point is on the front if its y beats every earlier y, or it repeats
    // the last front point exactly (neither dominates the other).
    if (front.empty() || pts[i].second < pts[front.back()].second || pts[i] == pts[front.back()]) front.push_back(i);
  }
  return front;
}

namespace {

std::string num(double v, int prec = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", prec, v);
  return buf;
}

// summary.md from the rows: per workload, the baseline, then every variant with its values, time
// and energy per token and both as a ratio to the baseline; Pareto-front points marked.
std::string summary_md(const std::string& name, const std::vector<std::string>& param_cols,
                       const std::vector<json>& rows) {
  std::ostringstream os;
  size_t ok = 0;
  for (const auto& r : rows) ok += r.at("status") == "ok";
  os << "# Sweep " << name << "\n\n"
     << rows.size() << " points, " << ok << " ok, " << rows.size() - ok
     << " failed. **front** = on the Pareto front of (time per output token, energy per generated token), "
        "both minimised, among the variants of that workload. Ratios are variant / baseline.\n";
  std::vector<std::string> workloads;
  for (const auto& r : rows) {
    const std::string w = r.at("workload");
    if (std::find(workloads.begin(), workloads.end(), w) == workloads.end()) workloads.push_back(w);
  }
  for (const auto& w : workloads) {
    const json* base = nullptr;
    std::vector<const json*> vars;
    for (const auto& r : rows) {
      if (r.at("workload") != w) continue;
      if (r.at("kind") == "baseline")
        base = &r;
      else
        vars.push_back(&r);
    }
    std::vector<std::pair<double, double>> pts;
    std::vector<size_t> ok_idx;
    for (size_t i = 0; i < vars.size(); ++i) {
      if (vars[i]->at("status") != "ok") continue;
      pts.push_back({vars[i]->at("time_per_output_token_s").get<double>(),
                     vars[i]->at("energy_per_generated_token_pj").get<double>()});
      ok_idx.push_back(i);
    }
    std::set<size_t> front;
    for (size_t f : pareto_front(pts)) front.insert(ok_idx[f]);
    os << "\n## " << w << "\n\n| point |";
    for (const auto& c : param_cols) os << " " << c << " |";
    os << " status | ms / token | mJ / token | time / baseline | energy / baseline | front |\n|---|";
    for (size_t i = 0; i < param_cols.size(); ++i) os << "---:|";
    os << "---|---:|---:|---:|---:|---|\n";
    auto line = [&](const json& r, bool on_front) {
      os << "| " << r.at("point").get<std::string>() << " |";
      for (const auto& c : param_cols) {
        const json& v = r.at(c);
        os << " " << (v.is_null() ? std::string("-") : v.is_string() ? v.get<std::string>() : v.dump()) << " |";
      }
      if (r.at("status") != "ok") {
        os << " failed: " << r.at("error").get<std::string>() << " | | | | | |\n";
        return;
      }
      const double t = r.at("time_per_output_token_s"), e = r.at("energy_per_generated_token_pj");
      os << " ok | " << num(t * 1e3) << " | " << num(e * 1e-9) << " | ";
      const bool b_ok = base && base->at("status") == "ok";
      if (b_ok && base->at("time_per_output_token_s").get<double>() > 0)
        os << num(t / base->at("time_per_output_token_s").get<double>()) << "x";
      os << " | ";
      if (b_ok && base->at("energy_per_generated_token_pj").get<double>() > 0)
        os << num(e / base->at("energy_per_generated_token_pj").get<double>()) << "x";
      os << " | " << (on_front ? "**front**" : "") << " |\n";
    };
    if (base) line(*base, false);
    for (size_t i = 0; i < vars.size(); ++i) line(*vars[i], front.count(i) != 0);
  }
  return os.str();
}

std::vector<json> parse_rows(const std::vector<std::string>& lines) {
  std::vector<json> out;
  for (const auto& l : lines) out.push_back(json::parse(l));
  return out;
}

// The columns that are sweep parameters: between results_dir and the first derived quantity.
std::vector<std::string> param_columns(const std::vector<std::string>& cols) {
  std::vector<std::string> out;
  const auto dn = derived_names();
  bool in = false;
  for (const auto& c : cols) {
    if (c == "results_dir") {
      in = true;
      continue;
    }
    if (in && std::find(dn.begin(), dn.end(), c) != dn.end()) break;
    if (in) out.push_back(c);
  }
  return out;
}

std::string sweep_json(const SweepSpec& s, const Expansion& ex, const std::vector<std::string>& cols) {
  json j;
  j["schema_version"] = kSweepSchemaVersion;
  j["lpusim_version"] = kLpusimVersion;
  j["name"] = s.name;
  j["mode"] = s.mode;
  json params = json::array();
  for (const auto& p : s.params) {
    json pj;
    pj["path"] = p.path;
    json vals = json::array();
    for (const auto& v : p.values) vals.push_back(scalar_json(v));
    pj["values"] = vals;
    params.push_back(pj);
  }
  j["parameters"] = params;
  json cons = json::array();
  for (const auto& c : s.constraints) cons.push_back(c.expr.text());
  j["constraints"] = cons;
  j["variants"] = ex.design_points;
  j["dropped"] = ex.dropped_reasons;
  j["points"] = ex.points.size();
  j["columns"] = cols;
  // What the metric columns mean (report.json `columns.metrics`), for reports/plot.py.
  json metrics = json::array();
  for (const DesignMetric* m : sweep_metrics()) {
    metrics.push_back({{"name", m->name},
                       {"unit", m->unit},
                       {"description", m->description},
                       {"better", better_name(m->better)},
                       {"aggregation", aggregation_name(m->aggregation)}});
  }
  j["metrics"] = metrics;
  j["energy_classes"] = columns_json().at("energy_classes");
  return j.dump(2) + "\n";
}

}  // namespace

// ---- running -------------------------------------------------------------------------------------

namespace {

std::string csv_header(const std::vector<std::string>& cols) {
  std::string h;
  for (size_t i = 0; i < cols.size(); ++i) h += (i ? "," : "") + csv_cell(json(cols[i]));
  return h + "\n";
}

// Complete lines of a JSON-lines file; a torn last line (killed mid-write) is dropped.
std::vector<std::string> complete_lines(const std::string& path) {
  std::vector<std::string> out;
  if (!fs::exists(path)) return out;
  const std::string text = read_text(path);
  size_t start = 0;
  for (;;) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    std::string line = text.substr(start, nl - start);
    try {
      const json parsed = json::parse(line);
      if (!parsed.is_object()) break;
      out.push_back(line);
    } catch (const std::exception&) {
      break;  // a damaged line ends what can be trusted
    }
    start = nl + 1;
  }
  return out;
}

size_t cores_available() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<size_t>(n) : 1;
}

std::string last_line(const std::string& text) {
  std::vector<std::string> lines = split(text, '\n');
  for (size_t i = lines.size(); i-- > 0;) {
    if (!lines[i].empty()) return lines[i];
  }
  return "";
}

std::string fmt_duration(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
  return buf;
}

// The log files of a running point, beside its folder (the point's own output folder appears only
// when its run succeeds: base/atomic_output.h); moved into the folder when the point ends.
std::string log_path(const std::string& pdir, const char* which) {
  const fs::path p(pdir);
  return (p.parent_path() / (p.filename().string() + "." + which + ".txt")).string();
}

// Starts `lpusim run` for one point in process group `pgid` (0: a new group led by the point).
// The child holds `lock_fd` (the point's lock) until it exits, and dies with the parent
// (PR_SET_PDEATHSIG), so no point outlives its sweep.
pid_t spawn_point(const SweepSpec& s, const SweepOptions& o, const SweepPoint& p, const std::string& pdir, pid_t pgid,
                  int lock_fd) {
  std::vector<std::string> args = {o.lpusim_binary, "run", o.out_dir + "/" + p.design_file,
                                   p.workload_file, "-o",  pdir};
  for (const auto& kv : s.scenario) {
    args.push_back(kv.first == "batch"           ? "--batch"
                   : kv.first == "prompt_tokens" ? "--prompt-tokens"
                                                 : "--generated-tokens");
    args.push_back(std::to_string(kv.second));
  }
  const std::string out = log_path(pdir, "stdout"), err = log_path(pdir, "stderr");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, pgid);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);  // the sweep died before the line above
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int flags = ::fcntl(lock_fd, F_GETFD);
    if (flags >= 0) ::fcntl(lock_fd, F_SETFD, flags & ~FD_CLOEXEC);  // the lock lives as long as the run
    int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo >= 0) ::dup2(fo, 1);
    if (fe >= 0) ::dup2(fe, 2);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "cannot execute %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  ::setpgid(pid, pgid ? pgid : pid);  // also in the parent: no window where the child is outside the group
  return pid;
}

// SIGINT / SIGTERM while points run: end the points' process group, then the sweep.
volatile sig_atomic_t g_stop_signal = 0;
volatile pid_t g_point_group = 0;

extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
  if (g_point_group > 0) ::kill(-g_point_group, SIGTERM);
}

}  // namespace

namespace {

// Status of a finished point (points/<id>/status.json): {status, attempts[, error]}.
json finished_status(bool ok, int attempts, int wstatus, const std::string& pdir) {
  json st;
  st["status"] = ok ? "ok" : "failed";
  st["attempts"] = attempts;
  if (ok) return st;
  std::string err = fs::exists(pdir + "/stderr.txt") ? last_line(read_text(pdir + "/stderr.txt")) : "";
  if (WIFSIGNALED(wstatus)) {
    err = "killed by signal " + std::to_string(WTERMSIG(wstatus)) + (err.empty() ? "" : ": " + err);
  } else if (err.empty()) {
    err = "exit code " + std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
  }
  st["error"] = err;
  return st;
}

// One sweep run in one folder: claims the folder, resumes what is there, runs the rest N at a
// time, and appends rows in point order.
class SweepRunner {
 public:
  SweepRunner(const SweepSpec& s, const SweepOptions& o)
      : s_(s),
        o_(o),
        dir_(o.out_dir),
        jsonl_(dir_ + "/results.jsonl"),
        csv_(dir_ + "/results.csv"),
        cols_(result_columns(s)) {}
  ~SweepRunner() {
    end_points();  // an error (or exception) while points run: none outlives the sweep
    if (folder_lock_ >= 0) ::close(folder_lock_);
  }

  SweepSummary run() {
    validate_expansion(s_);  // a sweep rejected during expansion leaves the folder untouched
    claim_folder();
    write_expansion();
    resume_rows();
    std::deque<size_t> todo = pending_points();
    // A point still being run by an earlier sweep's process (its lock held) stops this one before
    // anything starts.
    for (size_t i : todo) ::close(lock_point(pts_[i]));
    flush_rows();
    run_points(todo);
    flush_rows();
    if (o_.progress_tty) std::fprintf(stderr, "\n");
    write_atomic(dir_ + "/summary.md", summary_md(s_.name, param_columns(cols_), parse_rows(complete_lines(jsonl_))));
    return sum_;
  }

 private:
  // A results folder belongs to one sweep file and one shard.
  void claim_folder() {
    fs::create_directories(dir_);
    // One sweep process per folder at a time (released when this process ends, however it ends).
    folder_lock_ = ::open((dir_ + "/sweep.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (folder_lock_ < 0) throw ConfigError(dir_ + "/sweep.lock: cannot open: " + std::strerror(errno));
    if (::flock(folder_lock_, LOCK_EX | LOCK_NB) != 0) {
      throw ConfigError(dir_ + ": another lpusim sweep is running in this folder (sweep.lock is held)");
    }
    const std::string sweep_copy = dir_ + "/sweep.yaml";
    const std::string shard_tag = std::to_string(o_.shard_i) + "/" + std::to_string(o_.shard_n) + "\n";
    if (fs::exists(sweep_copy) && read_text(sweep_copy) != s_.text) {
      throw ConfigError(dir_ + ": holds results of a different sweep file (" + sweep_copy + " differs from " + s_.file +
                        "); use another -o folder");
    }
    if (fs::exists(dir_ + "/shard") && read_text(dir_ + "/shard") != shard_tag) {
      throw ConfigError(dir_ + ": holds shard " + last_line(read_text(dir_ + "/shard")) + ", not " +
                        last_line(shard_tag));
    }
    write_atomic(sweep_copy, s_.text);
    write_atomic(dir_ + "/shard", shard_tag);
  }

  void write_expansion() {
    Expansion ex = expand(s_, dir_);
    std::string ids, dropped;
    for (const auto& p : ex.points) ids += p.id + "\n";
    for (const auto& r : ex.dropped_reasons) dropped += r + "\n";
    write_atomic(dir_ + "/points.txt", ids);
    write_atomic(dir_ + "/dropped.txt", dropped);
    write_atomic(dir_ + "/sweep.json", sweep_json(s_, ex, cols_));
    pts_ = shard(ex.points, o_.shard_i, o_.shard_n);
    sum_.total = pts_.size();
  }

  // Keeps the complete rows already written (they must be this shard's first points) and
  // rebuilds both files from them, dropping a torn tail; afterwards they are only appended to.
  void resume_rows() {
    const std::vector<std::string> rows = complete_lines(jsonl_);
    if (rows.size() > pts_.size()) throw ConfigError(jsonl_ + ": has more rows than this sweep has points");
    std::string jtext, ctext = csv_header(cols_);
    for (size_t i = 0; i < rows.size(); ++i) {
      const json r = json::parse(rows[i]);
      if (r.value("point", "") != pts_[i].id) {
        throw ConfigError(jsonl_ + ": row " + std::to_string(i + 1) + " is not point " + pts_[i].id + " of this sweep");
      }
      (r.at("status") == "ok" ? sum_.ok : sum_.failed)++;
      jtext += rows[i] + "\n";
      ctext += csv_line(cols_, rows[i]) + "\n";
    }
    write_atomic(jsonl_, jtext);
    write_atomic(csv_, ctext);
    next_row_ = rows.size();
  }

  // Points without a row: those with a status finished before a kill (row not yet written);
  // the rest must run.
  // A point recorded ok whose files are damaged or incomplete (no completion marker, a file cut
  // short: base/atomic_output.h) runs again; so does a point without a status. A point with a
  // row whose folder is damaged is repaired: it runs again, its row stays.
  std::deque<size_t> pending_points() {
    std::deque<size_t> todo;
    for (size_t i = 0; i < pts_.size(); ++i) {
      json st = status_of(pts_[i]);
      if (!st.is_null() && st.value("status", "") == "ok" && !verify_output_dir(pdir_of(pts_[i])).empty()) {
        fs::remove(pdir_of(pts_[i]) + "/status.json");
        st = json(nullptr);
      }
      if (i < next_row_) {
        if (st.is_null()) {
          repair_.insert(i);
          todo.push_back(i);
        }
        continue;
      }
      if (st.is_null()) {
        todo.push_back(i);
      } else {
        ++sum_.resumed;
        (st.at("status") == "ok" ? sum_.ok : sum_.failed)++;
      }
    }
    return todo;
  }

  // Locks a point for its run; the lock passes to the child (spawn_point). A point whose lock is
  // held is still being run by a process of an earlier sweep: it is never started beside it.
  int lock_point(const SweepPoint& p) {
    const std::string f = dir_ + "/points/" + p.id + ".lock";
    fs::create_directories(dir_ + "/points");
    const int fd = ::open(f.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw ConfigError(f + ": cannot open: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      throw ConfigError(pdir_of(p) + ": still being run by another process (" + f +
                        " is held); wait for it to end or end it, then resume");
    }
    return fd;
  }

  // Ends every running point (their process group) and reaps them.
  void end_points() {
    if (running_.empty()) return;
    if (pgid_ > 0) ::kill(-pgid_, SIGKILL);
    for (const auto& kv : running_) ::kill(kv.first, SIGKILL);
    for (const auto& kv : running_) {
      int ws = 0;
      while (::waitpid(kv.first, &ws, 0) < 0 && errno == EINTR) {
      }
    }
    running_.clear();
    pgid_ = 0;
    g_point_group = 0;
  }

  std::string pdir_of(const SweepPoint& p) const { return dir_ + "/points/" + p.id; }

  json status_of(const SweepPoint& p) const {
    const std::string f = pdir_of(p) + "/status.json";
    if (!fs::exists(f)) return json(nullptr);
    try {
      return json::parse(read_text(f));
    } catch (const std::exception&) {
      return json(nullptr);  // torn by a kill: the point runs again
    }
  }

  // Appends rows, in point order, for every finished point at the head of the order.
  void flush_rows() {
    while (next_row_ < pts_.size()) {
      const json st = status_of(pts_[next_row_]);
      if (st.is_null()) break;
      const std::string line = make_row(s_, pts_[next_row_], st, pdir_of(pts_[next_row_])).dump();
      append_sync(jsonl_, line + "\n");
      append_sync(csv_, csv_line(cols_, line) + "\n");
      ++next_row_;
    }
  }

  void progress(const std::string& what) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const size_t done = sum_.ok + sum_.failed;
    const std::string eta = sum_.ran ? fmt_duration(el / sum_.ran * (to_run_ - sum_.ran)) : "?";
    if (o_.progress_tty) {
      const int w = 30;
      const int fill = sum_.total ? static_cast<int>(w * done / sum_.total) : w;
      std::fprintf(stderr, "\r[%s%s] %zu/%zu points, %zu failed, %zu running, ETA %s   ",
                   std::string(fill, '#').c_str(), std::string(w - fill, '.').c_str(), done, sum_.total, sum_.failed,
                   running_.size(), eta.c_str());
    } else if (!what.empty()) {
      std::fprintf(stderr, "sweep: [%zu/%zu] %s (%zu failed, ETA %s)\n", done, sum_.total, what.c_str(), sum_.failed,
                   eta.c_str());
    }
    std::fflush(stderr);
  }

  // Ends the points and re-raises a stop signal received while they ran.
  void stop_if_signalled() {
    const int sig = g_stop_signal;
    if (!sig) return;
    end_points();
    if (o_.progress_tty) std::fprintf(stderr, "\n");
    std::signal(sig, SIG_DFL);
    ::raise(sig);
  }

  void run_points(std::deque<size_t> todo) {
    const size_t jobs = o_.jobs ? o_.jobs : cores_available();
    std::map<size_t, int> attempts;
    t0_ = std::chrono::steady_clock::now();
    to_run_ = todo.size();
    progress("");
    struct sigaction sa {
    }, old_int{}, old_term{};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR
    g_stop_signal = 0;
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    struct Restore {
      struct sigaction i, t;
      ~Restore() {
        ::sigaction(SIGINT, &i, nullptr);
        ::sigaction(SIGTERM, &t, nullptr);
      }
    } restore{old_int, old_term};
    while (!todo.empty() || !running_.empty()) {
      stop_if_signalled();
      while (!todo.empty() && running_.size() < jobs) {
        const size_t i = todo.front();
        todo.pop_front();
        const std::string pdir = pdir_of(pts_[i]);
        const int lock = lock_point(pts_[i]);
        fs::remove_all(pdir);
        ++attempts[i];
        pid_t pid = -1;
        try {
          pid = spawn_point(s_, o_, pts_[i], pdir, pgid_, lock);
        } catch (...) {
          ::close(lock);
          throw;
        }
        ::close(lock);  // the child holds it now
        if (pgid_ == 0) pgid_ = pid;
        g_point_group = pgid_;
        running_[pid] = i;
        if (g_stop_signal) ::kill(-pgid_, SIGTERM);
      }
      int wstatus = 0;
      const pid_t pid = ::waitpid(-1, &wstatus, 0);
      if (pid < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
      }
      auto it = running_.find(pid);
      if (it == running_.end()) continue;
      const size_t i = it->second;
      running_.erase(it);
      if (running_.empty()) pgid_ = g_point_group = 0;  // the group ends with its last member
      if (g_stop_signal) continue;                      // killed by the stop: not a result
      const SweepPoint& p = pts_[i];
      const std::string pdir = pdir_of(p);
      const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 && verify_output_dir(pdir).empty();
      fs::create_directories(pdir);
      for (const char* which : {"stdout", "stderr"}) {
        std::error_code ec;
        fs::rename(log_path(pdir, which), pdir + "/" + which + ".txt", ec);
      }
      if (!ok && attempts[i] < 2) {
        todo.push_front(i);  // one retry, right away
        progress(p.id + " failed, retrying");
        continue;
      }
      const json st = finished_status(ok, attempts[i], wstatus, pdir);
      write_atomic(pdir + "/status.json", st.dump() + "\n");
      ++sum_.ran;
      if (!repair_.count(i)) (ok ? sum_.ok : sum_.failed)++;
      flush_rows();
      progress(p.id + (ok ? " ok" : " FAILED: " + st["error"].get<std::string>()));
    }
    stop_if_signalled();
  }

  const SweepSpec& s_;
  const SweepOptions& o_;
  const std::string dir_, jsonl_, csv_;
  const std::vector<std::string> cols_;
  std::vector<SweepPoint> pts_;
  SweepSummary sum_;
  size_t next_row_ = 0, to_run_ = 0;
  std::map<pid_t, size_t> running_;
  std::set<size_t> repair_;  // points with a row whose folder is rerun (resume_rows counted them)
  pid_t pgid_ = 0;           // the running points' process group
  int folder_lock_ = -1;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace

SweepSummary run_sweep(const SweepSpec& s, const SweepOptions& o) { return SweepRunner(s, o).run(); }

// ---- merge ---------------------------------------------------------------------------------------

void merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir) {
  if (dirs.empty()) throw ConfigError("usage: sweep-merge needs at least one sweep folder");
  // The merged folder is new (or an earlier merge) and never one of the inputs or inside one.
  const auto canonical = [](const std::string& p) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
    return (ec ? fs::absolute(p).lexically_normal() : c).string();
  };
  const auto within = [](const std::string& inner, const std::string& outer) {
    return inner == outer || inner.rfind(outer + "/", 0) == 0;
  };
  const std::string out_c = canonical(out_dir);
  for (const auto& d : dirs) {
    const std::string d_c = canonical(d);
    if (within(out_c, d_c)) {
      throw ConfigError("-o " + out_dir + ": is the input folder " + d +
                        " or inside it; sweep-merge never writes into its inputs");
    }
    if (within(d_c, out_c)) {
      throw ConfigError("-o " + out_dir + ": holds the input folder " + d +
                        "; sweep-merge never writes into its inputs");
    }
  }
  check_output_dir(out_dir);
  std::string text, ids_text, header;
  std::map<size_t, std::string> rows;
  std::map<size_t, std::string> from;
  for (const auto& d : dirs) {
    for (const char* f : {"sweep.yaml", "sweep.json", "points.txt", "results.jsonl", "results.csv"}) {
      if (!fs::exists(d + "/" + f)) throw ConfigError(d + ": not a sweep folder (no " + f + ")");
    }
    const std::string t = read_text(d + "/sweep.yaml"), ids = read_text(d + "/points.txt");
    const std::string h = split(read_text(d + "/results.csv"), '\n')[0];
    if (text.empty()) {
      text = t;
      ids_text = ids;
      header = h;
    } else if (t != text || ids != ids_text || h != header) {
      throw ConfigError(d + ": is from a different sweep than " + dirs[0]);
    }
    for (const auto& line : complete_lines(d + "/results.jsonl")) {
      const size_t idx = json::parse(line).at("index").get<size_t>();
      if (rows.count(idx))
        throw ConfigError(d + ": point " + json::parse(line).at("point").get<std::string>() + " is also in " +
                          from[idx]);
      rows[idx] = line;
      from[idx] = d;
    }
  }
  std::vector<std::string> ids = split(ids_text, '\n');
  if (!ids.empty() && ids.back().empty()) ids.pop_back();
  std::string missing;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!rows.count(i)) missing += (missing.empty() ? "" : ", ") + ids[i];
  }
  if (!missing.empty())
    throw ConfigError("sweep-merge: points without results (run their shard to the end): " + missing);

  OutputDir out(out_dir);  // all or nothing (base/atomic_output.h)
  const std::vector<std::string> cols = split(header, ',');
  std::string jtext, ctext = header + "\n";
  for (const auto& kv : rows) {
    jtext += kv.second + "\n";
    ctext += csv_line(cols, kv.second) + "\n";
  }
  out.write("sweep.yaml", text);
  out.write("points.txt", ids_text);
  out.write("shard", "1/1\n");
  out.write("results.jsonl", jtext);
  out.write("results.csv", ctext);
  std::vector<std::string> lines;
  for (const auto& kv : rows) lines.push_back(kv.second);
  const json meta = json::parse(read_text(dirs[0] + "/sweep.json"));
  out.write("sweep.json", read_text(dirs[0] + "/sweep.json"));
  out.write("summary.md", summary_md(meta.at("name"), param_columns(cols), parse_rows(lines)));
  // Point folders, designs and tech tables: so `lpusim report` works on the merged folder.
  for (const auto& d : dirs) {
    for (const char* sub : {"designs", "tech", "dram", "points"}) {
      if (fs::exists(d + "/" + sub)) {
        fs::copy(d + "/" + sub, out.temp_path() + "/" + sub,
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      }
    }
  }
  // Every shard writes the same dropped.txt (the expansion is the same).
  if (fs::exists(dirs.back() + "/dropped.txt")) out.write("dropped.txt", read_text(dirs.back() + "/dropped.txt"));
  out.commit();
}

}  // namespace lpusim
