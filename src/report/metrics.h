// Report metrics, declared once. Every writer iterates these tables: the JSON rows and ratios,
// ops.csv / layers.csv / dram.csv, the console and summary.md lines and tables, the sweep's result
// columns (src/sweep/), and, through the `columns` object of report.json, the Python plots and HTML
// (reports/). Adding a column is one entry in the matching table in metrics.cpp; README.md
// "Report columns" says how.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "report/report.h"

namespace lpusim {

enum class Better { Lower, Higher, None };  // which direction is better; None for identities and counts
// How a value combines over the rows (layers, steps, instances) or channels it covers:
//   Sum: adds up; Max: the peak; Derived: recomputed from summed columns (a ratio, a rate);
//   None: an identity (name, phase) or a fixed property of the design.
enum class Aggregation { Sum, Max, Derived, None };

const char* better_name(Better b);
const char* aggregation_name(Aggregation a);

// Where a column is written (bit set).
enum Where : unsigned {
  kCsv = 1,       // the table's CSV file
  kJson = 2,      // the table's JSON rows (a null value is left out of the row)
  kMarkdown = 4,  // the table in summary.md (and the console, where it has one)
  kOpsRow = 8,    // per-op rows (ops.csv, designs[].ops) ...
  kLayerRow = 16  // ... and/or per-layer rows (layers.csv, designs[].layers); row columns only
};
constexpr unsigned kRows = kOpsRow | kLayerRow;
constexpr unsigned kEverywhere = kCsv | kJson | kRows;

// One column of a table of rows. The value is JSON: a string, an integer or a float (or an object
// for a JSON-only breakdown); CSV prints integers in full and floats at `precision` significant
// digits; summary.md formats by unit (B, pJ, s: human; else 3 digits).
template <class R>
struct Column {
  std::string name;  // CSV header and JSON key
  std::string unit;  // "cycles", "s", "B", "pJ", "GB/s", "MAC", "fraction", "ns", "" (count or text)
  std::string description;
  Better better;
  Aggregation aggregation;
  unsigned where;
  std::function<nlohmann::ordered_json(const R&, const DesignReport&)> value;
  int precision = 10;      // CSV significant digits for floats
  std::string json = {};   // JSON location inside the row when not `name`: "energy_pj/compute"
  std::string title = {};  // summary.md column title (with kMarkdown)
};

using RowColumn = Column<Row>;
using UnitColumn = Column<UnitRow>;
using DramColumn = Column<DramChannelRow>;

// A design-level figure: one value per design, a line of the console / summary.md comparison, a
// `ratios` entry, a sweep result column. Values are in `unit` (s, pJ, B, ...) and print humanly.
struct DesignMetric {
  std::string name;   // identifier; the sweep's results column
  std::string label;  // console / summary.md line ("" = no line)
  std::string unit;
  std::string description;
  Better better;
  Aggregation aggregation;
  std::function<double(const DesignReport&)> value;
  // JSON pointers (relative to a `designs[]` entry) whose sum is the value; empty = not in JSON.
  std::vector<std::string> json = {};
  std::string ratio = {};  // key in the JSON `ratios` object (B / A), "" = none
  int sweep = 0;           // position among the metric columns of sweep results.csv / .jsonl (1, 2, ...; 0 = none)
  enum Show { Always, DecodeOnly, Lut, Capacity } show = Always;  // decode-only lines are left out for encoders
  std::string encoder_label = {};  // the line's label for an encoder (one pass per image), "" = `label`
};

const std::vector<RowColumn>& row_columns();
const std::vector<UnitColumn>& unit_columns();
const std::vector<DramColumn>& dram_columns();
const std::vector<DesignMetric>& design_metrics();

// How many times better the first design (value `a`) is than another (value `b`) on metric `m`: b / a
// where lower is better, a / b where higher is better; > 1 means the first is better. Empty when the
// metric has no direction or the quotient is undefined (a zero on the dividing side).
std::optional<double> advantage(const DesignMetric& m, double a, double b);

// The metric named `name`; throws std::out_of_range.
const DesignMetric& design_metric(const std::string& name);

// The `columns` object of report.json: every table's columns with unit, description, better and
// aggregation, the design metrics, and the energy classes, so the Python scripts keep no lists of
// their own.
nlohmann::ordered_json columns_json();

// Cell text for CSV (integers in full, floats at `precision` digits, strings as they are).
std::string csv_text(const nlohmann::ordered_json& v, int precision);

// Human-readable value for the console and summary.md, by unit: B, pJ, s and W scale to KiB/MiB, nJ/uJ/mJ/J,
// us/ms/s and uW/mW/W at 4 digits; ns prints "<v> ns", GB/s and mm2 4 digits and the unit, a fraction
// as a percentage; any other integral value in full with thousands separators, else `digits` digits.
std::string human_value(double v, const std::string& unit, int digits);
std::string fmt_g(double v, int precision);  // printf %.<precision>g

// Shared by the columns and the report builder.
double cycles_to_seconds(uint64_t cycles, double clock_ghz);
double row_utilization(const Row& r);                              // macs / (peak x cycles) of the op's unit(s)
double unit_utilization(const UnitRow& u, uint64_t total_cycles);  // macs / (peak x total cycles)

}  // namespace lpusim
