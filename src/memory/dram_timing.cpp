#include "memory/dram_timing.h"

#include <algorithm>

namespace lpusim {

namespace {
int log2i(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}
}  // namespace

DramAddressMapper::DramAddressMapper(const DramSpec& s) : s_(s), burst_bytes_(s.burst_bytes()) {
  auto size_of = [&](DramField f) -> int64_t {
    switch (f) {
      case DramField::Ch: return s.channels;
      case DramField::Ra: return s.ranks;
      case DramField::Bg: return s.bankgroups;
      case DramField::Ba: return s.banks_per_group;
      case DramField::Ro: return s.rows;
      case DramField::Co: return static_cast<int64_t>(s.columns());
      default: return 1;
    }
  };
  int shift = 0;
  bool below_co = true;
  for (auto it = s.mapping_msb_first.rbegin(); it != s.mapping_msb_first.rend(); ++it) {
    FieldBits& fb = f_[static_cast<int>(*it)];
    fb.shift = shift;
    fb.bits = log2i(size_of(*it));
    shift += fb.bits;
    if (*it == DramField::Co) {
      below_co = false;
      col_bits_ = fb.bits;
    } else if (below_co) {
      fb.low = true;
      low_bits_ += fb.bits;
    }
  }
  ch_low_ = f_[static_cast<int>(DramField::Ch)].low;
  const uint64_t L = uint64_t{1} << low_bits_;
  low_.resize(L);
  low_of_ch_.resize(ch_low_ ? static_cast<size_t>(s.channels) : 1);
  for (uint64_t l = 0; l < L; ++l) {
    low_[l] = decode(l);
    low_of_ch_[ch_low_ ? low_[l].ch : 0].push_back(static_cast<uint32_t>(l));
  }
}

uint64_t DramAddressMapper::channels_touched(uint64_t addr, uint64_t bytes) const {
  if (bytes == 0) return 0;
  const uint64_t g0 = addr / burst_bytes_, g1 = (addr + bytes + burst_bytes_ - 1) / burst_bytes_;
  const FieldBits& c = f_[static_cast<int>(DramField::Ch)];
  const uint64_t all = (s_.channels >= 64 ? ~uint64_t{0} : (uint64_t{1} << s_.channels) - 1);
  // The channel field changes every 2^shift bursts and cycles through all channels.
  const uint64_t b0 = g0 >> c.shift, b1 = (g1 - 1) >> c.shift;
  if (b1 - b0 + 1 >= static_cast<uint64_t>(s_.channels)) return all;
  uint64_t mask = 0;
  for (uint64_t b = b0; b <= b1; ++b) mask |= uint64_t{1} << (b & ((uint64_t{1} << c.bits) - 1));
  return mask;
}

bool DramAddressMapper::first_segment(uint64_t addr, uint64_t bytes, uint32_t ch, DramSegment& s) const {
  bool found = false;
  // The first segment in address order is found within the first HIGH block that has one.
  const uint64_t g0 = addr / burst_bytes_;
  const int hs = low_bits_ + col_bits_;
  const uint64_t block = (uint64_t{1} << hs) * burst_bytes_;
  const uint64_t span = std::min(bytes, ((g0 >> hs) + 1) * block - addr + block * static_cast<uint64_t>(s_.channels));
  for (uint64_t len : {span, bytes}) {
    for_each_segment(addr, len, ch, [&](const DramSegment& sg) {
      if (!found) s = sg;
      found = true;
    });
    if (found) break;
  }
  return found;
}

DramChannelModel::DramChannelModel(const DramSpec& s)
    : s_(s),
      banks_(static_cast<size_t>(s.banks())),
      groups_(static_cast<size_t>(s.ranks * s.bankgroups)),
      ranks_(static_cast<size_t>(s.ranks)),
      next_ref_(s.tREFI) {
  step_ = std::max(s.bankgroups > 1 ? s.tCCD_L : s.tCCD_S, s.tBURST);
}

void DramChannelModel::refresh_slow(int64_t t, EventCounts* ev) {
  while (next_ref_ <= std::max(t, bus_free_)) {
    if (open_banks_ == 0 && next_ref_ + s_.tREFI <= t && bus_free_ <= next_ref_) {
      // Idle: every refresh in the gap runs on time and leaves nothing behind but the last one.
      const int64_t k = (t - next_ref_) / s_.tREFI;
      refreshes += static_cast<uint64_t>(k);
      next_ref_ += k * s_.tREFI;
      act_block_ = std::max(act_block_, next_ref_ - s_.tREFI + s_.tRFC);
      continue;
    }
    // Postponed until the bus drains; precharge-all first if any row is open.
    int64_t start = std::max(next_ref_, bus_free_);
    if (open_banks_ > 0) {
      int64_t pre = start;
      for (Bank& b : banks_) {
        if (b.open_row >= 0) {
          pre = std::max(pre, b.pre_ready);
          b.open_row = -1;
          ++precharges;
          if (ev) ++(*ev)[Ev::DramPrecharge];
        }
      }
      open_banks_ = 0;
      start = pre + s_.tRP;
    }
    act_block_ = start + s_.tRFC;
    bus_free_ = std::max(bus_free_, act_block_);
    ++refreshes;
    next_ref_ += s_.tREFI;
  }
}

// The per-segment recurrence. Timing constants and channel scalars live in locals here: the bank
// state is written through references, and int64 constants read through a reference would have to
// be reloaded after every such store.
template <class Source>
DramServeResult DramChannelModel::run(Source&& for_each, bool write, int64_t t, EventCounts& ev) {
  const DramSpec& S = s_;
  const int64_t tRP = S.tRP, tRCD = S.tRCD, tRAS = S.tRAS, tRRD_S = S.tRRD_S, tRRD_L = S.tRRD_L, tFAW = S.tFAW;
  const int64_t tB = S.tBURST, tCL = S.tCL, tCWL = S.tCWL, tWTR = S.tWTR, tRTP = S.tRTP, tWR = S.tWR;
  const int64_t lat = write ? tCWL : tCL, step = step_;
  const int64_t ccd_same_group = S.bankgroups > 1 ? S.tCCD_L : S.tCCD_S;
  Bank* const banks = banks_.data();
  Group* const groups = groups_.data();
  Rank* const ranks = ranks_.data();
  uint64_t acts = 0, pres = 0, bursts = 0, hits = 0;
  int64_t end_max = t, last_max = t;
  int64_t bus_free = bus_free_, act_block = act_block_, last_rd = last_rd_cmd_, last_wr_end = last_wr_data_end_;
  int64_t next_ref = next_ref_;
  for_each([&](const DramSegment& sg) {
    if (next_ref <= std::max(t, bus_free)) {
      bus_free_ = bus_free;
      act_block_ = act_block;
      refresh_slow(t, &ev);
      bus_free = bus_free_;
      act_block = act_block_;
      next_ref = next_ref_;
    }
    Bank& b = banks[sg.bank];
    Group& g = groups[sg.bg];
    Rank& rk = ranks[sg.rank];
    if (b.open_row != sg.row) {
      int64_t act = std::max(t, act_block);
      if (b.open_row >= 0) {
        act = std::max(act, std::max(t, b.pre_ready) + tRP);
        ++pres;
      } else {
        ++open_banks_;
      }
      act = std::max(std::max(act, rk.last_act + tRRD_S), std::max(g.last_act + tRRD_L, rk.faw[rk.faw_i] + tFAW));
      rk.faw[rk.faw_i] = act;
      rk.faw_i = (rk.faw_i + 1) & 3;
      rk.last_act = act;
      g.last_act = act;
      b.open_row = sg.row;
      b.col_ready = act + tRCD;
      b.pre_ready = act + tRAS;
      ++acts;
    } else {
      ++hits;
    }
    const int64_t n = sg.bursts;
    hits += static_cast<uint64_t>(n - 1);
    bursts += static_cast<uint64_t>(n);
    const int64_t stream = (n - 1) * step + tB;
    const int64_t slack = stream - n * tB;
    int64_t first = std::max(std::max(t, b.col_ready), std::max(g.col_free, bus_free - lat - slack));
    first = write ? std::max(first, last_rd + tCL + tB - tCWL)  // bus turnaround
                  : std::max(first, last_wr_end + tWTR);
    const int64_t data = first + lat;
    const int64_t last = first + (n - 1) * step;
    bus_free = std::max(bus_free, data) + n * tB;
    end_max = std::max(end_max, std::max(data + stream, bus_free));
    last_max = std::max(last_max, last);
    g.col_free = last + ccd_same_group;
    if (write) {
      last_wr_end = std::max(last_wr_end, last + tCWL + tB);
      b.pre_ready = std::max(b.pre_ready, last + tCWL + tB + tWR);
    } else {
      last_rd = std::max(last_rd, last);
      b.pre_ready = std::max(b.pre_ready, last + tRTP);
    }
  });
  bus_free_ = bus_free;
  act_block_ = act_block;
  last_rd_cmd_ = last_rd;
  last_wr_data_end_ = last_wr_end;
  activates += acts;
  precharges += pres;
  row_hit_bursts += hits;
  (write ? write_bursts : read_bursts) += bursts;
  ev[Ev::DramActivate] += acts;
  ev[Ev::DramPrecharge] += pres;
  ev[write ? Ev::DramWriteBurst : Ev::DramReadBurst] += bursts;
  DramServeResult r;
  r.end_ps = end_max;
  r.last_cmd_ps = last_max;
  return r;
}

DramServeResult DramChannelModel::serve(const DramAddressMapper& m, uint64_t addr, uint64_t bytes, uint32_t ch,
                                        bool write, int64_t t, EventCounts& ev) {
  return run([&](auto&& f) { m.for_each_segment(addr, bytes, ch, f); }, write, t, ev);
}

DramServeResult DramChannelModel::serve(const std::vector<DramSegment>& segs, bool write, int64_t t, EventCounts& ev) {
  return run(
      [&](auto&& f) {
        for (const DramSegment& s : segs) f(s);
      },
      write, t, ev);
}

}  // namespace lpusim
