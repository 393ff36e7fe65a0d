#include "report/gemm_timing.h"
#include "report/metrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "base/config_error.h"
#include "base/math.h"
#include "compiler/compiler.h"
#include "compiler/mapper.h"
#include "datapath/systolic.h"
#include "report/report.h"
#include "simulate/simulate.h"

namespace lpusim {

namespace {

// The weight precision a weight-GEMM array runs (false if the unit runs no weight GEMMs).
bool weight_gemm_array(const UnitSpec& u, Precision* weights) {
  const UnitInfo* info = UnitRegistry::instance().find(u.impl);
  if (!info) return false;
  if (info->caps.count(Capability::TernaryGemm)) {
    *weights = Precision::Ternary;
  } else if (info->caps.count(Capability::IntGemm)) {
    *weights = u.i("weight_bits") == 4 ? Precision::Int4 : Precision::Int8;
  } else if (info->caps.count(Capability::Fp16Gemm)) {
    *weights = Precision::Fp16;
  } else {
    return false;
  }
  return true;
}

std::string g(double v, int prec = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", prec, v);
  return buf;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string x;
  while (std::getline(ss, x, ',')) f.push_back(trim(x));
  if (!line.empty() && line.back() == ',') f.push_back("");
  if (!f.empty() && f.back().empty()) f.pop_back();  // SCALE-Sim's trailing comma
  return f;
}

}  // namespace

DesignSpec gemm_design(const DesignSpec& d, const GemmTimingOptions& o, Precision* weights_out) {
  DesignSpec r = d;
  r.units.clear();
  r.attention = AttentionSpec{};
  Precision weights = Precision::Fp16;
  if (!o.unit.empty()) {
    const UnitSpec* u = nullptr;
    for (const auto& x : d.units)
      if (x.name == o.unit) u = &x;
    if (!u) throw ConfigError(d.file + ": units: no unit named '" + o.unit + "' (--unit)");
    if (!weight_gemm_array(*u, &weights)) {
      throw ConfigError(d.file + ": units." + o.unit + ": impl " + u->impl +
                        " does not run weight GEMMs (use a ternary_mac_array, an int_mac_array or an fp16_mac_array)");
    }
    r.units.push_back(*u);
  } else {
    // The linear layers' arrays: ternary, else integer (INT8 weights, or INT4 on 4-bit arrays), else FP16.
    GemmPath p = choose_gemm_unit(d, WeightClass::Ternary);
    if (p.path != "ternary") {
      for (WeightClass wc : {WeightClass::Int8, WeightClass::Int4}) {
        const GemmPath ip = choose_gemm_unit(d, wc);
        if (ip.path == "int") {
          p = ip;
          weights = wc == WeightClass::Int8 ? Precision::Int8 : Precision::Int4;
          break;
        }
      }
    }
    if (p.path == "vector") {
      throw ConfigError(
          d.file +
          ": units: no MAC array for weight GEMMs (add a ternary_mac_array, an int_mac_array or an fp16_mac_array)");
    }
    if (p.path == "ternary") weights = Precision::Ternary;
    for (const UnitSpec* u : p.arrays) r.units.push_back(*u);
  }
  if (weights_out) *weights_out = weights;
  if (o.whole) r.mapper_tiling = "whole";
  return r;
}

GemmTimingRun time_gemms(const DesignSpec& d, const std::vector<GemmJob>& jobs, const GemmTimingOptions& o) {
  if (jobs.empty()) throw ConfigError("no GEMMs to time");
  Precision weights = Precision::Fp16;
  const DesignSpec rd = gemm_design(d, o, &weights);
  std::vector<GemmListEntry> entries;
  for (const GemmJob& j : jobs) {
    if (j.m == 0 || j.k == 0 || j.n == 0) throw ConfigError("GEMM '" + j.name + "': M, K and N must be positive");
    entries.push_back({j.name, j.m, j.k, j.n, weights});
  }
  const WorkloadSpec w = gemm_list_workload("gemm_list", entries, o.zero_fraction, o.seed);
  // Layers in isolation, as SCALE-Sim runs them: each op's loads wait for the previous op to complete.
  const SimulationRun run = simulate(w, {rd}, false, {}, true);
  const DesignRun& dr = run.designs.at(0);
  const Program& p = dr.program;
  const std::vector<Row> rows = per_key_rows(dr);

  GemmTimingRun out;
  out.design = rd.name;
  out.design_file = rd.file;
  out.clock_ghz = rd.clock_ghz;
  out.weight_source = run.weight_source;
  out.total_cycles = dr.total_cycles;
  for (const auto& m : dr.modules) {
    if (m.scalars.count("sram_stall_cycles"))
      out.sram_stall_cycles += static_cast<uint64_t>(m.scalars.at("sram_stall_cycles"));
  }
  if (p.ops.size() != jobs.size()) throw std::logic_error("gemm timing: one program op per GEMM expected");
  for (size_t i = 0; i < jobs.size(); ++i) {
    const ProgramOp& po = p.ops[i];
    const Row& row = rows.at(po.stat_key);
    GemmTiming t;
    t.gemm = jobs[i];
    GemmTimingMapping& mp = t.mapping;
    const UnitSpec& u = rd.units.at(po.unit);
    mp.unit = po.unit_name;
    mp.impl = u.impl;
    mp.weights = precision_name(weights);
    mp.dataflow = u.e("dataflow");
    mp.timing = u.e("timing");
    const ArrayShape shape0 = array_shape(u);
    mp.rows = shape0.rows;
    mp.cols = shape0.cols;
    mp.unpack_stages = shape0.unpack_stages;
    mp.note = po.note;
    mp.tiles = po.num_tiles;
    std::set<std::string> arrays;  // the modules that ran this op's tiles
    for (uint32_t ti = po.first_tile; ti < po.first_tile + po.num_tiles; ++ti) {
      const Tile& tl = p.tiles[ti];
      const UnitSpec& tu = rd.units.at(tl.unit);
      arrays.insert(tu.name);
      mp.tm = std::max(mp.tm, tl.m);
      mp.tk = std::max(mp.tk, tl.k);
      mp.tn = std::max(mp.tn, tl.n);
      const bool sparse = tu.enums.count("weight_format") && tu.e("weight_format") == "sparse";
      const SystolicTiming s =
          systolic_gemm(array_shape(tu), tl.m, tl.k, tl.n, sparse ? tl.nfold_stream.get() : nullptr);
      mp.folds += s.folds;
      mp.closed_form_cycles += s.cycles;
      mp.load_weight_bytes += tl.load_weight_bytes;
      mp.load_act_bytes += tl.load_act_bytes;
      mp.store_bytes += tl.store_bytes;
    }
    if (!(u.enums.count("weight_format") && u.e("weight_format") == "sparse"))
      mp.whole_gemm_cycles = systolic_gemm(shape0, t.gemm.m, t.gemm.k, t.gemm.n).cycles;
    mp.m_tiles = ceil_div(t.gemm.m, mp.tm);
    mp.k_tiles = ceil_div(t.gemm.k, mp.tk);
    mp.n_tiles = ceil_div(t.gemm.n, mp.tn);
    for (const auto& m : dr.modules) {
      const std::string leaf = m.name.substr(m.name.rfind('.') + 1);
      if (arrays.count(leaf) && po.stat_key < m.busy_per_key.size()) t.array_cycles += m.busy_per_key[po.stat_key];
    }
    t.cycles = row.cycles;
    t.macs = row.macs;
    t.peak_macs_per_cycle = row.peak_macs_per_cycle;
    t.utilization = row_utilization(row);
    t.sram_read_bytes = row.sram_read_bytes;
    t.sram_write_bytes = row.sram_write_bytes;
    t.dram_read_bytes = row.dram_read_bytes;
    t.dram_write_bytes = row.dram_write_bytes;
    t.energy = row.energy;
    out.energy += row.energy;
    out.gemms.push_back(std::move(t));
  }
  return out;
}

std::vector<GemmJob> parse_topology_csv(const std::string& text, const std::string& file) {
  std::vector<GemmJob> jobs;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  bool header = false;
  auto fail = [&](const std::string& msg) { throw ConfigError(file + ":" + std::to_string(lineno) + ": " + msg); };
  while (std::getline(in, line)) {
    ++lineno;
    if (trim(line).empty()) continue;
    const std::vector<std::string> f = split_fields(line);
    if (!header) {
      std::vector<std::string> up;
      for (const auto& x : f) {
        std::string u = x;
        for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        up.push_back(u);
      }
      if (up != std::vector<std::string>{"LAYER", "M", "N", "K"})
        fail("expected SCALE-Sim's GEMM topology header 'Layer, M, N, K,', got '" + trim(line) + "'");
      header = true;
      continue;
    }
    if (f.size() != 4) {
      fail("expected 4 fields 'name, M, N, K,', got " + std::to_string(f.size()) + " in '" + trim(line) + "'");
    }
    if (f[0].empty()) fail("empty layer name");
    GemmJob j;
    j.name = f[0];
    j.line = lineno;
    const char* dim[3] = {"M", "N", "K"};
    uint64_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i) {
      const std::string& s = f[1 + i];
      const bool digits = !s.empty() && s.size() <= 12 && s.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoull(s) == 0) {
        fail("layer '" + j.name + "': " + dim[i] + " must be a positive integer, got '" + s + "'");
      }
      v[i] = std::stoull(s);
    }
    j.m = v[0], j.n = v[1], j.k = v[2];
    jobs.push_back(j);
  }
  if (!header) throw ConfigError(file + ":1: empty topology (expected the header 'Layer, M, N, K,')");
  if (jobs.empty()) throw ConfigError(file + ":" + std::to_string(lineno) + ": no layers after the header");
  return jobs;
}

std::vector<GemmJob> load_topology_csv(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConfigError(path + ": cannot open the topology file");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_topology_csv(ss.str(), path);
}

std::string gemm_timing_text(const GemmTimingRun& r) {
  std::ostringstream os;
  for (const GemmTiming& t : r.gemms) {
    const GemmTimingMapping& mp = t.mapping;
    auto u = [](uint64_t v) { return std::to_string(v); };
    os << "gemm timing " << r.design << "." << mp.unit << " (" << mp.impl << " " << mp.rows << "x" << mp.cols << " "
       << mp.dataflow << ", timing " << mp.timing;
    if (mp.unpack_stages) os << ", " << mp.unpack_stages << " unpack stages";
    os << ", " << mp.weights << " weights)\n";
    os << "  shape        M " << t.gemm.m << "  K " << t.gemm.k << "  N " << t.gemm.n << "  (" << t.macs << " MACs)\n";
    os << "  mapping      " << mp.tiles << (mp.tiles == 1 ? " tile" : " tiles") << " of up to " << mp.tm << " x "
       << mp.tk << " x " << mp.tn << " (m x k x n; " << mp.m_tiles << " x " << mp.k_tiles << " x " << mp.n_tiles
       << " along M, K, N), " << mp.folds << " array folds\n";
    os << "               DRAM plan: weights " << mp.load_weight_bytes << " B loaded, activations "
       << (mp.load_act_bytes ? u(mp.load_act_bytes) + " B loaded" : std::string("on chip (fit half the buffer)"))
       << ", outputs " << (mp.store_bytes ? u(mp.store_bytes) + " B stored" : std::string("kept on chip")) << "\n";
    if (!mp.note.empty()) os << "  note         " << mp.note << "\n";
    os << "  cycles       " << t.cycles << " (critical path: loads, compute, stores)\n";
    os << "  array        " << t.array_cycles << " cycles computing = closed form " << mp.closed_form_cycles << " + "
       << (t.array_cycles - std::min(t.array_cycles, mp.closed_form_cycles)) << " SRAM port stalls\n";
    if (mp.tiles > 1 && mp.whole_gemm_cycles)
      os << "               (the whole GEMM as one fold sequence, untiled: " << mp.whole_gemm_cycles << ")\n";
    os << "  utilization  " << g(t.utilization, 4) << " of " << t.peak_macs_per_cycle
       << " MACs/cycle over the critical path ("
       << g(t.array_cycles ? static_cast<double>(t.macs) /
                                 (static_cast<double>(mp.rows * mp.cols) * static_cast<double>(t.array_cycles))
                           : 0,
            4)
       << " over the array cycles)\n";
    os << "  SRAM         " << t.sram_read_bytes << " B read, " << t.sram_write_bytes << " B written\n";
    os << "  DRAM         " << t.dram_read_bytes << " B read, " << t.dram_write_bytes << " B written\n";
    os << "  energy       ";
    for (int c = 0; c < kNumEnergyClass; ++c)
      os << energy_class_name(static_cast<EnergyClass>(c)) << " " << g(t.energy.pj[c]) << " pJ, ";
    os << "total " << g(t.energy.total()) << " pJ\n";
  }
  if (!r.gemms.empty() && r.gemms.front().mapping.weights == "ternary")
    os << "  weights      " << r.weight_source << "\n";
  return os.str();
}

namespace {
const char* kTopoColumns =
    "layer,name,M,N,K,unit,dataflow,timing,tiles,tm,tk,tn,folds,cycles,array_cycles,closed_form_cycles,whole_gemm_"
    "cycles,macs,"
    "utilization,sram_read_bytes,sram_write_bytes,dram_read_bytes,dram_write_bytes,energy_compute_pj,"
    "energy_sram_pj,energy_dram_pj,energy_leakage_pj,energy_total_pj";

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

std::string topology_csv(const GemmTimingRun& r) {
  std::ostringstream os;
  os << kTopoColumns << "\n";
  for (size_t i = 0; i < r.gemms.size(); ++i) {
    const GemmTiming& t = r.gemms[i];
    const GemmTimingMapping& mp = t.mapping;
    os << i << "," << csv_field(t.gemm.name) << "," << t.gemm.m << "," << t.gemm.n << "," << t.gemm.k << ","
       << csv_field(mp.unit) << "," << mp.dataflow << "," << mp.timing << "," << mp.tiles << "," << mp.tm << ","
       << mp.tk << "," << mp.tn << "," << mp.folds << "," << t.cycles << "," << t.array_cycles << ","
       << mp.closed_form_cycles << "," << mp.whole_gemm_cycles << "," << t.macs << "," << g(t.utilization) << ","
       << t.sram_read_bytes << "," << t.sram_write_bytes << "," << t.dram_read_bytes << "," << t.dram_write_bytes;
    for (int c = 0; c < kNumEnergyClass; ++c) os << "," << g(t.energy.pj[c], 9);
    os << "," << g(t.energy.total(), 9) << "\n";
  }
  return os.str();
}

std::string topology_json(const GemmTimingRun& r) {
  using json = nlohmann::ordered_json;
  json root;
  root["design"] = r.design;
  root["design_file"] = r.design_file;
  root["clock_ghz"] = r.clock_ghz;
  root["weights"] = r.weight_source;
  root["total_cycles"] = r.total_cycles;
  root["sram_stall_cycles"] = r.sram_stall_cycles;
  auto energy = [](const EnergyBreakdown& e) {
    json j;
    for (int c = 0; c < kNumEnergyClass; ++c) j[energy_class_name(static_cast<EnergyClass>(c))] = e.pj[c];
    j["total"] = e.total();
    return j;
  };
  root["energy_pj"] = energy(r.energy);
  json layers = json::array();
  for (size_t i = 0; i < r.gemms.size(); ++i) {
    const GemmTiming& t = r.gemms[i];
    const GemmTimingMapping& mp = t.mapping;
    json l;
    l["layer"] = i;
    l["name"] = t.gemm.name;
    l["M"] = t.gemm.m;
    l["N"] = t.gemm.n;
    l["K"] = t.gemm.k;
    json m;
    m["unit"] = mp.unit;
    m["impl"] = mp.impl;
    m["weights"] = mp.weights;
    m["dataflow"] = mp.dataflow;
    m["timing"] = mp.timing;
    m["rows"] = mp.rows;
    m["cols"] = mp.cols;
    m["tiles"] = mp.tiles;
    m["tile"] = {{"m", mp.tm}, {"k", mp.tk}, {"n", mp.tn}};
    m["folds"] = mp.folds;
    m["planned_dram_bytes"] = {{"weights_loaded", mp.load_weight_bytes},
                               {"activations_loaded", mp.load_act_bytes},
                               {"outputs_stored", mp.store_bytes}};
    if (!mp.note.empty()) m["note"] = mp.note;
    l["mapping"] = m;
    l["cycles"] = t.cycles;
    l["array_cycles"] = t.array_cycles;
    l["closed_form_cycles"] = mp.closed_form_cycles;
    l["whole_gemm_cycles"] = mp.whole_gemm_cycles;
    l["macs"] = t.macs;
    l["peak_macs_per_cycle"] = t.peak_macs_per_cycle;
    l["utilization"] = t.utilization;
    l["sram_read_bytes"] = t.sram_read_bytes;
    l["sram_write_bytes"] = t.sram_write_bytes;
    l["dram_read_bytes"] = t.dram_read_bytes;
    l["dram_write_bytes"] = t.dram_write_bytes;
    l["energy_pj"] = energy(t.energy);
    layers.push_back(l);
  }
  root["layers"] = layers;
  return root.dump(2) + "\n";
}

std::string topology_table(const GemmTimingRun& r) {
  std::ostringstream os;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-16s %7s %7s %7s %12s %12s %6s %12s %12s %12s %12s %12s\n", "layer", "M", "N", "K",
                "cycles", "array_cyc", "util", "sram_rd_B", "sram_wr_B", "dram_rd_B", "dram_wr_B", "energy_pJ");
  os << buf;
  for (const GemmTiming& t : r.gemms) {
    std::snprintf(buf, sizeof buf, "%-16s %7llu %7llu %7llu %12llu %12llu %6.3f %12llu %12llu %12llu %12llu %12.5g\n",
                  t.gemm.name.c_str(), static_cast<unsigned long long>(t.gemm.m),
                  static_cast<unsigned long long>(t.gemm.n), static_cast<unsigned long long>(t.gemm.k),
                  static_cast<unsigned long long>(t.cycles), static_cast<unsigned long long>(t.array_cycles),
                  t.utilization, static_cast<unsigned long long>(t.sram_read_bytes),
                  static_cast<unsigned long long>(t.sram_write_bytes),
                  static_cast<unsigned long long>(t.dram_read_bytes),
                  static_cast<unsigned long long>(t.dram_write_bytes), t.energy.total());
    os << buf;
  }
  const GemmTimingMapping& mp = r.gemms.front().mapping;
  os << "total cycles " << r.total_cycles << ", energy " << g(r.energy.total()) << " pJ (";
  for (int c = 0; c < kNumEnergyClass; ++c)
    os << (c ? ", " : "") << energy_class_name(static_cast<EnergyClass>(c)) << " " << g(r.energy.pj[c]);
  os << "), SRAM port stalls " << r.sram_stall_cycles << " cycles\n";
  os << "design " << r.design << ": " << mp.unit << " (" << mp.impl << " " << mp.rows << "x" << mp.cols << " "
     << mp.dataflow << ", timing " << mp.timing << ", " << mp.weights << " weights";
  if (mp.weights == "ternary") os << "; " << r.weight_source;
  os << ")\n";
  return os.str();
}

}  // namespace lpusim
