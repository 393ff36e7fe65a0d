// DRAM: `channels` channels of the preset's device (ranks, bank groups, banks, row buffers), an
// address mapping, and per channel an FR-FCFS controller with a bounded read and write queue.
// A request is a contiguous byte range; the mapping cuts it into row segments per channel, and each
// channel gets one part. Parts enter the read/write queue (read/write_queue_entries bursts) in arrival
// order: one whose queue is full holds back all later ones (head of line). The channel picks an admitted
// part (write drain between watermarks, else reads first; the oldest part whose first segment hits an
// open row, else the oldest; the oldest is passed by at most frfcfs_cap row hits), times all
// of its segments analytically (memory/dram_timing.h) from the time it entered the queue, so its
// activates overlap the transfers of parts picked before, and waits once until its last column
// command: one SystemC wait per part and one completion notification per part.
// Energy: ACT/PRE/read/write bursts counted per statistics key x the preset's pJ; background and
// refresh as power per channel (dram_static_uw), charged by cycles. Bits are counted as traffic.
// Latency: per channel (parts) and per traffic class (whole requests) distributions, and the queue
// occupancy seen by arriving parts.
#pragma once
#include <systemc>

#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

#include "memory/dram_timing.h"
#include "memory/latency_histogram.h"
#include "observe/stats.h"
#include "spec/dram_spec.h"

namespace lpusim {

class DramChannel;

// Traffic classes for the latency distribution.
enum class DramClass : uint8_t { Weights, Kv, Activations, kCount };
const char* dram_class_name(DramClass c);

class Dram : public sc_core::sc_module, public IStatsProvider {
 public:
  Dram(sc_core::sc_module_name name, const DramSpec& spec, sc_core::sc_time clock, size_t num_keys);
  ~Dram() override;

  // Moves [addr, addr + bytes); `done` runs when the last data beat of every part has passed.
  void request(uint64_t addr, uint64_t bytes, bool write, uint32_t key, DramClass cls, std::function<void()> done);
  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;
  const DramSpec& spec() const { return spec_; }
  const DramChannel& channel(size_t i) const { return *channels_[i]; }
  size_t num_channels() const { return channels_.size(); }
  // Request latency (ns, issue to last data beat of every part) per traffic class.
  const LatencyHistogram& class_latency(DramClass c) const { return class_lat_[static_cast<int>(c)]; }

 private:
  friend class DramChannel;

  struct Request {
    uint32_t parts_left;
    std::function<void()> done;
    int64_t t0 = 0;
    DramClass cls = DramClass::Activations;
  };
  void at(int64_t t_ps, std::shared_ptr<Request> req);
  void fire();
  struct Pending {
    int64_t t;
    uint64_t seq;
    std::shared_ptr<Request> req;
    bool operator>(const Pending& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  const DramSpec spec_;
  DramAddressMapper mapper_;
  std::vector<std::unique_ptr<DramChannel>> channels_;
  std::vector<EventCounts> events_;
  LatencyHistogram class_lat_[static_cast<int>(DramClass::kCount)];
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
  sc_core::sc_event_queue wake_;
  uint64_t seq_ = 0;
};

class DramChannel : public sc_core::sc_module, public IStatsProvider {
 public:
  DramChannel(sc_core::sc_module_name name, Dram& dram, uint32_t index);
  struct Part {
    uint64_t addr = 0, bytes = 0;  // the whole transfer; this channel serves its own segments of it
    DramSegment first;             // first row segment in this channel (FR-FCFS row-hit test)
    uint64_t est_bursts = 1;       // bursts in this channel (queue entries), estimated at arrival
    uint64_t skip = 0;             // bursts of this channel already served (a write drain took a piece)
    uint64_t limit = UINT64_MAX;   // bursts to serve now
    uint32_t bypassed = 0;         // times a younger row hit went first
    bool write = false;
    uint32_t key = 0;
    int64_t arrival_ps = 0;
    int64_t admit_ps = 0;  // entered the queue: arrival, or later if held back (no command before)
    uint64_t seq = 0;      // arrival order in this channel
    std::shared_ptr<Dram::Request> req;
  };
  void push(Part p);
  std::vector<StatDecl> declared_stats() const override;
  void collect(ModuleStats& out) const override;
  const DramChannelModel& model() const { return model_; }
  uint64_t read_bytes() const { return read_bytes_; }
  uint64_t write_bytes() const { return write_bytes_; }
  uint64_t parts() const { return parts_; }
  double queue_delay_ps() const { return queue_delay_ps_; }
  const LatencyHistogram& latency() const { return lat_; }    // part latency, ns
  const LatencyHistogram& occupancy() const { return occ_; }  // queue entries seen on arrival

 private:
  void serve();
  Part pick();
  Dram& dram_;
  uint32_t index_;
  DramChannelModel model_;
  std::deque<Part> rq_, wq_;
  uint64_t rq_bursts_ = 0, wq_bursts_ = 0;
  bool draining_ = false;
  uint64_t seq_ = 0, held_seq_ = UINT64_MAX;  // parts from held_seq_ on were held back at the last pick
  bool held_w_ = false;                       // by the write queue (else by the read queue)
  LatencyHistogram lat_, occ_;
  sc_core::sc_event arrived_;
  uint64_t read_bytes_ = 0, write_bytes_ = 0, parts_ = 0, row_hit_picks_ = 0;
  double queue_delay_ps_ = 0;
  int64_t last_end_ps_ = 0;
};

int64_t now_ps();

}  // namespace lpusim
