// Drives a DRAM (a design's preset, channels, mapping and queues) with a transaction trace:
// one transaction per line, `R|W <address> <bytes>`, address and size in decimal or 0x-hex, `#`
// comments and blank lines ignored. Transactions are issued in file order with at most
// `outstanding` in flight (closed loop, like Ramulator's trace frontends and DRAMSys' trace
// players); the result is time, bandwidth, command counts, energy and latency percentiles.
// run_dram_trace() elaborates and runs SystemC: once per process.
#pragma once
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "spec/dram_spec.h"

namespace lpusim {

struct DramTraceOp {
  bool write = false;
  uint64_t addr = 0, bytes = 0;
};

// ConfigError "NAME:LINE: ..." on a bad line.
std::vector<DramTraceOp> parse_dram_trace(std::istream& in, const std::string& name);
std::vector<DramTraceOp> read_dram_trace(const std::string& path);

struct DramTraceResult {
  std::string preset;
  int64_t channels = 0, outstanding = 0;
  uint64_t transactions = 0, read_bytes = 0, write_bytes = 0;
  double time_ns = 0, gbps = 0, peak_gbps = 0, row_hit_rate = 0;
  uint64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
  // Energy by class of operation, pJ (background and refresh as power x time x channels).
  double e_act_pj = 0, e_pre_pj = 0, e_rd_pj = 0, e_wr_pj = 0, e_ref_pj = 0, e_bg_pj = 0;
  double energy_pj() const { return e_act_pj + e_pre_pj + e_rd_pj + e_wr_pj + e_ref_pj + e_bg_pj; }
  // Transaction latency (issue to last data beat), ns.
  double lat_mean_ns = 0, lat_p50_ns = 0, lat_p95_ns = 0, lat_p99_ns = 0, lat_max_ns = 0;
  struct Channel {
    double lat_p50_ns = 0, lat_p95_ns = 0, lat_p99_ns = 0;
    double queue_p50 = 0, queue_p95 = 0, queue_p99 = 0;
  };
  std::vector<Channel> per_channel;
};

DramTraceResult run_dram_trace(const DramSpec& spec, const std::vector<DramTraceOp>& ops, int64_t outstanding);

}  // namespace lpusim
