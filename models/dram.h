// DRAM: `channels` independent channels, each a FIFO server moving channel_bandwidth bytes per
// second; a request is interleaved over the channels in 64-byte granules (round-robin from where
// the previous request ended), waits its turn in each channel's queue, occupies the channel for
// ceil(bytes / bytes_per_cycle) cycles and completes `latency_ns` later. Requests from the DMA
// engine contend here during simulation. Energy: bits moved x the tech table's pJ/bit for the type.
#pragma once
#include <systemc>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "models/stats.h"
#include "sim/design.h"

namespace lpusim {

class DramChannel;

class Dram : public sc_core::sc_module, public IStatsProvider {
 public:
  static constexpr uint64_t kGranule = 64;

  Dram(sc_core::sc_module_name name, const DramSpec& spec, const TechTable& tech, sc_core::sc_time clock,
       size_t num_keys);
  ~Dram() override;

  void request(uint64_t bytes, bool write, uint32_t key, std::function<void()> done);
  void collect(ModuleStats& out) const override;
  double bytes_per_cycle() const { return bytes_per_cycle_; }

 private:
  friend class DramChannel;
  struct Request {
    uint32_t parts_left;
    std::function<void()> done;
  };
  const DramSpec spec_;
  const TechTable& tech_;
  double bytes_per_cycle_;
  std::vector<std::unique_ptr<DramChannel>> channels_;
  size_t next_channel_ = 0;
  std::vector<EventCounts> events_;
};

class DramChannel : public sc_core::sc_module, public IStatsProvider {
 public:
  DramChannel(sc_core::sc_module_name name, double bytes_per_cycle, uint64_t latency_cycles,
              sc_core::sc_time clock);
  struct Part {
    uint64_t bytes;
    std::shared_ptr<Dram::Request> req;
    sc_core::sc_time enqueued;
  };
  void push(Part p);
  void collect(ModuleStats& out) const override;

 private:
  void serve();
  void finish();
  double bytes_per_cycle_;
  uint64_t latency_cycles_;
  sc_core::sc_time clock_;
  std::deque<Part> queue_, in_flight_;
  sc_core::sc_event arrived_;
  sc_core::sc_event_queue completions_;
  uint64_t bytes_ = 0, busy_cycles_ = 0, requests_ = 0;
  double queue_wait_cycles_ = 0;
};

}  // namespace lpusim
