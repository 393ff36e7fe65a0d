#include "memory/dram.h"

namespace lpusim {

int64_t now_ps() {
  return static_cast<int64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_PS).value());
}

const char* dram_class_name(DramClass c) {
  switch (c) {
    case DramClass::Weights: return "weights";
    case DramClass::Kv: return "kv";
    case DramClass::Activations: return "activations";
    default: return "?";
  }
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

void Dram::request(uint64_t addr, uint64_t bytes, bool write, uint32_t key, DramClass cls, std::function<void()> done) {
  events_[key][write ? Ev::DramWriteBit : Ev::DramReadBit] += bytes * 8;
  const uint64_t mask = mapper_.channels_touched(addr, bytes);
  auto req = std::make_shared<Request>(Request{0, std::move(done), now_ps(), cls});
  for (size_t c = 0; c < channels_.size(); ++c) req->parts_left += (mask >> c) & 1;
  const uint64_t bb = spec_.burst_bytes();
  const uint64_t est = ((addr + bytes + bb - 1) / bb - addr / bb + req->parts_left - 1) / std::max(1u, req->parts_left);
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
    p.est_bursts = std::max<uint64_t>(1, est);
    p.write = write;
    p.key = key;
    p.arrival_ps = now;
    p.req = req;
    channels_[c]->push(std::move(p));
  }
}

void Dram::at(int64_t t, std::shared_ptr<Request> req) {
  const int64_t now = now_ps();
  t = std::max(t, now);
  pending_.push({t, seq_++, std::move(req)});
  wake_.notify(ps_time(t - now));
}

void Dram::fire() {
  for (;;) {
    wait(wake_.default_event());
    const int64_t now = now_ps();
    while (!pending_.empty() && pending_.top().t <= now) {
      auto req = pending_.top().req;
      pending_.pop();
      if (--req->parts_left == 0) {
        class_lat_[static_cast<int>(req->cls)].add(static_cast<double>(now - req->t0) * 1e-3);
        req->done();
      }
    }
  }
}

std::vector<StatDecl> Dram::declared_stats() const {
  std::vector<StatDecl> s = {{"channels", "count", "DRAM channels"},
                             {"burst_bytes", "B", "bytes per burst"},
                             {"refresh_uw_per_channel", "uW", "refresh power per channel (e_ref_pj / tREFI)"},
                             {"background_uw_per_channel", "uW", "background power per channel"}};
  for (int c = 0; c < static_cast<int>(DramClass::kCount); ++c) {
    const std::string cls = dram_class_name(static_cast<DramClass>(c));
    s.push_back({"class_" + cls + "_requests", "count", "requests of traffic class " + cls});
    for (const char* q : {"p50", "p95", "p99"}) {
      s.push_back({"class_" + cls + "_latency_" + q + "_ns", "ns",
                   std::string(q) + " latency of class " + cls + " requests, issue to last data beat"});
    }
  }
  return s;
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
  for (int c = 0; c < static_cast<int>(DramClass::kCount); ++c) {
    const std::string cls = dram_class_name(static_cast<DramClass>(c));
    const LatencyHistogram& h = class_lat_[c];
    out.scalars["class_" + cls + "_requests"] = static_cast<double>(h.count());
    for (auto [q, name] : {std::pair<double, const char*>{0.50, "p50"}, {0.95, "p95"}, {0.99, "p99"}}) {
      out.scalars["class_" + cls + "_latency_" + name + "_ns"] = h.quantile(q);
    }
  }
}

DramChannel::DramChannel(sc_core::sc_module_name name, Dram& dram, uint32_t index)
    : sc_core::sc_module(name), dram_(dram), index_(index), model_(dram.spec_) {
  SC_HAS_PROCESS(DramChannel);
  SC_THREAD(serve);
}

void DramChannel::push(Part p) {
  const DramSpec& s = dram_.spec_;
  occ_.add(static_cast<double>(std::min<uint64_t>(rq_bursts_, static_cast<uint64_t>(s.read_queue_entries)) +
                               std::min<uint64_t>(wq_bursts_, static_cast<uint64_t>(s.write_queue_entries))));
  (p.write ? wq_bursts_ : rq_bursts_) += p.est_bursts;
  p.seq = seq_++;
  p.admit_ps = p.arrival_ps;
  (p.write ? wq_ : rq_).push_back(std::move(p));
  arrived_.notify(sc_core::SC_ZERO_TIME);
}

DramChannel::Part DramChannel::pick() {
  const DramSpec& s = dram_.spec_;
  const uint64_t rcap = static_cast<uint64_t>(s.read_queue_entries);
  const uint64_t wcap = static_cast<uint64_t>(s.write_queue_entries);
  const int64_t now = now_ps();
  // Admission in arrival order: the requester hands the channel its bursts in order, and a burst
  // whose queue is full holds back every later one, reads and writes alike (head-of-line). The
  // queues hold the admitted prefix: while a queue has room the next part enters (a part larger
  // than the room enters in part). A part that was held back at the previous decision and is
  // admitted now counts as entering now.
  size_t ra = 0, wa = 0;
  uint64_t rs = 0, ws = 0, stop_seq = UINT64_MAX;
  bool stop_w = false;
  while (ra < rq_.size() || wa < wq_.size()) {
    const bool take_w = ra == rq_.size() || (wa < wq_.size() && wq_[wa].seq < rq_[ra].seq);
    Part& p = take_w ? wq_[wa] : rq_[ra];
    uint64_t& seen = take_w ? ws : rs;
    if (seen >= (take_w ? wcap : rcap)) {
      stop_seq = p.seq;
      stop_w = take_w;
      break;
    }
    seen += p.est_bursts;
    ++(take_w ? wa : ra);
    // Held back by the other queue (its own queue's room is timed burst by burst in the model).
    if (p.seq >= held_seq_ && p.write != held_w_) p.admit_ps = std::max(p.admit_ps, now);
  }
  held_seq_ = stop_seq;
  held_w_ = stop_w;
  const uint64_t nw = std::min(ws, wcap);
  if (nw >= static_cast<uint64_t>(s.write_high_watermark)) draining_ = true;
  if (nw <= static_cast<uint64_t>(s.write_low_watermark)) draining_ = false;
  const bool w = wa > 0 && (draining_ || ra == 0);
  std::deque<Part>& q = w ? wq_ : rq_;
  const size_t admitted = w ? wa : ra;
  // FR-FCFS over the admitted parts: first ready (the part whose first command can issue earliest:
  // a row hit's column command, a closed bank's activate, a conflict's precharge), row hits before
  // misses at equal readiness, then the oldest; the oldest goes first once it has been passed
  // frfcfs_cap times.
  auto it = q.begin();
  if (q.front().bypassed < static_cast<uint32_t>(s.frfcfs_cap) && admitted > 1) {
    int64_t best = model_.ready_ps(it->first, std::max(now, it->admit_ps));
    bool best_hit = model_.row_open(it->first);
    for (auto j = std::next(q.begin()); j != q.begin() + static_cast<std::ptrdiff_t>(admitted); ++j) {
      const int64_t r = model_.ready_ps(j->first, std::max(now, j->admit_ps));
      const bool hit = model_.row_open(j->first);
      if (r < best || (r == best && hit && !best_hit)) {
        it = j;
        best = r;
        best_hit = hit;
      }
    }
    if (it != q.begin()) ++q.front().bypassed;
  }
  if (model_.row_open(it->first)) ++row_hit_picks_;
  // A write drain ends at the low watermark while reads wait, also inside a part: the channel writes
  // a piece of it and leaves the rest queued (it then interleaves with the next writes).
  if (w && ra > 0 && nw > static_cast<uint64_t>(s.write_low_watermark)) {
    const uint64_t take = nw - static_cast<uint64_t>(s.write_low_watermark);
    if (take < it->est_bursts) {
      Part piece = *it;
      piece.limit = take;
      piece.est_bursts = take;
      it->skip += take;
      it->est_bursts -= take;
      wq_bursts_ -= take;
      ++it->req->parts_left;  // the piece and the rest complete separately
      draining_ = false;
      return piece;
    }
  }
  (w ? wq_bursts_ : rq_bursts_) -= it->est_bursts;
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
    // Timed from its arrival: commands for it may overlap the parts served before (bank parallelism).
    const DramServeResult r = model_.serve(dram_.mapper_, p.addr, p.bytes, index_, p.write, p.admit_ps,
                                           dram_.events_[p.key], p.skip, p.limit);
    queue_delay_ps_ += static_cast<double>(std::max(p.arrival_ps, r.first_cmd_ps) - p.arrival_ps);
    lat_.add(static_cast<double>(r.end_ps - p.arrival_ps) * 1e-3);
    ++parts_;
    // Whole bursts move; the bytes outside the range at its two ends are not requested data.
    (p.write ? write_bytes_ : read_bytes_) +=
        (model_.read_bursts + model_.write_bursts - bursts_before) * dram_.spec_.burst_bytes();
    last_end_ps_ = std::max(last_end_ps_, r.end_ps);
    dram_.at(r.end_ps, std::move(p.req));
    // The next decision: once this part's last column command has issued; for a part of one or two
    // bursts once its first command has (a later single burst may still go ahead of its column).
    const int64_t next = p.est_bursts <= 2 ? std::min(r.last_cmd_ps, std::max(r.first_cmd_ps, now)) : r.last_cmd_ps;
    if (next > now) {
      wait(ps_time(next - now));
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
          {"refreshes", "count", "all-bank refreshes due up to the last data beat"},
          {"latency_p50_ns", "ns", "median latency of this channel's request parts, queue entry to last data beat"},
          {"latency_p95_ns", "ns", "95th percentile of that latency"},
          {"latency_p99_ns", "ns", "99th percentile of that latency"},
          {"queue_p50", "entries", "median read + write queue occupancy seen by arriving parts"},
          {"queue_p95", "entries", "95th percentile of that occupancy"},
          {"queue_p99", "entries", "99th percentile of that occupancy"},
          {"queue_mean", "entries", "mean read + write queue occupancy seen by arriving parts"}};
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
  for (auto [q, name] : {std::pair<double, const char*>{0.50, "p50"}, {0.95, "p95"}, {0.99, "p99"}}) {
    out.scalars[std::string("latency_") + name + "_ns"] = lat_.quantile(q);
    out.scalars[std::string("queue_") + name] = occ_.quantile(q);
  }
  out.scalars["queue_mean"] = occ_.mean();
}

}  // namespace lpusim
