#include "cli/dram_trace_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/config_error.h"
#include "base/parse.h"
#include "config/loaders.h"
#include "memory/dram_trace.h"
#include "spec/design.h"

namespace lpusim {

const char* kDramTraceHelp =
    "usage: lpusim dram-trace DESIGN TRACE [--outstanding W] [-o DIR]\n"
    "\n"
    "Drives DESIGN's DRAM (its preset, channels, address mapping and queues) with the transaction\n"
    "trace TRACE: one transaction per line, 'R <address> <bytes>' or 'W <address> <bytes>', the\n"
    "numbers in decimal or 0x-hex, '#' comments. Transactions are issued in file order with at most\n"
    "W in flight (default 1). Prints time, bandwidth (GB/s and the peak), row-hit rate, ACT/PRE/RD/\n"
    "WR/REF counts, energy by operation and transaction latency percentiles; with -o, writes them to\n"
    "DIR/dram_trace.json. A bad trace line is an error naming FILE:LINE (exit 2).\n";

namespace {

const char* kHint = "lpusim dram-trace --help";

nlohmann::json to_json(const DramTraceResult& r, const std::string& design, const std::string& trace) {
  nlohmann::json j;
  j["design"] = design;
  j["trace"] = trace;
  j["preset"] = r.preset;
  j["channels"] = r.channels;
  j["outstanding"] = r.outstanding;
  j["transactions"] = r.transactions;
  j["read_bytes"] = r.read_bytes;
  j["write_bytes"] = r.write_bytes;
  j["time_ns"] = r.time_ns;
  j["gbps"] = r.gbps;
  j["peak_gbps"] = r.peak_gbps;
  j["row_hit_rate"] = r.row_hit_rate;
  j["commands"] = {{"ACT", r.act}, {"PRE", r.pre}, {"RD", r.rd}, {"WR", r.wr}, {"REF", r.ref}};
  j["energy_pj"] = {{"activate", r.e_act_pj}, {"precharge", r.e_pre_pj}, {"read", r.e_rd_pj},     {"write", r.e_wr_pj},
                    {"refresh", r.e_ref_pj},  {"background", r.e_bg_pj}, {"total", r.energy_pj()}};
  j["latency_ns"] = {{"mean", r.lat_mean_ns},
                     {"p50", r.lat_p50_ns},
                     {"p95", r.lat_p95_ns},
                     {"p99", r.lat_p99_ns},
                     {"max", r.lat_max_ns}};
  nlohmann::json chans = nlohmann::json::array();
  for (const auto& c : r.per_channel) {
    chans.push_back({{"latency_ns", {{"p50", c.lat_p50_ns}, {"p95", c.lat_p95_ns}, {"p99", c.lat_p99_ns}}},
                     {"queue_entries", {{"p50", c.queue_p50}, {"p95", c.queue_p95}, {"p99", c.queue_p99}}}});
  }
  j["channels_detail"] = chans;
  return j;
}

}  // namespace

int cmd_dram_trace(const std::vector<std::string>& a) {
  std::string design, trace, out_dir;
  int64_t w = 1;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string& s = a[i];
    if (s == "-h" || s == "--help") {
      std::cout << kDramTraceHelp;
      return 0;
    } else if (s == "--outstanding" || s == "-W") {
      w = parse_positive_int(s, option_value(a, i, "dram-trace: ", kHint), kHint);
    } else if (s == "-o") {
      out_dir = option_value(a, i, "dram-trace: ", kHint);
    } else if (!s.empty() && s[0] == '-') {
      usage_error("dram-trace: unknown option '" + s + "'", kHint);
    } else if (design.empty()) {
      design = s;
    } else if (trace.empty()) {
      trace = s;
    } else {
      usage_error("dram-trace: unexpected argument '" + s + "'", kHint);
    }
  }
  if (design.empty() || trace.empty()) usage_error("dram-trace: expected DESIGN and TRACE", kHint);
  const DesignSpec d = load_design(design);
  const std::vector<DramTraceOp> ops = read_dram_trace(trace);
  const DramTraceResult r = run_dram_trace(d.dram, ops, w);
  const nlohmann::json j = to_json(r, design, trace);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "dram-trace %s: %s x %lld channels, %llu transactions, %lld outstanding\n"
                "time %.3f ns, %.4f GB/s of %.4f peak (%.2f%%), row hits %.2f%%\n"
                "commands ACT %llu PRE %llu RD %llu WR %llu REF %llu\n",
                trace.c_str(), r.preset.c_str(), static_cast<long long>(r.channels),
                static_cast<unsigned long long>(r.transactions), static_cast<long long>(r.outstanding), r.time_ns,
                r.gbps, r.peak_gbps, r.peak_gbps > 0 ? 100 * r.gbps / r.peak_gbps : 0, 100 * r.row_hit_rate,
                static_cast<unsigned long long>(r.act), static_cast<unsigned long long>(r.pre),
                static_cast<unsigned long long>(r.rd), static_cast<unsigned long long>(r.wr),
                static_cast<unsigned long long>(r.ref));
  std::cout << buf;
  std::snprintf(buf, sizeof buf,
                "energy %.6g pJ: activate %.6g, precharge %.6g, read %.6g, write %.6g, refresh %.6g, background "
                "%.6g\nlatency ns: mean %.2f p50 %.2f p95 %.2f p99 %.2f max %.2f\n",
                r.energy_pj(), r.e_act_pj, r.e_pre_pj, r.e_rd_pj, r.e_wr_pj, r.e_ref_pj, r.e_bg_pj, r.lat_mean_ns,
                r.lat_p50_ns, r.lat_p95_ns, r.lat_p99_ns, r.lat_max_ns);
  std::cout << buf;
  std::cout << j.dump() << "\n";
  if (!out_dir.empty()) {
    std::filesystem::create_directories(out_dir);
    const std::string path = out_dir + "/dram_trace.json";
    std::ofstream f(path);
    if (!f) throw ConfigError(path + ": cannot write");
    f << j.dump(2) << "\n";
    std::cout << "wrote " << path << "\n";
  }
  return 0;
}

}  // namespace lpusim
