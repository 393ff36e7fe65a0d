#include "models/dram.h"

#include <cmath>

#include "models/compute_unit.h"

namespace lpusim {

Dram::Dram(sc_core::sc_module_name name, const DramSpec& spec, const TechTable& tech, sc_core::sc_time clock,
           size_t num_keys)
    : sc_core::sc_module(name), spec_(spec), tech_(tech), events_(num_keys) {
  const double clock_ghz = 1.0 / clock.to_seconds() * 1e-9;
  bytes_per_cycle_ = spec.channel_bandwidth_gb_s / clock_ghz;
  const uint64_t latency = static_cast<uint64_t>(std::ceil(spec.latency_ns * clock_ghz - 1e-9));
  for (int64_t c = 0; c < spec.channels; ++c) {
    channels_.push_back(
        std::make_unique<DramChannel>(("ch" + std::to_string(c)).c_str(), bytes_per_cycle_, latency, clock));
  }
}

Dram::~Dram() = default;

void Dram::request(uint64_t bytes, bool write, uint32_t key, std::function<void()> done) {
  events_[key][write ? Ev::DramWriteBit : Ev::DramReadBit] += bytes * 8;
  const uint64_t granules = ceil_div(bytes, kGranule);
  const size_t nch = channels_.size();
  const uint64_t parts = std::min<uint64_t>(granules, nch);
  auto req = std::make_shared<Request>(Request{static_cast<uint32_t>(parts), std::move(done)});
  uint64_t left = bytes;
  for (uint64_t p = 0; p < parts; ++p) {
    // Granules dealt round-robin: the first (granules % nch) channels get one more.
    uint64_t g = granules / nch + (p < granules % nch ? 1 : 0);
    uint64_t b = std::min(left, g * kGranule);
    left -= b;
    channels_[(next_channel_ + p) % nch]->push({b, req, sc_core::sc_time_stamp()});
  }
  next_channel_ = (next_channel_ + granules) % nch;
}

void Dram::collect(ModuleStats& out) const {
  out.kind = "dram";
  out.prices[Ev::DramReadBit] = tech_.dram(spec_.type);
  out.prices[Ev::DramWriteBit] = tech_.dram(spec_.type);
  out.per_key = events_;
}

DramChannel::DramChannel(sc_core::sc_module_name name, double bytes_per_cycle, uint64_t latency_cycles,
                         sc_core::sc_time clock)
    : sc_core::sc_module(name), bytes_per_cycle_(bytes_per_cycle), latency_cycles_(latency_cycles),
      clock_(clock) {
  SC_HAS_PROCESS(DramChannel);
  SC_THREAD(serve);
  SC_THREAD(finish);
}

void DramChannel::push(Part p) {
  queue_.push_back(std::move(p));
  arrived_.notify(sc_core::SC_ZERO_TIME);
}

void DramChannel::serve() {
  for (;;) {
    while (queue_.empty()) wait(arrived_);
    Part p = std::move(queue_.front());
    queue_.pop_front();
    queue_wait_cycles_ += (sc_core::sc_time_stamp() - p.enqueued) / clock_;
    const uint64_t cycles = static_cast<uint64_t>(std::ceil(static_cast<double>(p.bytes) / bytes_per_cycle_ - 1e-9));
    wait(clock_ * static_cast<double>(cycles));
    busy_cycles_ += cycles;
    bytes_ += p.bytes;
    ++requests_;
    in_flight_.push_back(std::move(p));
    completions_.notify(clock_ * static_cast<double>(latency_cycles_));
  }
}

void DramChannel::finish() {
  for (;;) {
    wait(completions_.default_event());
    // Constant latency keeps completions in service order.
    Part p = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (--p.req->parts_left == 0) p.req->done();
  }
}

void DramChannel::collect(ModuleStats& out) const {
  out.kind = "dram_channel";
  out.scalars["bytes"] = static_cast<double>(bytes_);
  out.scalars["busy_cycles"] = static_cast<double>(busy_cycles_);
  out.scalars["requests"] = static_cast<double>(requests_);
  out.scalars["queue_wait_cycles"] = queue_wait_cycles_;
}

}  // namespace lpusim
