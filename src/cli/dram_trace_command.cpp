// `lpusim dram-trace DESIGN TRACE [--outstanding W] [-o DIR]`: drives the design's DRAM with a
// transaction trace (memory/dram_trace.h), prints the result and writes it as JSON.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "cli/command.h"
#include "config/loaders.h"
#include "memory/dram_trace.h"
#include "spec/design.h"

namespace lpusim {

namespace {

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

struct DramTraceArgs {
  std::string design, trace, out_dir;
  uint64_t outstanding = 1;
};

int run_dram_trace_command(const DramTraceArgs& a, const CommandLine&) {
  const std::string &design = a.design, &trace = a.trace, &out_dir = a.out_dir;
  if (!out_dir.empty()) check_output_dir(out_dir);
  const int64_t w = static_cast<int64_t>(a.outstanding);
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
    OutputDir out(out_dir);  // all or nothing (base/atomic_output.h)
    out.write("dram_trace.json", j.dump(2) + "\n");
    out.commit();
    std::cout << "wrote " << out_dir << "/dram_trace.json\n";
  }
  return 0;
}

const bool registered = register_command<DramTraceArgs>([] {
  Command<DramTraceArgs> c;
  c.name = "dram-trace";
  c.order = 48;
  c.summary = "replays a DRAM transaction trace on DESIGN's memory system";
  c.description =
      "Drives DESIGN's DRAM (its preset, channels, address mapping and queues) with the transaction trace TRACE: one "
      "transaction per line, 'R <address> <bytes>' or 'W <address> <bytes>', the numbers in decimal or 0x-hex, '#' "
      "comments. Transactions are issued in file order with at most W in flight. Prints time, bandwidth (GB/s and "
      "the peak), row-hit rate, ACT/PRE/RD/WR/REF counts, energy by operation and transaction latency percentiles. "
      "A bad trace line is an error naming FILE:LINE (exit 2).";
  c.declare = [](CommandLine& cl, DramTraceArgs& a) {
    cl.operand("DESIGN", &a.design, "a design file (configs/designs/*.yaml): its dram section is used");
    cl.operand("TRACE", &a.trace, "the transaction trace");
    cl.option("outstanding,W", positive(&a.outstanding, "W"), "transactions in flight at most");
    cl.option("out,o", text(&a.out_dir, "DIR"), "also writes DIR/dram_trace.json");
  };
  c.run = run_dram_trace_command;
  return c;
}());

}  // namespace

}  // namespace lpusim
