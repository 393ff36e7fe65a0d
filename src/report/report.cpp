#include "report/report.h"

#include "compiler/capacity.h"
#include "workload/weight_source.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/config_error.h"
#include "base/version.h"
#include "spec/iso.h"
#include "workload/weight_source.h"

namespace lpusim {

using json = nlohmann::ordered_json;

namespace {

constexpr double kUwNsToPj = 1e-3;  // 1 uW x 1 ns = 1e-15 J = 1e-3 pJ

double seconds(uint64_t cycles, double clock_ghz) { return static_cast<double>(cycles) * (1.0 / clock_ghz) * 1e-9; }

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

// A unit's MACs over its peak for the whole run.
double utilization(const UnitRow& u, uint64_t total_cycles) {
  if (u.peak_macs_per_cycle == 0 || total_cycles == 0) return 0;
  return static_cast<double>(u.macs) / (static_cast<double>(u.peak_macs_per_cycle) * static_cast<double>(total_cycles));
}

double utilization(const Row& r) {
  if (r.peak_macs_per_cycle == 0 || r.cycles == 0) return 0;
  return static_cast<double>(r.macs) / (static_cast<double>(r.peak_macs_per_cycle) * static_cast<double>(r.cycles));
}

std::string fmt(double v, int prec = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", prec, v);
  return buf;
}

std::string human_bytes(double b) {
  const char* u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (b >= 1024 && i < 4) {
    b /= 1024;
    ++i;
  }
  return fmt(b, 4) + " " + u[i];
}

std::string human_time(double s) {
  if (s >= 1) return fmt(s, 4) + " s";
  if (s >= 1e-3) return fmt(s * 1e3, 4) + " ms";
  return fmt(s * 1e6, 4) + " us";
}

std::string human_energy_pj(double pj) {
  if (pj >= 1e12) return fmt(pj * 1e-12, 4) + " J";
  if (pj >= 1e9) return fmt(pj * 1e-9, 4) + " mJ";
  if (pj >= 1e6) return fmt(pj * 1e-6, 4) + " uJ";
  return fmt(pj * 1e-3, 4) + " nJ";
}

json energy_json(const EnergyBreakdown& e) {
  json j;
  for (int c = 0; c < kNumEnergyClass; ++c) j[energy_class_name(static_cast<EnergyClass>(c))] = e.pj[c];
  j["total"] = e.total();
  return j;
}

double dram_bytes_per_cycle(const DesignReport& r) { return r.clock_ghz > 0 ? r.dram_peak_gb_s / r.clock_ghz : 0; }

json row_json(const Row& r, bool op_row, double clock_ghz, double dram_bpc) {
  json j;
  j["phase"] = r.phase;
  if (op_row) {
    j["op"] = r.name;
    j["unit"] = r.unit;
    if (!r.note.empty()) j["note"] = r.note;
  } else {
    j["layer"] = r.layer;
  }
  j["instances"] = r.instances;
  j["cycles"] = r.cycles;
  j["time_s"] = seconds(r.cycles, clock_ghz);
  j["busy_cycles"] = r.busy_cycles;
  j["macs"] = r.macs;
  if (op_row) j["utilization"] = utilization(r);
  j["dram_read_bytes"] = r.dram_read_bytes;
  j["dram_write_bytes"] = r.dram_write_bytes;
  j["sram_read_bytes"] = r.sram_read_bytes;
  j["sram_write_bytes"] = r.sram_write_bytes;
  if (op_row) {
    if (r.mapped) {
      j["mapping"] = r.mapping;
      if (r.mappings > 0) j["other_mappings"] = r.mappings;
    }
    j["compulsory_dram_bytes"] = r.compulsory_dram_bytes;
    const OpBound b = op_bound(r, dram_bpc);
    j["bound"] = b.bound;
    j["bound_fraction"] = b.fraction;
    json f;
    f["compute"] = b.compute;
    f["dram"] = b.dram;
    f["sram_ports"] = b.sram_ports;
    f["fill"] = b.fill;
    j["limit_fractions"] = f;
  }
  j["energy_pj"] = energy_json(r.energy);
  json ev;
  for (int i = 0; i < kNumEv; ++i) {
    if (r.events.n[i]) ev[ev_name(static_cast<Ev>(i))] = r.events.n[i];
  }
  j["events"] = ev;
  return j;
}

}  // namespace

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
  r.prefill_s = seconds(r.prefill_cycles, ds.clock_ghz);
  r.decode_s = seconds(r.decode_cycles, ds.clock_ghz);
  r.total_s = seconds(r.total_cycles, ds.clock_ghz);
  const int64_t steps = sc.generated_tokens - 1;  // the prefill yields the first token
  r.time_per_output_token_s = steps > 0 ? r.decode_s / static_cast<double>(steps) : 0;
  r.decode_tokens_per_s = r.time_per_output_token_s > 0 ? static_cast<double>(sc.batch) / r.time_per_output_token_s : 0;
  r.end_to_end_tokens_per_s = static_cast<double>(sc.batch * sc.generated_tokens) / r.total_s;
  r.footprint = d.footprint;
  r.resolved_design_yaml = ds.resolved_yaml();
  r.area = design_area(ds);
  r.linear_peak_macs = linear_peak_macs(ds);
  r.dram_peak_gb_s = static_cast<double>(ds.dram.channels) * ds.dram.peak_gb_s_per_channel();
  r.max_batch_in_dram = max_batch_in_dram(run.workload, ds);
  r.max_context_in_dram = max_context_in_dram(run.workload, ds);
  r.buffer_peak = peak_buffer_occupancy(p);
  r.weight_buffer_bytes = ds.weight_buffer.bytes();
  r.activation_buffer_bytes = ds.activation_buffer.bytes();
  r.weight_source = run.weight_source;
  r.layer_zero_fraction = run.layer_zero_fraction;
  r.dram_capacity_bytes = static_cast<uint64_t>(ds.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);

  // Per-key rows from all modules.
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
    UnitRow u;
    u.name = m.name;
    u.kind = m.kind;
    u.peak_macs_per_cycle = m.peak_macs_per_cycle;
    u.leakage_uw = m.leakage_uw;
    u.leakage_pj = m.leakage_uw * static_cast<double>(d.total_cycles) * ns * kUwNsToPj;
    u.dynamic_pj += m.dram_static_uw * static_cast<double>(d.total_cycles) * ns * kUwNsToPj;
    for (size_t k = 0; k < m.per_key.size(); ++k) {
      Row& row = key_rows[k];
      EnergyBreakdown e = price(m.per_key[k], m.prices);
      e[EnergyClass::Leakage] = 0;
      row.energy += e;
      u.dynamic_pj += e.total();
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
      for (size_t k = 0; k < m.busy_per_key.size(); ++k) {
        key_rows[k].busy_cycles += m.busy_per_key[k];
        u.busy_cycles += m.busy_per_key[k];
      }
    }
    for (size_t k = 0; k < m.macs_per_key.size(); ++k) {
      key_rows[k].macs += m.macs_per_key[k];
      u.macs += m.macs_per_key[k];
    }
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
  // Unit, note and instance counts per key come from the program.
  std::map<uint32_t, const ProgramOp*> key_op;
  for (const auto& po : p.ops) {
    key_op.emplace(po.stat_key, &po);
    Row& kr = key_rows[po.stat_key];
    ++kr.instances;
    const OpMapping& m = po.mapping;
    if (m.searched) {
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
    if (kr.phase == "prefill")
      r.prefill_energy += kr.energy;
    else
      r.decode_energy += kr.energy;
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
    f["fp16_weights_bytes"] = r.footprint.fp16_weights;
    f["lut_weights_bytes"] = r.footprint.lut_weights;
    f["kv_cache_bytes"] = r.footprint.kv_cache;
    f["peak_activation_bytes"] = r.footprint.peak_activations;
    f["peak_bytes"] = r.footprint.peak();
    f["dram_capacity_bytes"] = r.max_batch_in_dram < 0 ? json() : json(r.dram_capacity_bytes);
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
    d["iso_note"] = r.iso_note;
    json wsrc;
    wsrc["source"] = r.weight_source;
    wsrc["layer_zero_fraction"] = r.layer_zero_fraction;
    d["weights"] = wsrc;
    json units = json::array();
    for (const auto& u : r.units) {
      json j;
      j["name"] = u.name;
      j["kind"] = u.kind;
      j["busy_cycles"] = u.busy_cycles;
      j["macs"] = u.macs;
      j["utilization"] = utilization(u, r.total_cycles);
      j["busy_fraction"] = r.total_cycles ? static_cast<double>(u.busy_cycles) / r.total_cycles : 0.0;
      j["dynamic_energy_pj"] = u.dynamic_pj;
      j["leakage_uw"] = u.leakage_uw;
      j["leakage_energy_pj"] = u.leakage_pj;
      units.push_back(j);
    }
    d["units"] = units;
    json chans = json::array();
    for (const auto& c : r.dram_channels) {
      json j;
      j["name"] = c.name;
      j["read_bytes"] = c.read_bytes;
      j["write_bytes"] = c.write_bytes;
      j["transfers"] = c.transfers;
      j["achieved_gb_s"] = c.achieved_gb_s;
      j["row_hit_rate"] = c.row_hit_rate;
      j["avg_queue_delay_ns"] = c.avg_queue_delay_ns;
      j["activates"] = c.activates;
      j["precharges"] = c.precharges;
      j["read_bursts"] = c.read_bursts;
      j["write_bursts"] = c.write_bursts;
      j["refreshes"] = c.refreshes;
      json e;
      e["activate"] = c.act_pj;
      e["precharge"] = c.pre_pj;
      e["read"] = c.read_pj;
      e["write"] = c.write_pj;
      e["refresh"] = c.refresh_pj;
      e["background"] = c.background_pj;
      e["total"] = c.total_pj();
      j["energy_pj"] = e;
      chans.push_back(j);
    }
    d["dram_channels"] = chans;
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
    for (const auto& o : r.ops) ops.push_back(row_json(o, true, r.clock_ghz, dram_bytes_per_cycle(r)));
    d["ops"] = ops;
    json layers = json::array();
    for (const auto& l : r.layers) layers.push_back(row_json(l, false, r.clock_ghz, 0));
    d["layers"] = layers;
    designs.push_back(d);
  }
  root["designs"] = designs;
  if (reports.size() == 2) {
    const auto& a = reports[0];
    const auto& b = reports[1];
    json rt;
    rt["definition"] = b.name + " / " + a.name;
    auto ratio = [](double x, double y) { return y != 0 ? x / y : 0.0; };
    rt["prefill_latency"] = ratio(b.prefill_s, a.prefill_s);
    rt["time_per_output_token"] = ratio(b.time_per_output_token_s, a.time_per_output_token_s);
    rt["total_time"] = ratio(b.total_s, a.total_s);
    rt["energy_total"] = ratio(b.energy.total(), a.energy.total());
    rt["energy_per_generated_token"] = ratio(b.energy_per_generated_token_pj, a.energy_per_generated_token_pj);
    for (int c = 0; c < kNumEnergyClass; ++c) {
      rt[std::string("energy_") + energy_class_name(static_cast<EnergyClass>(c))] =
          ratio(b.energy.pj[c], a.energy.pj[c]);
    }
    rt["weights_bytes"] = ratio(static_cast<double>(b.footprint.weights), static_cast<double>(a.footprint.weights));
    rt["peak_bytes"] = ratio(static_cast<double>(b.footprint.peak()), static_cast<double>(a.footprint.peak()));
    rt["dram_bytes"] = ratio(static_cast<double>(b.dram_read_bytes + b.dram_write_bytes),
                             static_cast<double>(a.dram_read_bytes + a.dram_write_bytes));
    root["ratios"] = rt;
  }
  return root.dump(2) + "\n";
}

namespace {
std::string csv_rows(const std::vector<DesignReport>& reports, bool ops) {
  std::ostringstream os;
  os << "design,phase," << (ops ? "op,unit," : "layer,") << "instances,cycles,time_s,busy_cycles,macs,"
     << (ops ? "utilization," : "")
     << "dram_read_bytes,dram_write_bytes,sram_read_bytes,sram_write_bytes,"
        "energy_compute_pj,energy_sram_pj,energy_dram_pj,energy_leakage_pj,energy_total_pj"
     << (ops ? ",mapping,compulsory_dram_bytes,dram_over_compulsory,bound,bound_fraction" : "") << "\n";
  for (const auto& r : reports) {
    for (const Row& x : ops ? r.ops : r.layers) {
      os << r.name << "," << x.phase << ",";
      if (ops)
        os << x.name << "," << x.unit << ",";
      else
        os << x.layer << ",";
      os << x.instances << "," << x.cycles << "," << fmt(seconds(x.cycles, r.clock_ghz), 10) << "," << x.busy_cycles
         << "," << x.macs << ",";
      if (ops) os << fmt(utilization(x), 6) << ",";
      os << x.dram_read_bytes << "," << x.dram_write_bytes << "," << x.sram_read_bytes << "," << x.sram_write_bytes;
      for (int c = 0; c < kNumEnergyClass; ++c) os << "," << fmt(x.energy.pj[c], 10);
      os << "," << fmt(x.energy.total(), 10);
      if (ops) {
        const OpBound b = op_bound(x, dram_bytes_per_cycle(r));
        const double moved = static_cast<double>(x.dram_read_bytes + x.dram_write_bytes);
        os << "," << (x.mapped ? x.mapping : "-") << "," << x.compulsory_dram_bytes << ","
           << (x.compulsory_dram_bytes ? fmt(moved / static_cast<double>(x.compulsory_dram_bytes), 6) : "-") << ","
           << b.bound << "," << fmt(b.fraction, 4);
      }
      os << "\n";
    }
  }
  return os.str();
}

bool decode_only_line(const std::string& label) {
  return label == "time per output token" || label == "decode tokens/s" || label == "decode energy per token";
}

std::string zero_fraction_list(const DesignReport& r) {
  std::string s;
  for (size_t l = 0; l < r.layer_zero_fraction.size(); ++l) {
    s += (l ? ", " : "") + std::to_string(l) + ": " + fmt(r.layer_zero_fraction[l], 4);
  }
  return s;
}

struct Line {
  std::string label;
  std::vector<std::string> vals;
  std::string ratio;
};

std::vector<Line> summary_lines(const std::vector<DesignReport>& rs) {
  std::vector<Line> lines;
  auto add = [&](const std::string& label, auto value, auto text) {
    Line l;
    l.label = label;
    for (const auto& r : rs) l.vals.push_back(text(value(r)));
    if (rs.size() == 2) {
      double a = value(rs[0]), b = value(rs[1]);
      l.ratio = a != 0 ? fmt(b / a, 4) + "x" : "-";
    }
    lines.push_back(l);
  };
  auto T = [](double s) { return human_time(s); };
  auto E = [](double pj) { return human_energy_pj(pj); };
  auto B = [](double b) { return human_bytes(b); };
  auto N = [](double v) { return fmt(v, 6); };
  add(
      "prefill latency", [](const DesignReport& r) { return r.prefill_s; }, T);
  add(
      "time per output token", [](const DesignReport& r) { return r.time_per_output_token_s; }, T);
  add(
      "decode tokens/s", [](const DesignReport& r) { return r.decode_tokens_per_s; }, N);
  add(
      "end-to-end tokens/s", [](const DesignReport& r) { return r.end_to_end_tokens_per_s; }, N);
  add(
      "total time", [](const DesignReport& r) { return r.total_s; }, T);
  add(
      "total cycles", [](const DesignReport& r) { return static_cast<double>(r.total_cycles); }, N);
  add(
      "energy total", [](const DesignReport& r) { return r.energy.total(); }, E);
  for (int c = 0; c < kNumEnergyClass; ++c) {
    add(
        std::string("  energy ") + energy_class_name(static_cast<EnergyClass>(c)),
        [c](const DesignReport& r) { return r.energy.pj[c]; }, E);
  }
  add(
      "attention cycles", [](const DesignReport& r) { return static_cast<double>(r.attention_cycles); }, N);
  add(
      "attention energy", [](const DesignReport& r) { return r.attention_energy.total(); }, E);
  add(
      "energy per generated token", [](const DesignReport& r) { return r.energy_per_generated_token_pj; }, E);
  add(
      "decode energy per token", [](const DesignReport& r) { return r.decode_energy_per_token_pj; }, E);
  add(
      "weights", [](const DesignReport& r) { return static_cast<double>(r.footprint.weights); }, B);
  add(
      "KV cache (max context)", [](const DesignReport& r) { return static_cast<double>(r.footprint.kv_cache); }, B);
  add(
      "peak activations", [](const DesignReport& r) { return static_cast<double>(r.footprint.peak_activations); }, B);
  add(
      "peak memory", [](const DesignReport& r) { return static_cast<double>(r.footprint.peak()); }, B);
  add(
      "peak weight-buffer occupancy",
      [](const DesignReport& r) { return static_cast<double>(r.buffer_peak.weight_bytes); }, B);
  add(
      "peak activation-buffer occupancy",
      [](const DesignReport& r) { return static_cast<double>(r.buffer_peak.activation_bytes); }, B);
  add(
      "DRAM traffic", [](const DesignReport& r) { return static_cast<double>(r.dram_read_bytes + r.dram_write_bytes); },
      B);
  add(
      "area (mm2)", [](const DesignReport& r) { return r.area.total_mm2(); }, N);
  add(
      "peak linear MACs/cycle", [](const DesignReport& r) { return static_cast<double>(r.linear_peak_macs); }, N);
  bool lut = false;
  for (const auto& r : rs) lut = lut || r.lut_mlp.present;
  if (lut) {
    auto per_block = [](const DesignReport& r, double v) {
      return r.lut_mlp.blocks ? v / double(r.lut_mlp.blocks) : 0.0;
    };
    add(
        "MLP MACs removed", [](const DesignReport& r) { return double(r.lut_mlp.macs_removed); }, N);
    add(
        "  fraction of all MACs", [](const DesignReport& r) { return r.lut_mlp.macs_removed_fraction; }, N);
    add(
        "LUT lookups", [](const DesignReport& r) { return double(r.lut_mlp.lookups); }, N);
    add(
        "LUT bank-conflict stalls", [](const DesignReport& r) { return double(r.lut_mlp.conflict_stall_cycles); }, N);
    add(
        "LUT tables streamed", [](const DesignReport& r) { return double(r.lut_mlp.streamed_table_bits) / 8; }, B);
    // Per MLP block: the LUT block on a design with a LUT unit, the MAC MLP it replaces elsewhere.
    add(
        "MLP cycles per block", [&](const DesignReport& r) { return per_block(r, double(r.lut_mlp.cycles)); }, N);
    add(
        "MLP energy per block", [&](const DesignReport& r) { return per_block(r, r.lut_mlp.energy_pj); }, E);
  }
  bool capacity = false;
  for (const auto& r : rs) capacity = capacity || r.max_batch_in_dram >= 0;
  if (capacity) {
    add(
        "DRAM capacity", [](const DesignReport& r) { return static_cast<double>(r.dram_capacity_bytes); }, B);
    add(
        "max batch in DRAM", [](const DesignReport& r) { return static_cast<double>(r.max_batch_in_dram); }, N);
    add(
        "max context in DRAM (tokens)",
        [](const DesignReport& r) { return static_cast<double>(r.max_context_in_dram); }, N);
  }
  return lines;
}
}  // namespace

std::string ops_csv(const std::vector<DesignReport>& reports) { return csv_rows(reports, true); }

std::string dram_csv(const std::vector<DesignReport>& reports) {
  std::ostringstream os;
  os << "design,channel,read_bytes,write_bytes,transfers,achieved_gb_s,row_hit_rate,avg_queue_delay_ns,activates,"
        "precharges,read_bursts,write_bursts,refreshes,energy_activate_pj,energy_precharge_pj,energy_read_pj,"
        "energy_write_pj,energy_refresh_pj,energy_background_pj,energy_total_pj\n";
  for (const auto& r : reports) {
    for (const auto& c : r.dram_channels) {
      os << r.name << "," << c.name << "," << c.read_bytes << "," << c.write_bytes << "," << c.transfers << ","
         << fmt(c.achieved_gb_s, 6) << "," << fmt(c.row_hit_rate, 6) << "," << fmt(c.avg_queue_delay_ns, 6) << ","
         << c.activates << "," << c.precharges << "," << c.read_bursts << "," << c.write_bursts << "," << c.refreshes
         << "," << fmt(c.act_pj, 10) << "," << fmt(c.pre_pj, 10) << "," << fmt(c.read_pj, 10) << ","
         << fmt(c.write_pj, 10) << "," << fmt(c.refresh_pj, 10) << "," << fmt(c.background_pj, 10) << ","
         << fmt(c.total_pj(), 10) << "\n";
    }
  }
  return os.str();
}
std::string layers_csv(const std::vector<DesignReport>& reports) { return csv_rows(reports, false); }

std::string console_table(const WorkloadSpec& w, const std::vector<DesignReport>& rs) {
  std::ostringstream os;
  if (w.model.encoder()) {
    os << "workload " << w.name << ": batch " << w.scenario.batch << " images, " << w.scenario.prompt_tokens
       << " tokens per image, one forward pass (the prefill rows; tokens/s = images/s)\n";
  } else {
    os << "workload " << w.name << ": batch " << w.scenario.batch << ", " << w.scenario.prompt_tokens
       << " prompt tokens, " << w.scenario.generated_tokens << " generated tokens\n";
  }
  auto lines = summary_lines(rs);
  const int lw = 28, vw = 16;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-*s", lw, "");
  os << buf;
  for (const auto& r : rs) {
    std::snprintf(buf, sizeof buf, "%*s", vw, r.name.c_str());
    os << buf;
  }
  if (rs.size() == 2) {
    std::snprintf(buf, sizeof buf, "%*s", vw, (rs[1].name + "/" + rs[0].name).c_str());
    os << buf;
  }
  os << "\n";
  for (const auto& l : lines) {
    if (w.model.encoder() && decode_only_line(l.label)) continue;  // an encoder has no decode phase
    std::snprintf(buf, sizeof buf, "%-*s", lw, l.label.c_str());
    os << buf;
    for (const auto& v : l.vals) {
      std::snprintf(buf, sizeof buf, "%*s", vw, v.c_str());
      os << buf;
    }
    if (rs.size() == 2) {
      std::snprintf(buf, sizeof buf, "%*s", vw, l.ratio.c_str());
      os << buf;
    }
    os << "\n";
  }
  if (!rs.empty()) os << "weights: " << rs[0].weight_source << "\n";
  if (!rs.empty() && !rs[0].layer_zero_fraction.empty())
    os << "zero weights per layer: " << zero_fraction_list(rs[0]) << "\n";
  for (const auto& r : rs) {
    for (const auto& c : r.dram_channels) {
      os << "dram [" << r.name << "] " << c.name.substr(c.name.find('.') + 1) << ": " << fmt(c.achieved_gb_s, 4)
         << " GB/s, row hits " << fmt(c.row_hit_rate * 100, 4) << "%, queue " << fmt(c.avg_queue_delay_ns, 4) << " ns, "
         << human_energy_pj(c.total_pj()) << "\n";
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
         << (o.mappings ? " (+" + std::to_string(o.mappings) + " other)" : "") << "; DRAM " << human_bytes(moved);
      if (o.compulsory_dram_bytes)
        os << " = " << fmt(moved / static_cast<double>(o.compulsory_dram_bytes), 3) << "x compulsory";
      os << "; " << b.bound << "-bound at " << fmt(b.fraction * 100, 3) << "% (compute " << fmt(b.compute * 100, 3)
         << "%, DRAM " << fmt(b.dram * 100, 3) << "% of peak)\n";
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
  os << "\n| metric |";
  for (const auto& r : rs) os << " " << r.name << " |";
  if (rs.size() == 2) os << " " << rs[1].name << " / " << rs[0].name << " |";
  os << "\n|---|";
  for (size_t i = 0; i < rs.size() + (rs.size() == 2); ++i) os << "---:|";
  os << "\n";
  for (const auto& l : summary_lines(rs)) {
    if (w.model.encoder() && decode_only_line(l.label)) continue;
    os << "| " << l.label << " |";
    for (const auto& v : l.vals) os << " " << v << " |";
    if (rs.size() == 2) os << " " << l.ratio << " |";
    os << "\n";
  }
  for (const auto& r : rs) {
    os << "\n## " << r.name << ": operations\n\n";
    os << "| phase | op | unit | cycles | utilization | DRAM bytes | x compulsory | bound | energy | mapping |\n"
       << "|---|---|---|---:|---:|---:|---:|---|---:|---|\n";
    for (const auto& o : r.ops) {
      const OpBound b = op_bound(o, dram_bytes_per_cycle(r));
      const double moved = static_cast<double>(o.dram_read_bytes + o.dram_write_bytes);
      os << "| " << o.phase << " | " << o.name << " | " << o.unit << " | " << o.cycles << " | "
         << fmt(utilization(o), 3) << " | " << human_bytes(moved) << " | "
         << (o.compulsory_dram_bytes ? fmt(moved / static_cast<double>(o.compulsory_dram_bytes), 3) : "-") << " | "
         << b.bound << " " << fmt(b.fraction * 100, 3) << "% | " << human_energy_pj(o.energy.total()) << " | "
         << (o.mapped ? o.mapping : "") << " |\n";
    }
    os << "\n## " << r.name << ": area\n\n| block | how | area (mm2) |\n|---|---|---:|\n";
    for (const auto& a : r.area.items)
      os << "| " << a.name << " | " << a.what << " | " << fmt(a.um2 * 1e-6, 4) << " |\n";
    os << "| total | | " << fmt(r.area.total_mm2(), 4) << " |\n";
    if (!r.iso_note.empty()) os << "\nBudget: " << r.iso_note << "\n";
    os << "\n## " << r.name << ": units\n\n";
    os << "| unit | kind | busy cycles | MACs | utilization | dynamic energy | leakage energy |\n"
       << "|---|---|---:|---:|---:|---:|---:|\n";
    for (const auto& u : r.units) {
      os << "| " << u.name << " | " << u.kind << " | " << u.busy_cycles << " | " << u.macs << " | "
         << fmt(utilization(u, r.total_cycles), 3) << " | " << human_energy_pj(u.dynamic_pj) << " | "
         << human_energy_pj(u.leakage_pj) << " |\n";
    }
    if (!r.dram_channels.empty()) {
      os << "\n## " << r.name << ": DRAM channels\n\n";
      os << "| channel | GB/s | row-hit rate | avg queue delay | activate | precharge | read | write | refresh | "
            "background | total |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
      for (const auto& c : r.dram_channels) {
        os << "| " << c.name << " | " << fmt(c.achieved_gb_s, 4) << " | " << fmt(c.row_hit_rate, 4) << " | "
           << fmt(c.avg_queue_delay_ns, 4) << " ns | " << human_energy_pj(c.act_pj) << " | "
           << human_energy_pj(c.pre_pj) << " | " << human_energy_pj(c.read_pj) << " | " << human_energy_pj(c.write_pj)
           << " | " << human_energy_pj(c.refresh_pj) << " | " << human_energy_pj(c.background_pj) << " | "
           << human_energy_pj(c.total_pj()) << " |\n";
      }
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
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ConfigError(dir + ": cannot create output folder: " + ec.message());
  auto put = [&](const std::string& name, const std::string& text) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    if (!out) throw ConfigError(dir + "/" + name + ": cannot write");
    out << text;
  };
  put("report.json", to_json(w, rs));
  put("ops.csv", ops_csv(rs));
  put("layers.csv", layers_csv(rs));
  put("dram.csv", dram_csv(rs));
  put("summary.md", summary_markdown(w, rs));
  put("workload.resolved.yaml", w.resolved_yaml());
  for (const auto& r : rs) put("design_" + r.name + ".resolved.yaml", r.resolved_design_yaml);
}

}  // namespace lpusim
