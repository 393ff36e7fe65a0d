#include "memory/dram.h"

namespace lpusim {

int64_t now_ps() {
  return static_cast<int64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_PS).value());
}

namespace {
sc_core::sc_time ps_time(int64_t ps) { return sc_core::sc_time(static_cast<double>(ps), sc_core::SC_PS); }
}  // namespace

Dram::Dram(sc_core::sc_module_name name, const DramSpec& spec, sc_core::sc_time /*clock*/, size_t num_keys)
    : sc_core::sc_module(name), spec_(spec), mapper_(spec_), events_(num_keys) {
  for (int64_t c = 0; c < spec_.channels; ++c) {
    channels_.push_back(
        std::make_unique<DramChannel>(("ch" + std::to_string(c)).c_str(), *this, static_cast<uint32_t>(c)));
  }
  SC_HAS_PROCESS(Dram);
  SC_THREAD(fire);
}

Dram::~Dram() = default;

void Dram::request(uint64_t addr, uint64_t bytes, bool write, uint32_t key, std::function<void()> done) {
  events_[key][write ? Ev::DramWriteBit : Ev::DramReadBit] += bytes * 8;
  const uint64_t mask = mapper_.channels_touched(addr, bytes);
  auto req = std::make_shared<Request>(Request{0, std::move(done)});
  for (size_t c = 0; c < channels_.size(); ++c) req->parts_left += (mask >> c) & 1;
  if (req->parts_left == 0) {  // nothing to move
    req->parts_left = 1;
    at(now_ps(), req);
    return;
  }
  const int64_t now = now_ps();
  for (size_t c = 0; c < channels_.size(); ++c) {
    if (!((mask >> c) & 1)) continue;
    DramChannel::Part p;
    p.addr = addr;
    p.bytes = bytes;
    mapper_.first_segment(addr, bytes, static_cast<uint32_t>(c), p.first);
    p.write = write;
    p.key = key;
    p.arrival_ps = now;
    p.req = req;
    channels_[c]->push(std::move(p));
  }
}

void Dram::at(int64_t t, std::shared_ptr<Request> req) {
  pending_.push({t, seq_++, std::move(req)});
  wake_.notify(ps_time(t - now_ps()));
}

void Dram::fire() {
  for (;;) {
    wait(wake_.default_event());
    const int64_t now = now_ps();
    while (!pending_.empty() && pending_.top().t <= now) {
      auto req = pending_.top().req;
      pending_.pop();
      if (--req->parts_left == 0) req->done();
    }
  }
}

std::vector<StatDecl> Dram::declared_stats() const {
  return {{"channels", "count", "DRAM channels"},
          {"burst_bytes", "B", "bytes per burst"},
          {"refresh_uw_per_channel", "uW", "refresh power per channel (e_ref_pj / tREFI)"},
          {"background_uw_per_channel", "uW", "background power per channel"}};
}

void Dram::collect(ModuleStats& out) const {
  out.kind = "dram";
  out.prices[Ev::DramActivate] = spec_.e_act_pj;
  out.prices[Ev::DramPrecharge] = spec_.e_pre_pj;
  out.prices[Ev::DramReadBurst] = spec_.e_rd_pj;
  out.prices[Ev::DramWriteBurst] = spec_.e_wr_pj;
  out.per_key = events_;
  out.dram_static_uw = spec_.static_uw_per_channel() * static_cast<double>(spec_.channels);
  out.scalars["channels"] = static_cast<double>(spec_.channels);
  out.scalars["burst_bytes"] = static_cast<double>(spec_.burst_bytes());
  out.scalars["refresh_uw_per_channel"] = spec_.refresh_uw_per_channel();
  out.scalars["background_uw_per_channel"] = spec_.p_background_mw * 1e3;
}

DramChannel::DramChannel(sc_core::sc_module_name name, Dram& dram, uint32_t index)
    : sc_core::sc_module(name), dram_(dram), index_(index), model_(dram.spec_) {
  SC_HAS_PROCESS(DramChannel);
  SC_THREAD(serve);
}

void DramChannel::push(Part p) {
  (p.write ? wq_ : rq_).push_back(std::move(p));
  arrived_.notify(sc_core::SC_ZERO_TIME);
}

DramChannel::Part DramChannel::pick() {
  const DramSpec& s = dram_.spec_;
  const int64_t nw = static_cast<int64_t>(wq_.size());
  if (nw >= s.write_high_watermark) draining_ = true;
  if (nw <= s.write_low_watermark) draining_ = false;
  std::deque<Part>& q = (draining_ || rq_.empty()) ? wq_ : rq_;
  // FR-FCFS: the oldest part whose first row segment hits an open row, else the oldest.
  auto it = q.begin();
  for (auto j = q.begin(); j != q.end(); ++j) {
    if (model_.row_open(j->first)) {
      it = j;
      ++row_hit_picks_;
      break;
    }
  }
  Part p = std::move(*it);
  q.erase(it);
  return p;
}

void DramChannel::serve() {
  for (;;) {
    while (rq_.empty() && wq_.empty()) wait(arrived_);
    Part p = pick();
    const int64_t now = now_ps();
    const uint64_t bursts_before = model_.read_bursts + model_.write_bursts;
    const DramServeResult r = model_.serve(dram_.mapper_, p.addr, p.bytes, index_, p.write, now, dram_.events_[p.key]);
    queue_delay_ps_ += static_cast<double>(now - p.arrival_ps);
    ++parts_;
    // Whole bursts move; the bytes outside the range at its two ends are not requested data.
    (p.write ? write_bytes_ : read_bytes_) +=
        (model_.read_bursts + model_.write_bursts - bursts_before) * dram_.spec_.burst_bytes();
    last_end_ps_ = std::max(last_end_ps_, r.end_ps);
    dram_.at(r.end_ps, std::move(p.req));
    if (r.last_cmd_ps > now) {
      wait(ps_time(r.last_cmd_ps - now));
    } else {
      wait(sc_core::SC_ZERO_TIME);
    }
  }
}

std::vector<StatDecl> DramChannel::declared_stats() const {
  return {{"read_bytes", "B", "bytes read in whole bursts"},
          {"write_bytes", "B", "bytes written in whole bursts"},
          {"parts", "count", "transfer parts served"},
          {"queue_delay_ps", "ps", "sum over parts of arrival -> scheduler pick"},
          {"row_hit_picks", "count", "parts the scheduler picked for an open row (FR-FCFS first-ready)"},
          {"activates", "count", "ACT commands"},
          {"precharges", "count", "PRE commands incl. refresh precharge-all"},
          {"read_bursts", "count", "read bursts"},
          {"write_bursts", "count", "write bursts"},
          {"row_hit_bursts", "count", "bursts served without an activate"},
          {"refreshes", "count", "all-bank refreshes due up to the last data beat"}};
}

void DramChannel::collect(ModuleStats& out) const {
  out.kind = "dram_channel";
  const DramChannelModel& m = model_;
  // Refreshes that fell due up to this channel's last data beat (not the end of the SystemC run,
  // which another design in the same simulation may extend).
  DramChannelModel tail = m;
  tail.refresh_until(last_end_ps_, nullptr);
  out.scalars["read_bytes"] = static_cast<double>(read_bytes_);
  out.scalars["write_bytes"] = static_cast<double>(write_bytes_);
  out.scalars["parts"] = static_cast<double>(parts_);
  out.scalars["queue_delay_ps"] = queue_delay_ps_;
  out.scalars["row_hit_picks"] = static_cast<double>(row_hit_picks_);
  out.scalars["activates"] = static_cast<double>(m.activates);
  out.scalars["precharges"] =
      static_cast<double>(m.precharges);  // refresh precharges after the last part are not counted
  out.scalars["read_bursts"] = static_cast<double>(m.read_bursts);
  out.scalars["write_bursts"] = static_cast<double>(m.write_bursts);
  out.scalars["row_hit_bursts"] = static_cast<double>(m.row_hit_bursts);
  out.scalars["refreshes"] = static_cast<double>(tail.refreshes);
}

}  // namespace lpusim
