#include "memory/dram_trace.h"

#include <systemc>

#include <cctype>
#include <fstream>
#include <sstream>

#include "base/config_error.h"
#include "memory/dram.h"

namespace lpusim {

namespace {

bool parse_number(const std::string& tok, uint64_t& v) {
  if (tok.empty()) return false;
  size_t pos = 0;
  try {
    const bool hex = tok.size() > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X');
    if (!hex && !std::isdigit(static_cast<unsigned char>(tok[0]))) return false;
    v = std::stoull(tok, &pos, hex ? 16 : 10);
  } catch (const std::exception&) {
    return false;
  }
  return pos == tok.size();
}

class TraceDriver : public sc_core::sc_module {
 public:
  TraceDriver(sc_core::sc_module_name name, Dram& dram, const std::vector<DramTraceOp>& ops, int64_t w)
      : sc_core::sc_module(name), dram_(dram), ops_(ops), w_(w) {
    SC_HAS_PROCESS(TraceDriver);
    SC_THREAD(run);
  }
  int64_t end_ps = 0;
  LatencyHistogram lat;

 private:
  void run() {
    size_t next = 0;
    while (next < ops_.size()) {
      while (inflight_ < w_ && next < ops_.size()) {
        const DramTraceOp& op = ops_[next++];
        ++inflight_;
        const int64_t t0 = now_ps();
        dram_.request(op.addr, op.bytes, op.write, 0, DramClass::Activations, [this, t0]() {
          --inflight_;
          const int64_t t = now_ps();
          lat.add(static_cast<double>(t - t0) * 1e-3);
          end_ps = std::max(end_ps, t);
          done_.notify(sc_core::SC_ZERO_TIME);
        });
      }
      wait(done_);
    }
  }
  Dram& dram_;
  const std::vector<DramTraceOp>& ops_;
  int64_t w_;
  int64_t inflight_ = 0;
  sc_core::sc_event done_;
};

}  // namespace

std::vector<DramTraceOp> parse_dram_trace(std::istream& in, const std::string& name) {
  std::vector<DramTraceOp> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    std::string kind, a, b, extra;
    if (!(ls >> kind)) continue;  // blank or comment
    auto fail = [&](const std::string& what) {
      throw ConfigError(name + ":" + std::to_string(n) + ": " + what + " (expected 'R|W <address> <bytes>', got '" +
                        line + "')");
    };
    if (kind != "R" && kind != "W") fail("unknown transaction '" + kind + "'");
    if (!(ls >> a >> b)) fail("missing address or size");
    if (ls >> extra) fail("trailing '" + extra + "'");
    DramTraceOp op;
    op.write = kind == "W";
    if (!parse_number(a, op.addr)) fail("bad address '" + a + "'");
    if (!parse_number(b, op.bytes) || op.bytes == 0) fail("bad size '" + b + "' (a positive byte count)");
    out.push_back(op);
  }
  return out;
}

std::vector<DramTraceOp> read_dram_trace(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ConfigError(path + ": cannot open file");
  return parse_dram_trace(f, path);
}

DramTraceResult run_dram_trace(const DramSpec& spec, const std::vector<DramTraceOp>& ops, int64_t outstanding) {
  Dram dram("dram", spec, sc_core::sc_time(1, sc_core::SC_NS), 1);
  TraceDriver drv("trace", dram, ops, std::max<int64_t>(1, outstanding));
  sc_core::sc_start();
  DramTraceResult r;
  r.preset = spec.preset;
  r.channels = spec.channels;
  r.outstanding = std::max<int64_t>(1, outstanding);
  r.transactions = ops.size();
  for (const auto& op : ops) (op.write ? r.write_bytes : r.read_bytes) += op.bytes;
  r.time_ns = static_cast<double>(drv.end_ps) * 1e-3;
  r.peak_gbps = spec.peak_gb_s_per_channel() * static_cast<double>(spec.channels);
  r.gbps = r.time_ns > 0 ? static_cast<double>(r.read_bytes + r.write_bytes) / r.time_ns : 0;
  uint64_t hits = 0;
  for (size_t c = 0; c < dram.num_channels(); ++c) {
    const DramChannel& ch = dram.channel(c);
    DramChannelModel tail = ch.model();
    tail.refresh_until(drv.end_ps, nullptr);  // refreshes due until the last data beat
    r.act += tail.activates;
    r.pre += tail.precharges;
    r.rd += tail.read_bursts;
    r.wr += tail.write_bursts;
    r.ref += tail.refreshes;
    hits += tail.row_hit_bursts;
    DramTraceResult::Channel pc;
    pc.lat_p50_ns = ch.latency().quantile(0.50);
    pc.lat_p95_ns = ch.latency().quantile(0.95);
    pc.lat_p99_ns = ch.latency().quantile(0.99);
    pc.queue_p50 = ch.occupancy().quantile(0.50);
    pc.queue_p95 = ch.occupancy().quantile(0.95);
    pc.queue_p99 = ch.occupancy().quantile(0.99);
    r.per_channel.push_back(pc);
  }
  r.row_hit_rate = r.rd + r.wr > 0 ? static_cast<double>(hits) / static_cast<double>(r.rd + r.wr) : 0;
  r.e_act_pj = static_cast<double>(r.act) * spec.e_act_pj;
  r.e_pre_pj = static_cast<double>(r.pre) * spec.e_pre_pj;
  r.e_rd_pj = static_cast<double>(r.rd) * spec.e_rd_pj;
  r.e_wr_pj = static_cast<double>(r.wr) * spec.e_wr_pj;
  const double ch = static_cast<double>(spec.channels);
  r.e_ref_pj = spec.refresh_uw_per_channel() * ch * r.time_ns * 1e-3;  // uW x ns = 1e-3 pJ
  r.e_bg_pj = spec.p_background_mw * 1e3 * ch * r.time_ns * 1e-3;
  r.lat_mean_ns = drv.lat.mean();
  r.lat_p50_ns = drv.lat.quantile(0.50);
  r.lat_p95_ns = drv.lat.quantile(0.95);
  r.lat_p99_ns = drv.lat.quantile(0.99);
  r.lat_max_ns = drv.lat.max();
  return r;
}

}  // namespace lpusim
