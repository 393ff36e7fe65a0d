#include "report/report.h"

#include "memory/dram_roof.h"

#include "compiler/capacity.h"
#include "workload/weight_source.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "base/version.h"
#include "report/metrics.h"
#include "spec/iso.h"
#include "workload/weight_source.h"

namespace lpusim {

using json = nlohmann::ordered_json;

namespace {

constexpr double kUwNsToPj = 1e-3;  // 1 uW x 1 ns = 1e-15 J = 1e-3 pJ

void add_row(Row& r, const Row& o) {
  r.instances += o.instances;
  r.cycles += o.cycles;
  r.busy_cycles += o.busy_cycles;
  r.macs += o.macs;
  r.dram_read_bytes += o.dram_read_bytes;
  r.dram_write_bytes += o.dram_write_bytes;
  r.sram_read_bytes += o.sram_read_bytes;
  r.sram_write_bytes += o.sram_write_bytes;
  r.energy += o.energy;
  r.events += o.events;
  if (o.mapped && !r.mapped) r.mapping = o.mapping;
  if (o.mapped && o.mapping != r.mapping) ++r.mappings;
  r.mapped = r.mapped || o.mapped;
  r.compulsory_dram_bytes += o.compulsory_dram_bytes;
  r.roof_compute_cycles += o.roof_compute_cycles;
  r.roof_sram_cycles += o.roof_sram_cycles;
  r.roof_fill_cycles += o.roof_fill_cycles;
}

json energy_json(const EnergyBreakdown& e) {
  json j;
  for (int c = 0; c < kNumEnergyClass; ++c) j[energy_class_name(static_cast<EnergyClass>(c))] = e.pj[c];
  j["total"] = e.total();
  return j;
}

// Puts `v` at `path` ("a/b" nests) in `j`, keeping insertion order.
void put_path(json& j, const std::string& path, json v) {
  json* at = &j;
  size_t pos = 0;
  for (size_t slash; (slash = path.find('/', pos)) != std::string::npos; pos = slash + 1)
    at = &(*at)[path.substr(pos, slash - pos)];
  (*at)[path.substr(pos)] = std::move(v);
}

// One JSON row of a table: its kJson columns in order; null values are left out.
template <class R>
json row_json(const std::vector<Column<R>>& cols, unsigned table, const R& row, const DesignReport& d) {
  json j = json::object();
  for (const auto& c : cols) {
    if (!(c.where & kJson) || (table && !(c.where & table))) continue;
    json v = c.value(row, d);
    if (!v.is_null()) put_path(j, c.json.empty() ? c.name : c.json, std::move(v));
  }
  return j;
}

// A CSV cell: a text value holding a comma, quote or newline is quoted (RFC 4180), so a text column
// such as a mapping label cannot shift the columns after it.
std::string csv_field(const json& v, int precision) {
  std::string t = csv_text(v, precision);
  if (!v.is_string() || t.find_first_of(",\"\n") == std::string::npos) return t;
  std::string q = "\"";
  for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// A CSV table: header, then one line per row of every design.
template <class R>
std::string csv_table(const std::vector<Column<R>>& cols, unsigned table, const std::vector<DesignReport>& reports,
                      const std::vector<R> DesignReport::*rows) {
  std::vector<const Column<R>*> sel;
  for (const auto& c : cols) {
    if ((c.where & kCsv) && (!table || (c.where & table))) sel.push_back(&c);
  }
  std::ostringstream os;
  for (size_t i = 0; i < sel.size(); ++i) os << (i ? "," : "") << sel[i]->name;
  os << "\n";
  for (const auto& r : reports) {
    for (const R& x : r.*rows) {
      for (size_t i = 0; i < sel.size(); ++i) os << (i ? "," : "") << csv_field(sel[i]->value(x, r), sel[i]->precision);
      os << "\n";
    }
  }
  return os.str();
}

// A summary.md table of the kMarkdown columns; numbers by unit (human_value at `digits`).
template <class R>
std::string markdown_table(const std::vector<Column<R>>& cols, unsigned table, const std::vector<R>& rows,
                           const DesignReport& d, int digits) {
  std::vector<const Column<R>*> sel;
  for (const auto& c : cols) {
    if ((c.where & kMarkdown) && (!table || (c.where & table))) sel.push_back(&c);
  }
  std::ostringstream os;
  os << "|";
  for (const auto* c : sel) os << " " << c->title << " |";
  os << "\n|";
  for (const auto* c : sel) os << (c->unit.empty() ? "---|" : "---:|");
  os << "\n";
  for (const R& x : rows) {
    os << "|";
    for (const auto* c : sel) {
      const json v = c->value(x, d);
      const bool text = v.is_string() || v.is_null() || (v.is_number_integer() && c->unit != "B" && c->unit != "pJ");
      os << " " << (text ? csv_text(v, digits) : human_value(v.get<double>(), c->unit, digits)) << " |";
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace

double dram_bytes_per_cycle(const DesignReport& r) { return r.clock_ghz > 0 ? r.dram_sustained_gb_s / r.clock_ghz : 0; }

OpBound op_bound(const Row& r, double dram_bpc) {
  OpBound b;
  if (r.cycles == 0) return b;
  const double c = static_cast<double>(r.cycles);
  b.compute = (r.mapped ? r.roof_compute_cycles : static_cast<double>(r.busy_cycles)) / c;
  b.dram = dram_bpc > 0 ? static_cast<double>(r.dram_read_bytes + r.dram_write_bytes) / dram_bpc / c : 0;
  b.sram_ports = r.roof_sram_cycles / c;
  b.fill = r.roof_fill_cycles / c;
  const std::pair<const char*, double> all[] = {
      {"compute", b.compute}, {"dram", b.dram}, {"sram_ports", b.sram_ports}, {"fill", b.fill}};
  for (const auto& x : all) {
    if (x.second > b.fraction) {
      b.fraction = x.second;
      b.bound = x.first;
    }
  }
  return b;
}

bool is_attention_op(const std::string& name) {
  return name == "qk_encode" || name == "kv_append" || name == "attn_score" || name == "softmax" ||
         name == "pv_encode" || name == "attn_context";
}

std::vector<Row> per_key_rows(const DesignRun& d) {
  const Program& p = d.program;
  const double ns = d.design.cycle_ns();
  const size_t nk = p.keys.size();
  std::vector<Row> key_rows(nk);
  double leak_uw = 0;
  for (const auto& m : d.modules) leak_uw += m.leakage_uw;
  double dram_static_uw = 0;  // DRAM background + refresh power, charged like leakage but to the DRAM class
  for (const auto& m : d.modules) dram_static_uw += m.dram_static_uw;
  for (size_t k = 0; k < nk; ++k) {
    Row& row = key_rows[k];
    row.phase = phase_name(p.keys[k].phase);
    row.name = p.keys[k].name;
    row.layer = p.keys[k].layer;
    row.cycles = d.key_cycles[k];
    row.energy[EnergyClass::Leakage] = leak_uw * static_cast<double>(row.cycles) * ns * kUwNsToPj;
    row.energy[EnergyClass::Dram] += dram_static_uw * static_cast<double>(row.cycles) * ns * kUwNsToPj;
  }
  for (const auto& m : d.modules) {
    for (size_t k = 0; k < m.per_key.size(); ++k) {
      Row& row = key_rows[k];
      EnergyBreakdown e = price(m.per_key[k], m.prices);
      e[EnergyClass::Leakage] = 0;
      row.energy += e;
      row.events += m.per_key[k];
      if (m.kind == "dram") {
        row.dram_read_bytes += m.per_key[k][Ev::DramReadBit] / 8;
        row.dram_write_bytes += m.per_key[k][Ev::DramWriteBit] / 8;
      }
      if (m.kind == "sram_buffer") {
        row.sram_read_bytes += m.per_key[k][Ev::SramReadBit] / 8;
        row.sram_write_bytes += m.per_key[k][Ev::SramWriteBit] / 8;
      }
    }
    if (m.kind != "controller") {
      for (size_t k = 0; k < m.busy_per_key.size(); ++k) key_rows[k].busy_cycles += m.busy_per_key[k];
    }
    for (size_t k = 0; k < m.macs_per_key.size(); ++k) key_rows[k].macs += m.macs_per_key[k];
  }
  // Unit, note and instance counts per key come from the program.
  std::map<uint32_t, const ProgramOp*> key_op;
  for (const auto& po : p.ops) {
    key_op.emplace(po.stat_key, &po);
    Row& kr = key_rows[po.stat_key];
    ++kr.instances;
    const OpMapping& m = po.mapping;
    if (m.searched) {  // the mapper's choice (compiler/mapper.h): its label and its roofs
      const std::string desc = m.describe();
      if (!kr.mapped) kr.mapping = desc;
      if (desc != kr.mapping) ++kr.mappings;
      kr.mapped = true;
      kr.roof_compute_cycles += m.compute_cycles;
      kr.roof_sram_cycles += m.sram_cycles;
      kr.roof_fill_cycles += m.fill_cycles;
    }
    kr.compulsory_dram_bytes += m.compulsory_dram_bytes;
  }
  std::map<std::string, uint64_t> unit_peak;
  for (const auto& m : d.modules) unit_peak[m.name.substr(m.name.find('.') + 1)] = m.peak_macs_per_cycle;
  for (const auto& kv : key_op) {
    key_rows[kv.first].unit = kv.second->unit_name;
    key_rows[kv.first].note = kv.second->note;
    // An op split across arrays ("tmac0+tmac1") has the sum of their peaks.
    uint64_t peak = 0;
    std::string names = kv.second->unit_name;
    for (size_t pos = 0; pos != std::string::npos;) {
      const size_t plus = names.find('+', pos);
      peak += unit_peak[names.substr(pos, plus == std::string::npos ? plus : plus - pos)];
      pos = plus == std::string::npos ? plus : plus + 1;
    }
    key_rows[kv.first].peak_macs_per_cycle = peak;
  }
  return key_rows;
}

DesignReport build_report(const SimulationRun& run, const DesignRun& d) {
  DesignReport r;
  const DesignSpec& ds = d.design;
  const Program& p = d.program;
  const ScenarioSpec& sc = run.workload.scenario;
  r.name = ds.name;
  r.file = ds.file;
  r.tech = ds.tech_node;
  r.budget = ds.budget;
  r.clock_ghz = ds.clock_ghz;
  r.total_cycles = d.total_cycles;
  r.prefill_cycles = d.prefill_cycles;
  r.decode_cycles = d.total_cycles - d.prefill_cycles;
  r.batch = sc.batch;
  r.prompt_tokens = sc.prompt_tokens;
  r.generated_tokens = sc.generated_tokens;
  const double ns = ds.cycle_ns();
  r.prefill_s = cycles_to_seconds(r.prefill_cycles, ds.clock_ghz);
  r.decode_s = cycles_to_seconds(r.decode_cycles, ds.clock_ghz);
  r.total_s = cycles_to_seconds(r.total_cycles, ds.clock_ghz);
  const int64_t steps = sc.generated_tokens - 1;  // the prefill yields the first token
  r.time_per_output_token_s = steps > 0 ? r.decode_s / static_cast<double>(steps) : 0;
  r.decode_tokens_per_s = r.time_per_output_token_s > 0 ? static_cast<double>(sc.batch) / r.time_per_output_token_s : 0;
  r.end_to_end_tokens_per_s = static_cast<double>(sc.batch * sc.generated_tokens) / r.total_s;
  r.footprint = d.footprint;
  r.resolved_design_yaml = ds.resolved_yaml();
  r.area = design_area(ds);
  r.linear_peak_macs = linear_peak_macs(ds);
  r.dram_peak_gb_s = static_cast<double>(ds.dram.channels) * ds.dram.peak_gb_s_per_channel();
  r.dram_sustained_gb_s = sustained_read_gb_s(ds.dram);
  r.encoder = run.workload.model.encoder();
  r.max_batch_in_dram = max_batch_in_dram(run.workload, ds);
  r.max_context_in_dram = max_context_in_dram(run.workload, ds);
  r.buffer_peak = peak_buffer_occupancy(p);
  r.weight_buffer_bytes = ds.weight_buffer.bytes();
  r.activation_buffer_bytes = ds.activation_buffer.bytes();
  r.weight_source = run.weight_source;
  r.layer_zero_fraction = run.layer_zero_fraction;
  r.dram_capacity_bytes = static_cast<uint64_t>(ds.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);

  const std::vector<Row> key_rows = per_key_rows(d);
  for (const auto& m : d.modules) {
    UnitRow u;
    u.name = m.name;
    u.kind = m.kind;
    u.peak_macs_per_cycle = m.peak_macs_per_cycle;
    u.leakage_uw = m.leakage_uw;
    u.leakage_pj = m.leakage_uw * static_cast<double>(d.total_cycles) * ns * kUwNsToPj;
    u.dynamic_pj += m.dram_static_uw * static_cast<double>(d.total_cycles) * ns * kUwNsToPj;
    for (size_t k = 0; k < m.per_key.size(); ++k) {
      EnergyBreakdown e = price(m.per_key[k], m.prices);
      e[EnergyClass::Leakage] = 0;
      u.dynamic_pj += e.total();
    }
    if (m.kind != "controller") {
      for (size_t k = 0; k < m.busy_per_key.size(); ++k) u.busy_cycles += m.busy_per_key[k];
    }
    for (size_t k = 0; k < m.macs_per_key.size(); ++k) u.macs += m.macs_per_key[k];
    if (m.kind != "controller" && m.kind != "dma_engine" && m.kind != "dram_channel") r.units.push_back(u);
  }
  // DRAM channels: traffic, row hits, queueing and energy by operation.
  const ModuleStats* dram = nullptr;
  for (const auto& m : d.modules) {
    if (m.kind == "dram") dram = &m;
  }
  for (const auto& m : d.modules) {
    if (m.kind != "dram_channel" || !dram) continue;
    auto sc = [&](const char* k) { return m.scalars.at(k); };
    DramChannelRow c;
    c.name = m.name;
    c.read_bytes = static_cast<uint64_t>(sc("read_bytes"));
    c.write_bytes = static_cast<uint64_t>(sc("write_bytes"));
    c.transfers = static_cast<uint64_t>(sc("parts"));
    c.activates = static_cast<uint64_t>(sc("activates"));
    c.precharges = static_cast<uint64_t>(sc("precharges"));
    c.read_bursts = static_cast<uint64_t>(sc("read_bursts"));
    c.write_bursts = static_cast<uint64_t>(sc("write_bursts"));
    c.refreshes = static_cast<uint64_t>(sc("refreshes"));
    const double bursts = static_cast<double>(c.read_bursts + c.write_bursts);
    c.row_hit_rate = bursts > 0 ? sc("row_hit_bursts") / bursts : 0;
    c.avg_queue_delay_ns = c.transfers ? sc("queue_delay_ps") * 1e-3 / static_cast<double>(c.transfers) : 0;
    c.latency_p50_ns = sc("latency_p50_ns");
    c.latency_p95_ns = sc("latency_p95_ns");
    c.latency_p99_ns = sc("latency_p99_ns");
    c.queue_p50 = sc("queue_p50");
    c.queue_p95 = sc("queue_p95");
    c.queue_p99 = sc("queue_p99");
    const double t_ns = static_cast<double>(d.total_cycles) * ns;
    c.achieved_gb_s = t_ns > 0 ? static_cast<double>(c.read_bytes + c.write_bytes) / t_ns : 0;
    c.act_pj = static_cast<double>(c.activates) * dram->prices[Ev::DramActivate];
    c.pre_pj = static_cast<double>(c.precharges) * dram->prices[Ev::DramPrecharge];
    c.read_pj = static_cast<double>(c.read_bursts) * dram->prices[Ev::DramReadBurst];
    c.write_pj = static_cast<double>(c.write_bursts) * dram->prices[Ev::DramWriteBurst];
    c.refresh_pj = dram->scalars.at("refresh_uw_per_channel") * t_ns * kUwNsToPj;
    c.background_pj = dram->scalars.at("background_uw_per_channel") * t_ns * kUwNsToPj;
    r.dram_channels.push_back(c);
  }
  if (dram) {
    for (const char* cls : {"weights", "kv", "activations"}) {
      auto sc = [&](const std::string& k) { return dram->scalars.at(std::string("class_") + cls + k); };
      DesignReport::DramClassRow row;
      row.name = cls;
      row.requests = static_cast<uint64_t>(sc("_requests"));
      row.p50_ns = sc("_latency_p50_ns");
      row.p95_ns = sc("_latency_p95_ns");
      row.p99_ns = sc("_latency_p99_ns");
      r.dram_classes.push_back(row);
    }
  }
  // Aggregate per (phase, op name) in first-seen order, and per (phase, layer).
  std::map<std::pair<std::string, std::string>, size_t> op_idx;
  std::map<std::pair<std::string, int>, size_t> layer_idx;
  std::map<std::string, bool> seen_note;
  for (const Row& kr : key_rows) {
    auto ok = std::make_pair(kr.phase, kr.name);
    auto it = op_idx.find(ok);
    if (it == op_idx.end()) {
      it = op_idx.emplace(ok, r.ops.size()).first;
      Row blank;
      blank.phase = kr.phase;
      blank.name = kr.name;
      blank.unit = kr.unit;
      blank.note = kr.note;
      blank.peak_macs_per_cycle = kr.peak_macs_per_cycle;
      r.ops.push_back(blank);
    }
    add_row(r.ops[it->second], kr);
    auto lk = std::make_pair(kr.phase, kr.layer);
    auto lt = layer_idx.find(lk);
    if (lt == layer_idx.end()) {
      lt = layer_idx.emplace(lk, r.layers.size()).first;
      Row blank;
      blank.phase = kr.phase;
      blank.layer = kr.layer;
      blank.name = kr.layer < 0 ? "model" : "layer " + std::to_string(kr.layer);
      r.layers.push_back(blank);
    }
    add_row(r.layers[lt->second], kr);
    const uint64_t moved = kr.dram_read_bytes + kr.dram_write_bytes;
    if (kr.phase == "prefill") {
      r.prefill_energy += kr.energy;
      r.prefill_dram_bytes += moved;
    } else {
      r.decode_energy += kr.energy;
      r.decode_dram_bytes += moved;
    }
    r.macs += kr.macs;
    r.energy += kr.energy;
    if (is_attention_op(kr.name)) {
      r.attention_cycles += kr.cycles;
      r.attention_energy += kr.energy;
    }
    r.dram_read_bytes += kr.dram_read_bytes;
    r.dram_write_bytes += kr.dram_write_bytes;
    if (!kr.note.empty() && !seen_note[kr.name + kr.note]) {
      seen_note[kr.name + kr.note] = true;
      r.notes.push_back(kr.name + " -> " + kr.unit + ": " + kr.note);
    }
  }
  r.energy_per_generated_token_pj = r.energy.total() / static_cast<double>(sc.batch * sc.generated_tokens);
  r.decode_energy_per_token_pj = steps > 0 ? r.decode_energy.total() / static_cast<double>(sc.batch * steps) : 0;
  r.lut_mlp = summarize_lut_mlp(run, d, r.ops);
  return r;
}

std::string to_json(const WorkloadSpec& w, const std::vector<DesignReport>& reports) {
  json root;
  root["schema_version"] = kReportSchemaVersion;
  root["lpusim_version"] = kLpusimVersion;
  json wl;
  wl["name"] = w.name;
  wl["file"] = w.file;
  wl["batch"] = w.scenario.batch;
  wl["prompt_tokens"] = w.scenario.prompt_tokens;
  wl["generated_tokens"] = w.scenario.generated_tokens;
  wl["decode_steps"] = w.scenario.generated_tokens - 1;
  root["workload"] = wl;
  json designs = json::array();
  for (const auto& r : reports) {
    json d;
    d["name"] = r.name;
    d["file"] = r.file;
    d["tech"] = r.tech;
    d["clock_ghz"] = r.clock_ghz;
    d["budget"] = r.budget;
    json t;
    t["total_cycles"] = r.total_cycles;
    t["prefill_cycles"] = r.prefill_cycles;
    t["decode_cycles"] = r.decode_cycles;
    t["prefill_latency_s"] = r.prefill_s;
    t["decode_time_s"] = r.decode_s;
    t["total_time_s"] = r.total_s;
    t["time_per_output_token_s"] = r.time_per_output_token_s;
    t["decode_tokens_per_s"] = r.decode_tokens_per_s;
    t["end_to_end_tokens_per_s"] = r.end_to_end_tokens_per_s;
    t["energy_pj"] = energy_json(r.energy);
    t["prefill_energy_pj"] = energy_json(r.prefill_energy);
    t["decode_energy_pj"] = energy_json(r.decode_energy);
    t["energy_per_generated_token_pj"] = r.energy_per_generated_token_pj;
    t["decode_energy_per_token_pj"] = r.decode_energy_per_token_pj;
    t["dram_read_bytes"] = r.dram_read_bytes;
    t["dram_write_bytes"] = r.dram_write_bytes;
    t["attention_cycles"] = r.attention_cycles;
    t["attention_energy_pj"] = energy_json(r.attention_energy);
    d["totals"] = t;
    json f;
    f["weights_bytes"] = r.footprint.weights;
    f["ternary_weights_bytes"] = r.footprint.ternary_weights;
    f["int_weights_bytes"] = r.footprint.int_weights;
    f["fp16_weights_bytes"] = r.footprint.fp16_weights;
    f["lut_weights_bytes"] = r.footprint.lut_weights;
    f["kv_cache_bytes"] = r.footprint.kv_cache;
    f["peak_activation_bytes"] = r.footprint.peak_activations;
    f["peak_bytes"] = r.footprint.peak();
    f["dram_capacity_bytes"] = r.max_batch_in_dram < 0 ? json() : json(r.dram_capacity_bytes);
    f["fits_in_dram"] = r.max_batch_in_dram < 0 ? json() : json(r.footprint.peak() <= r.dram_capacity_bytes);
    f["max_batch_in_dram"] = r.max_batch_in_dram < 0 ? json() : json(r.max_batch_in_dram);
    f["max_context_in_dram"] = r.max_context_in_dram < 0 ? json() : json(r.max_context_in_dram);
    f["weight_buffer_peak_bytes"] = r.buffer_peak.weight_bytes;
    f["activation_buffer_peak_bytes"] = r.buffer_peak.activation_bytes;
    f["weight_buffer_bytes"] = r.weight_buffer_bytes;
    f["activation_buffer_bytes"] = r.activation_buffer_bytes;
    d["footprint"] = f;
    json area;
    area["total_mm2"] = r.area.total_mm2();
    json items = json::array();
    for (const auto& a : r.area.items) {
      json it;
      it["name"] = a.name;
      it["what"] = a.what;
      it["um2"] = a.um2;
      items.push_back(it);
    }
    area["items"] = items;
    d["area"] = area;
    d["linear_peak_macs_per_cycle"] = r.linear_peak_macs;
    d["dram_peak_gb_s"] = r.dram_peak_gb_s;
    d["dram_sustained_gb_s"] = r.dram_sustained_gb_s;
    d["iso_note"] = r.iso_note;
    json wsrc;
    wsrc["source"] = r.weight_source;
    wsrc["layer_zero_fraction"] = r.layer_zero_fraction;
    d["weights"] = wsrc;
    json units = json::array();
    for (const auto& u : r.units) units.push_back(row_json(unit_columns(), 0, u, r));
    d["units"] = units;
    json chans = json::array();
    for (const auto& c : r.dram_channels) chans.push_back(row_json(dram_columns(), 0, c, r));
    d["dram_channels"] = chans;
    json classes = json::object();
    for (const auto& c : r.dram_classes) {
      classes[c.name] = {{"requests", c.requests},
                         {"latency_ns", {{"p50", c.p50_ns}, {"p95", c.p95_ns}, {"p99", c.p99_ns}}}};
    }
    d["dram_classes"] = classes;
    d["notes"] = r.notes;
    if (r.lut_mlp.present) {
      const LutMlpReport& l = r.lut_mlp;
      d["lut_mlp"] = {{"blocks", l.blocks},
                      {"path", l.as_mac ? "mac" : "lut"},
                      {"macs_removed", l.macs_removed},
                      {"macs_removed_fraction", l.macs_removed_fraction},
                      {"lookups", l.lookups},
                      {"bank_conflict_stall_cycles", l.conflict_stall_cycles},
                      {"streamed_table_bits", l.streamed_table_bits},
                      {"cycles", l.cycles},
                      {"energy_pj", l.energy_pj}};
    }
    json ops = json::array();
    for (const auto& o : r.ops) ops.push_back(row_json(row_columns(), kOpsRow, o, r));
    d["ops"] = ops;
    json layers = json::array();
    for (const auto& l : r.layers) layers.push_back(row_json(row_columns(), kLayerRow, l, r));
    d["layers"] = layers;
    // A metric declared with a JSON location this writer does not fill yet lands there (appended).
    for (const auto& m : design_metrics()) {
      if (m.json.size() != 1 || (m.show == DesignMetric::Lut && !r.lut_mlp.present)) continue;
      if (!d.contains(json::json_pointer("/" + m.json[0]))) put_path(d, m.json[0], m.value(r));
    }
    designs.push_back(d);
  }
  root["designs"] = designs;
  // Two designs: `ratios` B / A (as since schema 1). Two or more: `comparison`, every other design against
  // the first, with the raw ratio and the advantage (> 1: the first design is better).
  auto ratios_of = [](const DesignReport& a, const DesignReport& b) {
    json rt = json::object();
    for (const auto& m : design_metrics()) {
      if (m.ratio.empty()) continue;
      const double x = m.value(b), y = m.value(a);
      rt[m.ratio] = y != 0 ? x / y : 0.0;
    }
    return rt;
  };
  if (reports.size() == 2) {
    json rt;
    rt["definition"] = reports[1].name + " / " + reports[0].name;
    rt.update(ratios_of(reports[0], reports[1]));
    root["ratios"] = rt;
  }
  if (reports.size() >= 2) {
    json cmp;
    cmp["reference"] = reports[0].name;
    cmp["definition"] =
        "ratios: design / reference; advantage: how many times better the reference is (ratio where lower is "
        "better, 1 / ratio where higher is better; > 1: the reference is better)";
    json list = json::array();
    for (size_t i = 1; i < reports.size(); ++i) {
      json adv = json::object();
      for (const auto& m : design_metrics()) {
        if (m.ratio.empty()) continue;
        const auto a = advantage(m, m.value(reports[0]), m.value(reports[i]));
        adv[m.ratio] = a ? json(*a) : json();
      }
      list.push_back({{"name", reports[i].name}, {"ratios", ratios_of(reports[0], reports[i])}, {"advantage", adv}});
    }
    cmp["designs"] = list;
    root["comparison"] = cmp;
  }
  root["columns"] = columns_json();
  return root.dump(2) + "\n";
}

namespace {

std::string zero_fraction_list(const DesignReport& r) {
  std::string s;
  for (size_t l = 0; l < r.layer_zero_fraction.size(); ++l) {
    s += (l ? ", " : "") + std::to_string(l) + ": " + fmt_g(r.layer_zero_fraction[l], 4);
  }
  return s;
}

struct Line {
  std::string label;
  std::vector<std::string> vals;
  std::vector<std::string> advantage;  // per design after the first: "2.24x", or "" (no direction)
};

// The advantage column headings: "<first> vs <other>" for each design after the first.
std::vector<std::string> advantage_heads(const std::vector<DesignReport>& rs) {
  std::vector<std::string> h;
  for (size_t i = 1; i < rs.size(); ++i) h.push_back(rs[0].name + " vs " + rs[i].name);
  return h;
}

// The console / summary.md lines: every design metric with a label, in declaration order; decode-only
// lines are left out for an encoder, the LUT and capacity groups unless a design has them.
std::vector<Line> summary_lines(const WorkloadSpec& w, const std::vector<DesignReport>& rs) {
  bool lut = false, capacity = false;
  for (const auto& r : rs) {
    lut = lut || r.lut_mlp.present;
    capacity = capacity || r.max_batch_in_dram >= 0;
  }
  std::vector<Line> lines;
  for (const auto& m : design_metrics()) {
    if (m.label.empty() || (m.show == DesignMetric::DecodeOnly && w.model.encoder()) ||
        (m.show == DesignMetric::Lut && !lut) || (m.show == DesignMetric::Capacity && !capacity))
      continue;
    Line l;
    l.label = w.model.encoder() && !m.encoder_label.empty() ? m.encoder_label : m.label;
    for (const auto& r : rs) l.vals.push_back(human_value(m.value(r), m.unit, 6));
    for (size_t i = 1; i < rs.size(); ++i) {
      const auto a = advantage(m, m.value(rs[0]), m.value(rs[i]));
      l.advantage.push_back(m.better == Better::None ? "" : a ? fmt_g(*a, 3) + "x" : "-");
    }
    lines.push_back(l);
  }
  return lines;
}
}  // namespace

std::string ops_csv(const std::vector<DesignReport>& reports) {
  return csv_table(row_columns(), kOpsRow, reports, &DesignReport::ops);
}

std::string dram_csv(const std::vector<DesignReport>& reports) {
  std::string out = csv_table(dram_columns(), 0, reports, &DesignReport::dram_channels);
  // Then one row per traffic class: whole-request latency under the channel's columns, requests under
  // `transfers`, channel `class=<name>`; the columns that do not apply stay empty.
  for (const auto& r : reports) {
    for (const auto& c : r.dram_classes) {
      std::string line;
      for (const auto& col : dram_columns()) {
        if (!(col.where & kCsv)) continue;
        const std::string& n = col.name;
        const json v = n == "design"           ? json(r.name)
                       : n == "channel"        ? json("class=" + c.name)
                       : n == "transfers"      ? json(c.requests)
                       : n == "latency_p50_ns" ? json(c.p50_ns)
                       : n == "latency_p95_ns" ? json(c.p95_ns)
                       : n == "latency_p99_ns" ? json(c.p99_ns)
                                               : json();
        line +=
            (line.empty() && n == "design" ? "" : ",") + (v.is_null() ? std::string() : csv_field(v, col.precision));
      }
      out += line + "\n";
    }
  }
  return out;
}
std::string layers_csv(const std::vector<DesignReport>& reports) {
  return csv_table(row_columns(), kLayerRow, reports, &DesignReport::layers);
}

std::string console_table(const WorkloadSpec& w, const std::vector<DesignReport>& rs) {
  std::ostringstream os;
  if (w.model.encoder()) {
    os << "workload " << w.name << ": batch " << w.scenario.batch << " images, " << w.scenario.prompt_tokens
       << " tokens per image, one forward pass (the prefill rows)\n";
  } else {
    os << "workload " << w.name << ": batch " << w.scenario.batch << ", " << w.scenario.prompt_tokens
       << " prompt tokens, " << w.scenario.generated_tokens << " generated tokens\n";
  }
  auto lines = summary_lines(w, rs);
  const auto heads = advantage_heads(rs);
  size_t lw = 28, vw = 16;
  for (const auto& l : lines) lw = std::max(lw, l.label.size() + 2);
  for (const auto& r : rs) vw = std::max(vw, r.name.size() + 2);
  for (const auto& h : heads) vw = std::max(vw, h.size() + 2);
  auto left = [](std::ostream& o, const std::string& t, size_t wd) {
    o << t << std::string(wd - std::min(wd, t.size()), ' ');
  };
  auto right = [](std::ostream& o, const std::string& t, size_t wd) {
    o << std::string(wd - std::min(wd, t.size()), ' ') << t;
  };
  left(os, "", lw);
  for (const auto& r : rs) right(os, r.name, vw);
  for (const auto& h : heads) right(os, h, vw);
  os << "\n";
  for (const auto& l : lines) {
    std::ostringstream line;
    left(line, l.label, lw);
    for (const auto& v : l.vals) right(line, v, vw);
    for (const auto& a : l.advantage) right(line, a, vw);
    std::string t = line.str();
    t.erase(t.find_last_not_of(' ') + 1);  // no trailing blanks where a line has no advantage
    os << t << "\n";
  }
  if (!heads.empty()) {
    os << "(" << rs[0].name << " vs X: how many times better " << rs[0].name
       << " is on the line, whichever way the line improves; > 1: " << rs[0].name << " is better)\n";
  }
  if (!rs.empty()) os << "weights: " << rs[0].weight_source << "\n";
  if (!rs.empty() && !rs[0].layer_zero_fraction.empty())
    os << "zero weights per layer: " << zero_fraction_list(rs[0]) << "\n";
  for (const auto& r : rs) {
    for (const auto& c : r.dram_channels) {
      os << "dram [" << r.name << "] " << c.name.substr(c.name.find('.') + 1) << ": " << fmt_g(c.achieved_gb_s, 4)
         << " GB/s, row hits " << fmt_g(c.row_hit_rate * 100, 4) << "%, queue " << fmt_g(c.avg_queue_delay_ns, 4)
         << " ns, " << human_value(c.total_pj(), "pJ", 4) << "\n";
    }
  }
  for (const auto& r : rs) {
    for (const auto& n : r.notes) os << "note [" << r.name << "] " << n << "\n";
  }
  // The mapper's choice per GEMM op, its DRAM bytes against the compulsory minimum and its bound.
  for (const auto& r : rs) {
    for (const auto& o : r.ops) {
      if (!o.mapped) continue;
      const OpBound b = op_bound(o, dram_bytes_per_cycle(r));
      const double moved = static_cast<double>(o.dram_read_bytes + o.dram_write_bytes);
      os << "map [" << r.name << "] " << o.phase << " " << o.name << ": " << o.mapping
         << (o.mappings ? " (+" + std::to_string(o.mappings) + " other)" : "") << "; DRAM "
         << human_value(moved, "B", 4);
      if (o.compulsory_dram_bytes)
        os << " = " << fmt_g(moved / static_cast<double>(o.compulsory_dram_bytes), 3) << "x compulsory";
      const double of_peak = r.dram_peak_gb_s > 0 ? b.dram * r.dram_sustained_gb_s / r.dram_peak_gb_s : 0;
      os << "; " << b.bound << "-bound at " << fmt_g(b.fraction * 100, 3) << "% (compute " << fmt_g(b.compute * 100, 3)
         << "%, DRAM " << fmt_g(b.dram * 100, 3) << "% of sustained, " << fmt_g(of_peak * 100, 3) << "% of peak)\n";
    }
  }
  return os.str();
}

std::string summary_markdown(const WorkloadSpec& w, const std::vector<DesignReport>& rs) {
  std::ostringstream os;
  os << "# lpusim report: " << w.name << "\n\n";
  if (w.model.encoder()) {
    os << "Workload `" << w.file << "`: batch " << w.scenario.batch << " images, " << w.scenario.prompt_tokens
       << " tokens per image, one forward pass.\n\n";
  } else {
    os << "Workload `" << w.file << "`: batch " << w.scenario.batch << ", " << w.scenario.prompt_tokens
       << " prompt tokens, " << w.scenario.generated_tokens << " generated tokens.\n\n";
  }
  if (!rs.empty()) {
    os << "Weights: " << rs[0].weight_source << ".\n\n";
    if (!rs[0].layer_zero_fraction.empty()) os << "Zero weights per layer: " << zero_fraction_list(rs[0]) << ".\n\n";
  }
  for (const auto& r : rs) {
    os << "- **" << r.name << "** (`" << r.file << "`, " << r.tech << ", " << r.clock_ghz << " GHz): " << r.budget
       << "\n";
  }
  const auto heads = advantage_heads(rs);
  os << "\n| metric |";
  for (const auto& r : rs) os << " " << r.name << " |";
  for (const auto& h : heads) os << " " << h << " |";
  os << "\n|---|";
  for (size_t i = 0; i < rs.size() + heads.size(); ++i) os << "---:|";
  os << "\n";
  for (const auto& l : summary_lines(w, rs)) {
    os << "| " << l.label << " |";
    for (const auto& v : l.vals) os << " " << v << " |";
    for (const auto& a : l.advantage) os << " " << a << " |";
    os << "\n";
  }
  if (!heads.empty()) {
    os << "\n`" << rs[0].name << " vs X`: how many times better " << rs[0].name
       << " is on that line, whichever way the line improves (> 1: " << rs[0].name << " is better).\n";
  }
  for (const auto& r : rs) {
    os << "\n## " << r.name << ": operations\n\n";
    os << markdown_table(row_columns(), kOpsRow, r.ops, r, 3);
    os << "\n## " << r.name << ": area\n\n| block | how | area (mm2) |\n|---|---|---:|\n";
    for (const auto& a : r.area.items)
      os << "| " << a.name << " | " << a.what << " | " << fmt_g(a.um2 * 1e-6, 4) << " |\n";
    os << "| total | | " << fmt_g(r.area.total_mm2(), 4) << " |\n";
    if (!r.iso_note.empty()) os << "\nBudget: " << r.iso_note << "\n";
    os << "\n## " << r.name << ": units\n\n";
    os << markdown_table(unit_columns(), 0, r.units, r, 3);
    if (!r.dram_channels.empty()) {
      os << "\n## " << r.name << ": DRAM channels\n\n";
      os << markdown_table(dram_columns(), 0, r.dram_channels, r, 4);
    }
    if (!r.notes.empty()) {
      os << "\nMapping notes:\n\n";
      for (const auto& n : r.notes) os << "- " << n << "\n";
    }
  }
  os << "\nColumns are defined in README.md, section \"Report columns\".\n";
  return os.str();
}

void write_outputs(const std::string& dir, const WorkloadSpec& w, const std::vector<DesignReport>& rs) {
  OutputDir out(dir);  // all or nothing: a temporary sibling, renamed into place by commit()
  out.write("report.json", to_json(w, rs));
  out.write("ops.csv", ops_csv(rs));
  out.write("layers.csv", layers_csv(rs));
  out.write("dram.csv", dram_csv(rs));
  out.write("summary.md", summary_markdown(w, rs));
  out.write("workload.resolved.yaml", w.resolved_yaml());
  for (const auto& r : rs) out.write("design_" + r.name + ".resolved.yaml", r.resolved_design_yaml);
  out.commit();
}

}  // namespace lpusim
