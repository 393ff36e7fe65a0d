// Design-space sweeps: a sweep file (configs/sweeps/*.yaml) names a base design, a baseline
// design, workloads and parameters varied by key path into the design YAML; points are expanded
// (cartesian / zip / seeded random), filtered by constraints, and run one lpusim process each.
// Results stream, in point order, to append-only results.csv / results.jsonl. Reference:
// README.md#sweeps.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "spec/design.h"

namespace lpusim {

// ---- constraint expressions -------------------------------------------------------------------
// Grammar: or := and ('||' and)*; and := cmp ('&&' cmp)*; cmp := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?;
// sum := prod (('+'|'-') prod)*; prod := unary (('*'|'/') unary)*; unary := ('-'|'!') unary | atom;
// atom := number | name | '(' or ')'. A name is a derived quantity (see derived_quantities) or a
// dotted key path to a numeric scalar in the design YAML (units.tmac.rows). Booleans are 1 / 0.
struct ExprNode;
class Expr {
 public:
  // Parses `text`; a syntax error is a ConfigError naming `where` and the character offset.
  static Expr parse(const std::string& text, const std::string& where);
  double eval(const std::function<double(const std::string&)>& lookup) const;
  const std::vector<std::string>& names() const { return names_; }
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const ExprNode> root_;
  std::vector<std::string> names_;
  std::string text_;
};

// Derived quantities a constraint can name: sram_kib (weight + activation buffer KiB),
// peak_macs_per_cycle (sum of rows x cols over matrix units), dram_bandwidth_gb_s, clock_ghz,
// compute_units (number of compute units), and area_mm2 (spec/area.h: units, buffers, DMA, controller).
std::map<std::string, double> derived_quantities(const DesignSpec& d);
std::vector<std::string> derived_names();

// ---- sweep file ---------------------------------------------------------------------------------
struct SweepParam {
  std::string path;                 // dotted key path into the design YAML
  std::vector<std::string> values;  // YAML scalars as written (ints stay ints)
  std::string where;                // file:line:col of the key, for errors
};

struct SweepConstraint {
  Expr expr;
  std::string where;
};

struct SweepSpec {
  std::string file;
  std::string text;  // the sweep file's bytes (a results folder belongs to exactly one sweep)
  std::string name;
  std::string base_design, baseline_design;  // absolute paths
  std::vector<std::string> workloads;        // absolute paths
  std::map<std::string, int64_t> scenario;   // --batch / --prompt-tokens / --generated-tokens overrides
  std::string mode;                          // cartesian | zip | random
  uint64_t samples = 0, seed = 0;            // random mode
  std::vector<SweepParam> params;
  std::vector<SweepConstraint> constraints;

  static SweepSpec load(const std::string& path);
};

// One run: a design variant (or the baseline) on one workload.
struct SweepPoint {
  size_t index = 0;  // position in the deterministic point order
  std::string id;    // "baseline-<workload>" or "d0007-<workload>"
  bool baseline = false;
  size_t design_index = 0;
  std::string design_file;  // relative to the sweep folder: designs/<id>.yaml
  std::string workload_file;
  std::string workload_name;
  std::vector<std::string> values;        // one per SweepParam (empty for the baseline)
  std::map<std::string, double> derived;  // derived_quantities() of the design
};

struct Expansion {
  std::vector<SweepPoint> points;
  size_t design_points = 0;                  // variants before constraints
  size_t dropped = 0;                        // variants dropped by constraints
  std::vector<std::string> dropped_reasons;  // "d0003: sram_kib <= 1024 (sram_kib=2048)"
};

// Expands the sweep and writes each variant's design YAML (and the tech tables it needs) into
// out_dir/designs and out_dir/tech. Deterministic: the same file gives the same points and ids.
Expansion expand(const SweepSpec& s, const std::string& out_dir);
// Expands the sweep into a scratch folder (removed afterwards), so that a sweep rejected during
// expansion (an invalid variant, too many samples) creates and claims nothing in its -o folder.
void validate_expansion(const SweepSpec& s);

// Keeps the points of shard i (1-based) of n: point index % n == i - 1.
std::vector<SweepPoint> shard(const std::vector<SweepPoint>& pts, size_t i, size_t n);

// ---- running ------------------------------------------------------------------------------------
struct SweepOptions {
  std::string out_dir;
  size_t jobs = 0;  // 0 = cores available
  size_t shard_i = 1, shard_n = 1;
  std::string lpusim_binary;  // the executable that runs one point (normally /proc/self/exe)
  bool progress_tty = false;
};

struct SweepSummary {
  size_t total = 0, ran = 0, resumed = 0, ok = 0, failed = 0;
};

SweepSummary run_sweep(const SweepSpec& s, const SweepOptions& o);

// Combines shard folders (same sweep file) into out_dir: results in point order, point folders
// and designs copied. Missing or duplicated points are errors.
void merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir);

// Indices of the points not dominated when minimising both coordinates, sorted by (x, y); exact
// duplicates of a front point are kept. The same rule as reports/plot.py's pareto_front.
std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& pts);

// sweep.json (written with the results) follows this schema version: name, mode, parameters,
// constraints, variants, dropped, points, columns (README.md#sweeps).
constexpr int kSweepSchemaVersion = 1;

// The result columns, in order, and a row rendered as a CSV line (no newline).
std::vector<std::string> result_columns(const SweepSpec& s);
std::string csv_line(const std::vector<std::string>& cols, const std::string& jsonl_row);

}  // namespace lpusim
