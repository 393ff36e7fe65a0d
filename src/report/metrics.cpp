#include "report/metrics.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace lpusim {

using json = nlohmann::ordered_json;

// ---- formatting -----------------------------------------------------------------------------------

std::string fmt_g(double v, int precision) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, v);
  return buf;
}

namespace {

std::string human_bytes(double b) {
  const char* u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (b >= 1024 && i < 4) {
    b /= 1024;
    ++i;
  }
  return fmt_g(b, 4) + " " + u[i];
}

std::string human_time(double s) {
  if (s >= 1) return fmt_g(s, 4) + " s";
  if (s >= 1e-3) return fmt_g(s * 1e3, 4) + " ms";
  return fmt_g(s * 1e6, 4) + " us";
}

std::string human_power_w(double w) {
  if (w >= 1 || w == 0) return fmt_g(w, 4) + " W";
  if (w >= 1e-3) return fmt_g(w * 1e3, 4) + " mW";
  return fmt_g(w * 1e6, 4) + " uW";
}

// An integral value in full with thousands separators: 9530070000 -> 9,530,070,000.
std::string grouped_integer(double v) {
  const bool neg = v < 0;
  std::string digits = std::to_string(static_cast<unsigned long long>(neg ? -v : v));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (neg ? "-" : "") + out;
}

bool integral(double v) { return std::isfinite(v) && std::fabs(v) < 1e18 && v == std::floor(v); }

std::string human_energy_pj(double pj) {
  if (pj >= 1e12) return fmt_g(pj * 1e-12, 4) + " J";
  if (pj >= 1e9) return fmt_g(pj * 1e-9, 4) + " mJ";
  if (pj >= 1e6) return fmt_g(pj * 1e-6, 4) + " uJ";
  return fmt_g(pj * 1e-3, 4) + " nJ";
}

}  // namespace

std::string human_value(double v, const std::string& unit, int digits) {
  if (unit == "B") return human_bytes(v);
  if (unit == "pJ") return human_energy_pj(v);
  if (unit == "s") return human_time(v);
  if (unit == "ns") return fmt_g(v, digits) + " ns";
  if (unit == "W") return human_power_w(v);
  if (unit == "fraction") return fmt_g(v * 100, 3) + "%";
  if (unit == "GB/s" || unit == "mm2") return fmt_g(v, 4) + " " + unit;
  if (unit == "TOPS/W" || unit == "tokens/J") return fmt_g(v, 4);
  if (integral(v)) return grouped_integer(v);
  return fmt_g(v, digits);
}

std::string csv_text(const json& v, int precision) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt_g(v.get<double>(), precision);
  return v.dump();
}

const char* better_name(Better b) {
  switch (b) {
    case Better::Lower: return "lower";
    case Better::Higher: return "higher";
    default: return "none";
  }
}

const char* aggregation_name(Aggregation a) {
  switch (a) {
    case Aggregation::Sum: return "sum";
    case Aggregation::Max: return "max";
    case Aggregation::Derived: return "derived";
    default: return "none";
  }
}

double cycles_to_seconds(uint64_t cycles, double clock_ghz) {
  return static_cast<double>(cycles) * (1.0 / clock_ghz) * 1e-9;
}

double row_utilization(const Row& r) {
  if (r.peak_macs_per_cycle == 0 || r.cycles == 0) return 0;
  return static_cast<double>(r.macs) / (static_cast<double>(r.peak_macs_per_cycle) * static_cast<double>(r.cycles));
}

double unit_utilization(const UnitRow& u, uint64_t total_cycles) {
  if (u.peak_macs_per_cycle == 0 || total_cycles == 0) return 0;
  return static_cast<double>(u.macs) / (static_cast<double>(u.peak_macs_per_cycle) * static_cast<double>(total_cycles));
}

// ---- the tables -----------------------------------------------------------------------------------
// Order is the order of the CSV columns and the JSON keys (golden files pin both). To add a column,
// add one entry where it belongs; every writer and report.json's `columns` pick it up.

namespace {

using D = DesignReport;
constexpr Better kLow = Better::Lower, kHigh = Better::Higher, kNone = Better::None;
constexpr Aggregation kSum = Aggregation::Sum, kMax = Aggregation::Max, kDerived = Aggregation::Derived,
                      kId = Aggregation::None;

std::vector<RowColumn> make_row_columns() {
  std::vector<RowColumn> c = {
      {"design", "", "design name", kNone, kId, kCsv | kRows, [](const Row&, const D& d) { return json(d.name); }},
      {"phase", "", "prefill or decode", kNone, kId, kEverywhere | kMarkdown,
       [](const Row& r, const D&) { return json(r.phase); }, 10, "", "phase"},
      {"op", "", "op name as in the graph, e.g. q_proj", kNone, kId, kCsv | kJson | kOpsRow | kMarkdown,
       [](const Row& r, const D&) { return json(r.name); }, 10, "", "op"},
      {"unit", "", "unit instance the op ran on (tmac+tmac_b when split across arrays)", kNone, kId,
       kCsv | kJson | kOpsRow | kMarkdown, [](const Row& r, const D&) { return json(r.unit); }, 10, "", "unit"},
      {"note", "", "how the op was mapped (fallbacks, attention path); left out when empty", kNone, kId,
       kJson | kOpsRow, [](const Row& r, const D&) { return r.note.empty() ? json() : json(r.note); }},
      {"layer", "index", "layer index; -1 = model-level ops", kNone, kId, kCsv | kJson | kLayerRow,
       [](const Row& r, const D&) { return json(r.layer); }},
      {"instances", "count", "op executions aggregated in the row (layers x steps, or ops in the layer x steps)", kNone,
       kSum, kEverywhere, [](const Row& r, const D&) { return json(r.instances); }},
      {"cycles", "cycles", "critical-path cycles: sum of end(op) - end(previous op); rows add up to total cycles", kLow,
       kSum, kEverywhere | kMarkdown, [](const Row& r, const D&) { return json(r.cycles); }, 10, "", "cycles"},
      {"time_s", "s", "cycles / clock", kLow, kSum, kEverywhere,
       [](const Row& r, const D& d) { return json(cycles_to_seconds(r.cycles, d.clock_ghz)); }},
      {"busy_cycles", "cycles", "compute-unit busy time (tile in flight, incl. SRAM port stalls)", kNone, kSum,
       kEverywhere, [](const Row& r, const D&) { return json(r.busy_cycles); }},
      {"macs", "MAC", "multiply-accumulates executed", kNone, kSum, kEverywhere,
       [](const Row& r, const D&) { return json(r.macs); }},
      {"utilization", "fraction", "macs / (peak MACs per cycle of the op's unit(s) x cycles); 0 for vector ops", kHigh,
       kDerived, kCsv | kJson | kOpsRow | kMarkdown, [](const Row& r, const D&) { return json(row_utilization(r)); }, 6,
       "", "utilization"},
      {"dram_read_bytes", "B", "DRAM bytes read for the op: weight, KV and activation loads", kLow, kSum, kEverywhere,
       [](const Row& r, const D&) { return json(r.dram_read_bytes); }},
      {"dram_write_bytes", "B", "DRAM bytes written for the op: spills, KV appends", kLow, kSum, kEverywhere,
       [](const Row& r, const D&) { return json(r.dram_write_bytes); }},
      {"achieved_dram_gb_s", "GB/s", "(dram_read_bytes + dram_write_bytes) / time_s; 0 when cycles is 0", kHigh,
       kDerived, kCsv | kJson | kOpsRow,
       [](const Row& r, const D& d) {
         const double t = cycles_to_seconds(r.cycles, d.clock_ghz);
         return json(t > 0 ? static_cast<double>(r.dram_read_bytes + r.dram_write_bytes) / t * 1e-9 : 0.0);
       },
       6},
      {"dram_bytes", "B", "DRAM bytes read + written", kLow, kSum, kOpsRow | kMarkdown,
       [](const Row& r, const D&) { return json(r.dram_read_bytes + r.dram_write_bytes); }, 10, "", "DRAM bytes"},
      {"sram_read_bytes", "B", "both buffers: datapath operand reads + DMA drains", kLow, kSum, kEverywhere,
       [](const Row& r, const D&) { return json(r.sram_read_bytes); }},
      {"sram_write_bytes", "B", "both buffers: datapath result writes + DMA fills", kLow, kSum, kEverywhere,
       [](const Row& r, const D&) { return json(r.sram_write_bytes); }},
  };
  for (int k = 0; k < kNumEnergyClass; ++k) {
    const std::string cls = energy_class_name(static_cast<EnergyClass>(k));
    c.push_back({"energy_" + cls + "_pj", "pJ", "energy of class " + cls + " (README: summary lines)", kLow, kSum,
                 kEverywhere, [k](const Row& r, const D&) { return json(r.energy.pj[k]); }, 10, "energy_pj/" + cls});
  }
  c.push_back({"energy_total_pj", "pJ", "energy, all classes", kLow, kSum, kEverywhere | kMarkdown,
               [](const Row& r, const D&) { return json(r.energy.total()); }, 10, "energy_pj/total", "energy"});
  c.push_back({"events", "count", "each non-zero energy event (int8_add, ..., dram_write_burst) and its count", kNone,
               kSum, kJson | kRows, [](const Row& r, const D&) {
                 json ev = json::object();
                 for (int i = 0; i < kNumEv; ++i) {
                   if (r.events.n[i]) ev[ev_name(static_cast<Ev>(i))] = r.events.n[i];
                 }
                 return ev;
               }});
  // The mapper's choice per op (compiler/mapper.h) and what limits the op (report.h op_bound).
  auto bound = [](const Row& r, const D& d) { return op_bound(r, dram_bytes_per_cycle(d)); };
  c.push_back({"mapping", "", "the mapper's choice: loop order, tiles, buffering, split; - when not searched", kNone,
               kId, kCsv | kJson | kOpsRow | kMarkdown,
               [](const Row& r, const D&) { return json(r.mapped ? r.mapping : "-"); }, 10, "", "mapping"});
  c.push_back({"other_mappings", "count", "instances of the row mapped differently from `mapping`", kNone, kSum,
               kJson | kOpsRow, [](const Row& r, const D&) { return r.mappings > 0 ? json(r.mappings) : json(); }});
  c.push_back({"compulsory_dram_bytes", "B", "each operand moved once between DRAM and the chip", kLow, kSum,
               kCsv | kJson | kOpsRow, [](const Row& r, const D&) { return json(r.compulsory_dram_bytes); }});
  c.push_back({"dram_over_compulsory", "ratio", "(dram_read_bytes + dram_write_bytes) / compulsory_dram_bytes", kLow,
               kDerived, kCsv | kOpsRow | kMarkdown,
               [](const Row& r, const D&) {
                 const double moved = static_cast<double>(r.dram_read_bytes + r.dram_write_bytes);
                 return r.compulsory_dram_bytes ? json(moved / static_cast<double>(r.compulsory_dram_bytes))
                                                : json("-");
               },
               6, "", "x compulsory"});
  c.push_back({"bound", "", "what limits the op: compute, dram, sram_ports or fill", kNone, kId,
               kCsv | kJson | kOpsRow | kMarkdown,
               [bound](const Row& r, const D& d) { return json(bound(r, d).bound); }, 10, "", "bound"});
  c.push_back({"bound_fraction", "fraction", "the achieved fraction of that limit", kHigh, kDerived,
               kCsv | kJson | kOpsRow | kMarkdown,
               [bound](const Row& r, const D& d) { return json(bound(r, d).fraction); }, 4, "", "of bound"});
  for (const char* lim : {"compute", "dram", "sram_ports", "fill"}) {
    const std::string l = lim;
    c.push_back(
        {"limit_" + l, "fraction", "the op's use of its " + l + " limit (cycles at that roof / cycles)", kNone,
         kDerived, kJson | kOpsRow,
         [bound, l](const Row& r, const D& d) {
           const OpBound b = bound(r, d);
           return json(l == "compute" ? b.compute : l == "dram" ? b.dram : l == "sram_ports" ? b.sram_ports : b.fill);
         },
         10, "limit_fractions/" + l});
  }
  return c;
}

std::vector<UnitColumn> make_unit_columns() {
  using U = UnitRow;
  constexpr unsigned kJM = kJson | kMarkdown;
  return {
      {"name", "", "SystemC path, e.g. lpu.tmac", kNone, kId, kJM, [](const U& u, const D&) { return json(u.name); },
       10, "", "unit"},
      {"kind", "", "implementation (impl)", kNone, kId, kJM, [](const U& u, const D&) { return json(u.kind); }, 10, "",
       "kind"},
      {"busy_cycles", "cycles", "tile-in-flight cycles incl. SRAM stalls; 0 for memories", kNone, kSum, kJM,
       [](const U& u, const D&) { return json(u.busy_cycles); }, 10, "", "busy cycles"},
      {"macs", "MAC", "multiply-accumulates executed", kNone, kSum, kJM,
       [](const U& u, const D&) { return json(u.macs); }, 10, "", "MACs"},
      {"utilization", "fraction", "macs / (peak MACs per cycle x total cycles)", kHigh, kDerived, kJM,
       [](const U& u, const D& d) { return json(unit_utilization(u, d.total_cycles)); }, 10, "", "utilization"},
      {"busy_fraction", "fraction", "busy_cycles / total cycles", kHigh, kDerived, kJson,
       [](const U& u, const D& d) {
         return json(d.total_cycles ? static_cast<double>(u.busy_cycles) / d.total_cycles : 0.0);
       }},
      {"dynamic_energy_pj", "pJ", "dynamic energy (the DRAM's includes background + refresh power x total time)", kLow,
       kSum, kJM, [](const U& u, const D&) { return json(u.dynamic_pj); }, 10, "", "dynamic energy"},
      {"leakage_uw", "uW", "static power", kLow, kSum, kJson, [](const U& u, const D&) { return json(u.leakage_uw); }},
      {"leakage_energy_pj", "pJ", "leakage_uw x total time", kLow, kSum, kJM,
       [](const U& u, const D&) { return json(u.leakage_pj); }, 10, "", "leakage energy"},
  };
}

std::vector<DramColumn> make_dram_columns() {
  using C = DramChannelRow;
  constexpr unsigned kAll = kCsv | kJson, kAllMd = kAll | kMarkdown;
  return {
      {"design", "", "design name", kNone, kId, kCsv, [](const C&, const D& d) { return json(d.name); }},
      {"channel", "", "SystemC name, e.g. lpu.dram.ch0", kNone, kId, kAllMd,
       [](const C& c, const D&) { return json(c.name); }, 10, "name", "channel"},
      {"read_bytes", "B", "bytes read in whole bursts", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.read_bytes); }},
      {"write_bytes", "B", "bytes written in whole bursts", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.write_bytes); }},
      {"transfers", "count", "transfer parts served", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.transfers); }},
      {"achieved_gb_s", "GB/s", "(read_bytes + write_bytes) / total time", kHigh, kDerived, kAllMd,
       [](const C& c, const D&) { return json(c.achieved_gb_s); }, 6, "", "GB/s"},
      {"row_hit_rate", "fraction", "bursts served without an activate / all bursts", kHigh, kDerived, kAllMd,
       [](const C& c, const D&) { return json(c.row_hit_rate); }, 6, "", "row-hit rate"},
      {"avg_queue_delay_ns", "ns", "mean time from a part's arrival until the scheduler picks it", kLow, kDerived,
       kAllMd, [](const C& c, const D&) { return json(c.avg_queue_delay_ns); }, 6, "", "avg queue delay"},
      {"activates", "count", "ACT commands", kNone, kSum, kAll, [](const C& c, const D&) { return json(c.activates); }},
      {"precharges", "count", "PRE commands incl. refresh precharge-all", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.precharges); }},
      {"read_bursts", "count", "read bursts", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.read_bursts); }},
      {"write_bursts", "count", "write bursts", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.write_bursts); }},
      {"refreshes", "count", "all-bank refreshes due up to the channel's last data beat", kNone, kSum, kAll,
       [](const C& c, const D&) { return json(c.refreshes); }},
      {"energy_activate_pj", "pJ", "activates x e_act_pj", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.act_pj); }, 10, "energy_pj/activate", "activate"},
      {"energy_precharge_pj", "pJ", "precharges x e_pre_pj", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.pre_pj); }, 10, "energy_pj/precharge", "precharge"},
      {"energy_read_pj", "pJ", "read bursts x e_rd_pj", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.read_pj); }, 10, "energy_pj/read", "read"},
      {"energy_write_pj", "pJ", "write bursts x e_wr_pj", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.write_pj); }, 10, "energy_pj/write", "write"},
      {"energy_refresh_pj", "pJ", "e_ref_pj / tREFI x total time", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.refresh_pj); }, 10, "energy_pj/refresh", "refresh"},
      {"energy_background_pj", "pJ", "p_background_mw x total time", kLow, kSum, kAllMd,
       [](const C& c, const D&) { return json(c.background_pj); }, 10, "energy_pj/background", "background"},
      {"energy_total_pj", "pJ", "the six energies above; over the channels, the design's DRAM energy", kLow, kSum,
       kAllMd, [](const C& c, const D&) { return json(c.total_pj()); }, 10, "energy_pj/total", "total"},
      {"latency_p50_ns", "ns", "median latency of the channel's request parts, queue entry to last data beat", kLow,
       kDerived, kAllMd, [](const C& c, const D&) { return json(c.latency_p50_ns); }, 6, "latency_ns/p50",
       "p50 latency"},
      {"latency_p95_ns", "ns", "95th percentile of that latency", kLow, kDerived, kAll,
       [](const C& c, const D&) { return json(c.latency_p95_ns); }, 6, "latency_ns/p95"},
      {"latency_p99_ns", "ns", "99th percentile of that latency", kLow, kDerived, kAllMd,
       [](const C& c, const D&) { return json(c.latency_p99_ns); }, 6, "latency_ns/p99", "p99 latency"},
      {"queue_p50", "entries", "median read + write queue occupancy seen by arriving parts", kNone, kDerived, kAll,
       [](const C& c, const D&) { return json(c.queue_p50); }, 6, "queue_entries/p50"},
      {"queue_p95", "entries", "95th percentile of that occupancy", kNone, kDerived, kAll,
       [](const C& c, const D&) { return json(c.queue_p95); }, 6, "queue_entries/p95"},
      {"queue_p99", "entries", "99th percentile of that occupancy", kNone, kDerived, kAll,
       [](const C& c, const D&) { return json(c.queue_p99); }, 6, "queue_entries/p99"},
  };
}

double watts(double pj, double s) { return s > 0 ? pj * 1e-12 / s : 0.0; }
double on_chip_pj(const EnergyBreakdown& e) { return e.total() - e[EnergyClass::Dram]; }
double gb_s(uint64_t bytes, double s) { return s > 0 ? static_cast<double>(bytes) / s * 1e-9 : 0.0; }
double of_peak(double gb_s, const D& r) { return r.dram_peak_gb_s > 0 ? gb_s / r.dram_peak_gb_s : 0.0; }

double per_block(const D& r, double v) { return r.lut_mlp.blocks ? v / double(r.lut_mlp.blocks) : 0.0; }

std::vector<DesignMetric> make_design_metrics() {
  using M = DesignMetric;
  auto dbl = [](uint64_t v) { return static_cast<double>(v); };
  std::vector<M> m = {
      {"prefill_latency_s",
       "prefill latency",
       "s",
       "cycle at which the last prefill op completes",
       kLow,
       kDerived,
       [](const D& r) { return r.prefill_s; },
       {"totals/prefill_latency_s"},
       "prefill_latency",
       2},
      {"time_per_output_token_s",
       "time per output token",
       "s",
       "decode time / (generated_tokens - 1)",
       kLow,
       kDerived,
       [](const D& r) { return r.time_per_output_token_s; },
       {"totals/time_per_output_token_s"},
       "time_per_output_token",
       3,
       M::DecodeOnly},
      {"decode_tokens_per_s",
       "decode tokens/s",
       "tokens/s",
       "batch / time per output token",
       kHigh,
       kDerived,
       [](const D& r) { return r.decode_tokens_per_s; },
       {"totals/decode_tokens_per_s"},
       "",
       4,
       M::DecodeOnly},
      {"end_to_end_tokens_per_s",
       "end-to-end tokens/s",
       "tokens/s",
       "batch x generated_tokens / total time",
       kHigh,
       kDerived,
       [](const D& r) { return r.end_to_end_tokens_per_s; },
       {"totals/end_to_end_tokens_per_s"},
       "",
       0,
       M::Always,
       "images/s"},
      {"total_time_s",
       "total time",
       "s",
       "end of the last op",
       kLow,
       kSum,
       [](const D& r) { return r.total_s; },
       {"totals/total_time_s"},
       "total_time"},
      {"total_cycles",
       "total cycles",
       "cycles",
       "end of the last op, in cycles",
       kLow,
       kSum,
       [dbl](const D& r) { return dbl(r.total_cycles); },
       {"totals/total_cycles"},
       "",
       1},
      {"energy_total_pj",
       "energy total",
       "pJ",
       "compute + sram + dram + leakage, whole run",
       kLow,
       kSum,
       [](const D& r) { return r.energy.total(); },
       {"totals/energy_pj/total"},
       "energy_total",
       11},
  };
  for (int k = 0; k < kNumEnergyClass; ++k) {
    const std::string cls = energy_class_name(static_cast<EnergyClass>(k));
    m.push_back({"energy_" + cls + "_pj",
                 "  energy " + cls,
                 "pJ",
                 "energy of class " + cls + ", whole run",
                 kLow,
                 kSum,
                 [k](const D& r) { return r.energy.pj[k]; },
                 {"totals/energy_pj/" + cls},
                 "energy_" + cls,
                 7 + k});
  }
  const std::vector<M> rest = {
      {"attention_cycles",
       "attention cycles",
       "cycles",
       "cycles of qk_encode ... attn_context",
       kLow,
       kSum,
       [dbl](const D& r) { return dbl(r.attention_cycles); },
       {"totals/attention_cycles"}},
      {"attention_energy_pj",
       "attention energy",
       "pJ",
       "energy of the attention ops incl. their leakage share",
       kLow,
       kSum,
       [](const D& r) { return r.attention_energy.total(); },
       {"totals/attention_energy_pj/total"}},
      {"energy_per_generated_token_pj",
       "energy per generated token",
       "pJ",
       "energy total / (batch x generated_tokens)",
       kLow,
       kDerived,
       [](const D& r) { return r.energy_per_generated_token_pj; },
       {"totals/energy_per_generated_token_pj"},
       "energy_per_generated_token",
       5,
       M::Always,
       "energy per image"},
      {"decode_energy_per_token_pj",
       "decode energy per token",
       "pJ",
       "decode-phase energy / (batch x (generated_tokens - 1))",
       kLow,
       kDerived,
       [](const D& r) { return r.decode_energy_per_token_pj; },
       {"totals/decode_energy_per_token_pj"},
       "",
       6,
       M::DecodeOnly},
      // Power, efficiency and DRAM bandwidth (issue 16): rates over the whole run and per phase.
      {"average_power_w",
       "average power",
       "W",
       "energy total / total time",
       kLow,
       kDerived,
       [](const D& r) { return watts(r.energy.total(), r.total_s); },
       {"totals/average_power_w"},
       "average_power",
       17},
      {"on_chip_power_w",
       "  on-chip (excl. DRAM)",
       "W",
       "(energy total - DRAM energy) / total time",
       kLow,
       kDerived,
       [](const D& r) { return watts(on_chip_pj(r.energy), r.total_s); },
       {"totals/on_chip_power_w"},
       "on_chip_power"},
      {"prefill_power_w",
       "prefill power",
       "W",
       "prefill-phase energy / prefill latency",
       kLow,
       kDerived,
       [](const D& r) { return watts(r.prefill_energy.total(), r.prefill_s); },
       {"totals/prefill_power_w"}},
      {"prefill_on_chip_power_w",
       "  on-chip (excl. DRAM)",
       "W",
       "(prefill-phase energy - its DRAM energy) / prefill latency",
       kLow,
       kDerived,
       [](const D& r) { return watts(on_chip_pj(r.prefill_energy), r.prefill_s); },
       {"totals/prefill_on_chip_power_w"}},
      {"decode_power_w",
       "decode power",
       "W",
       "decode-phase energy / decode time",
       kLow,
       kDerived,
       [](const D& r) { return watts(r.decode_energy.total(), r.decode_s); },
       {"totals/decode_power_w"},
       "",
       0,
       M::DecodeOnly},
      {"decode_on_chip_power_w",
       "  on-chip (excl. DRAM)",
       "W",
       "(decode-phase energy - its DRAM energy) / decode time",
       kLow,
       kDerived,
       [](const D& r) { return watts(on_chip_pj(r.decode_energy), r.decode_s); },
       {"totals/decode_on_chip_power_w"},
       "",
       0,
       M::DecodeOnly},
      {"tops_per_w",
       "TOPS/W",
       "TOPS/W",
       "2 x MACs of the whole run (one MAC = 2 ops) / energy total; vector ops are not counted",
       kHigh,
       kDerived,
       [](const D& r) { return r.energy.total() > 0 ? 2.0 * static_cast<double>(r.macs) / r.energy.total() : 0.0; },
       {"totals/tops_per_w"},
       "tops_per_w",
       15},
      {"tokens_per_j",
       "tokens/J",
       "tokens/J",
       "batch x generated_tokens / energy total in J (an encoder: images per J)",
       kHigh,
       kDerived,
       [](const D& r) {
         return r.energy.total() > 0 ? static_cast<double>(r.batch * r.generated_tokens) / (r.energy.total() * 1e-12)
                                     : 0.0;
       },
       {"totals/tokens_per_j"},
       "tokens_per_j",
       16,
       M::Always,
       "images/J"},
      {"dram_gb_s",
       "DRAM bandwidth",
       "GB/s",
       "DRAM bytes read + written / total time",
       kNone,
       kDerived,
       [](const D& r) { return gb_s(r.dram_read_bytes + r.dram_write_bytes, r.total_s); },
       {"totals/dram_gb_s"}},
      {"dram_peak_fraction",
       "  of DRAM peak",
       "fraction",
       "dram_gb_s / the DRAM's peak (channels x the preset's peak per channel)",
       kNone,
       kDerived,
       [](const D& r) { return of_peak(gb_s(r.dram_read_bytes + r.dram_write_bytes, r.total_s), r); },
       {"totals/dram_peak_fraction"}},
      {"prefill_dram_gb_s",
       "prefill DRAM bandwidth",
       "GB/s",
       "prefill-phase DRAM bytes read + written / prefill latency",
       kNone,
       kDerived,
       [](const D& r) { return gb_s(r.prefill_dram_bytes, r.prefill_s); },
       {"totals/prefill_dram_gb_s"}},
      {"prefill_dram_peak_fraction",
       "  of DRAM peak",
       "fraction",
       "prefill_dram_gb_s / the DRAM's peak",
       kNone,
       kDerived,
       [](const D& r) { return of_peak(gb_s(r.prefill_dram_bytes, r.prefill_s), r); },
       {"totals/prefill_dram_peak_fraction"}},
      {"decode_dram_gb_s",
       "decode DRAM bandwidth",
       "GB/s",
       "decode-phase DRAM bytes read + written / decode time",
       kNone,
       kDerived,
       [](const D& r) { return gb_s(r.decode_dram_bytes, r.decode_s); },
       {"totals/decode_dram_gb_s"},
       "",
       0,
       M::DecodeOnly},
      {"decode_dram_peak_fraction",
       "  of DRAM peak",
       "fraction",
       "decode_dram_gb_s / the DRAM's peak",
       kNone,
       kDerived,
       [](const D& r) { return of_peak(gb_s(r.decode_dram_bytes, r.decode_s), r); },
       {"totals/decode_dram_peak_fraction"},
       "",
       0,
       M::DecodeOnly},
      {"weights_bytes",
       "weights",
       "B",
       "stored weights",
       kLow,
       kId,
       [dbl](const D& r) { return dbl(r.footprint.weights); },
       {"footprint/weights_bytes"},
       "weights_bytes",
       12},
      {"kv_cache_bytes",
       "KV cache (max context)",
       "B",
       "KV cache at the longest context",
       kLow,
       kMax,
       [dbl](const D& r) { return dbl(r.footprint.kv_cache); },
       {"footprint/kv_cache_bytes"}},
      {"peak_activation_bytes",
       "peak activations",
       "B",
       "largest prefill op's input + output + residual stream",
       kLow,
       kMax,
       [dbl](const D& r) { return dbl(r.footprint.peak_activations); },
       {"footprint/peak_activation_bytes"}},
      {"peak_bytes",
       "peak memory",
       "B",
       "weights + KV cache + peak activations",
       kLow,
       kMax,
       [dbl](const D& r) { return dbl(r.footprint.peak()); },
       {"footprint/peak_bytes"},
       "peak_bytes",
       13},
      {"weight_buffer_peak_bytes",
       "peak weight-buffer occupancy",
       "B",
       "peak weight-buffer footprint over all ops",
       kLow,
       kMax,
       [dbl](const D& r) { return dbl(r.buffer_peak.weight_bytes); },
       {"footprint/weight_buffer_peak_bytes"}},
      {"activation_buffer_peak_bytes",
       "peak activation-buffer occupancy",
       "B",
       "peak activation-buffer footprint over all ops",
       kLow,
       kMax,
       [dbl](const D& r) { return dbl(r.buffer_peak.activation_bytes); },
       {"footprint/activation_buffer_peak_bytes"}},
      {"dram_bytes",
       "DRAM traffic",
       "B",
       "DRAM bytes read + written",
       kLow,
       kSum,
       [dbl](const D& r) { return dbl(r.dram_read_bytes + r.dram_write_bytes); },
       {"totals/dram_read_bytes", "totals/dram_write_bytes"},
       "dram_bytes",
       14},
      {"area_mm2",
       "area (mm2)",
       "mm2",
       "units, buffers, DMA and controller",
       kLow,
       kSum,
       [](const D& r) { return r.area.total_mm2(); },
       {"area/total_mm2"}},
      {"linear_peak_macs_per_cycle",
       "peak linear MACs/cycle",
       "MAC/cycle",
       "rows x cols of the arrays that run weight GEMMs",
       kHigh,
       kSum,
       [dbl](const D& r) { return dbl(r.linear_peak_macs); },
       {"linear_peak_macs_per_cycle"}},
      // Weightless MLP (model.mlp.kind: lut): shown when any design has it.
      {"lut_macs_removed",
       "MLP MACs removed",
       "MAC",
       "MACs of the MAC MLPs the LUT blocks replace",
       kHigh,
       kSum,
       [](const D& r) { return double(r.lut_mlp.macs_removed); },
       {"lut_mlp/macs_removed"},
       "",
       0,
       M::Lut},
      {"lut_macs_removed_fraction",
       "  fraction of all MACs",
       "fraction",
       "of all MACs the MAC model would run",
       kHigh,
       kDerived,
       [](const D& r) { return r.lut_mlp.macs_removed_fraction; },
       {"lut_mlp/macs_removed_fraction"},
       "",
       0,
       M::Lut},
      {"lut_lookups",
       "LUT lookups",
       "count",
       "LUT reads (tokens x LUTs per layer)",
       kNone,
       kSum,
       [](const D& r) { return double(r.lut_mlp.lookups); },
       {"lut_mlp/lookups"},
       "",
       0,
       M::Lut},
      {"lut_bank_conflict_stall_cycles",
       "LUT bank-conflict stalls",
       "cycles",
       "lookup cycles lost to LUT SRAM bank/port conflicts",
       kLow,
       kSum,
       [](const D& r) { return double(r.lut_mlp.conflict_stall_cycles); },
       {"lut_mlp/bank_conflict_stall_cycles"},
       "",
       0,
       M::Lut},
      {"lut_streamed_table_bytes",
       "LUT tables streamed",
       "B",
       "tables/thresholds streamed from DRAM",
       kLow,
       kSum,
       [](const D& r) { return double(r.lut_mlp.streamed_table_bits) / 8; },
       {},
       "",
       0,
       M::Lut},
      {"mlp_cycles_per_block",
       "MLP cycles per block",
       "cycles",
       "critical-path cycles of one MLP block (LUT block, or the MAC MLP it replaces)",
       kLow,
       kDerived,
       [](const D& r) { return per_block(r, double(r.lut_mlp.cycles)); },
       {},
       "",
       0,
       M::Lut},
      {"mlp_energy_per_block_pj",
       "MLP energy per block",
       "pJ",
       "energy of one MLP block incl. its leakage share",
       kLow,
       kDerived,
       [](const D& r) { return per_block(r, r.lut_mlp.energy_pj); },
       {},
       "",
       0,
       M::Lut},
      // DRAM capacity check: shown when any design states dram.capacity_gib.
      {"dram_capacity_bytes",
       "DRAM capacity",
       "B",
       "dram.capacity_gib",
       kHigh,
       kId,
       [dbl](const D& r) { return dbl(r.dram_capacity_bytes); },
       {"footprint/dram_capacity_bytes"},
       "",
       0,
       M::Capacity},
      {"max_batch_in_dram",
       "max batch in DRAM",
       "count",
       "largest batch whose peak memory fits DRAM",
       kHigh,
       kId,
       [](const D& r) { return static_cast<double>(r.max_batch_in_dram); },
       {"footprint/max_batch_in_dram"},
       "",
       0,
       M::Capacity},
      {"max_context_in_dram",
       "max context in DRAM (tokens)",
       "tokens",
       "longest prompt whose peak memory fits DRAM at the run's batch",
       kHigh,
       kId,
       [](const D& r) { return static_cast<double>(r.max_context_in_dram); },
       {"footprint/max_context_in_dram"},
       "",
       0,
       M::Capacity},
  };
  m.insert(m.end(), rest.begin(), rest.end());
  return m;
}

template <class R>
json columns_meta(const std::vector<Column<R>>& cols, unsigned table) {
  json a = json::array();
  for (const auto& c : cols) {
    if (table && !(c.where & table)) continue;
    json j;
    j["name"] = c.name;
    j["unit"] = c.unit;
    j["description"] = c.description;
    j["better"] = better_name(c.better);
    j["aggregation"] = aggregation_name(c.aggregation);
    j["csv"] = (c.where & kCsv) != 0;
    j["json"] = (c.where & kJson) ? json(c.json.empty() ? c.name : c.json) : json();
    a.push_back(j);
  }
  return a;
}

}  // namespace

const std::vector<RowColumn>& row_columns() {
  static const std::vector<RowColumn> c = make_row_columns();
  return c;
}
const std::vector<UnitColumn>& unit_columns() {
  static const std::vector<UnitColumn> c = make_unit_columns();
  return c;
}
const std::vector<DramColumn>& dram_columns() {
  static const std::vector<DramColumn> c = make_dram_columns();
  return c;
}
const std::vector<DesignMetric>& design_metrics() {
  static const std::vector<DesignMetric> m = make_design_metrics();
  return m;
}

std::optional<double> advantage(const DesignMetric& m, double a, double b) {
  if (m.better == Better::Lower && a != 0) return b / a;
  if (m.better == Better::Higher && b != 0) return a / b;
  return std::nullopt;
}

const DesignMetric& design_metric(const std::string& name) {
  for (const auto& m : design_metrics()) {
    if (m.name == name) return m;
  }
  throw std::out_of_range("no report metric named " + name);
}

json columns_json() {
  json j;
  j["ops"] = columns_meta(row_columns(), kOpsRow);
  j["layers"] = columns_meta(row_columns(), kLayerRow);
  j["units"] = columns_meta(unit_columns(), 0);
  j["dram_channels"] = columns_meta(dram_columns(), 0);
  json ms = json::array();
  for (const auto& m : design_metrics()) {
    json x;
    x["name"] = m.name;
    x["label"] = m.label;
    x["unit"] = m.unit;
    x["description"] = m.description;
    x["better"] = better_name(m.better);
    x["aggregation"] = aggregation_name(m.aggregation);
    x["json"] = m.json;
    x["ratio"] = m.ratio.empty() ? json() : json(m.ratio);
    x["sweep"] = m.sweep ? json(m.sweep) : json();
    ms.push_back(x);
  }
  j["metrics"] = ms;
  json classes = json::array();
  for (int k = 0; k < kNumEnergyClass; ++k) classes.push_back(energy_class_name(static_cast<EnergyClass>(k)));
  j["energy_classes"] = classes;
  return j;
}

}  // namespace lpusim
