#include "models/dram_timing.h"

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

DramAddressMapper::Fields DramAddressMapper::decode(uint64_t g) const {
  auto get = [&](DramField f) {
    const FieldBits& fb = f_[static_cast<int>(f)];
    // Masks drop the bits beyond the row field: addresses beyond the capacity wrap.
    return (g >> fb.shift) & ((uint64_t{1} << fb.bits) - 1);
  };
  return Fields{get(DramField::Ch), get(DramField::Ra), get(DramField::Bg), get(DramField::Ba), get(DramField::Ro)};
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
    : s_(s), banks_(static_cast<size_t>(s.banks())), groups_(static_cast<size_t>(s.ranks * s.bankgroups)),
      ranks_(static_cast<size_t>(s.ranks)), next_ref_(s.tREFI) {
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

void DramChannelModel::segment(const DramSegment& sg, bool write, int64_t t, EventCounts& ev, DramServeResult& r) {
  refresh_until(t, &ev);
  Bank& b = banks_[sg.bank];
  Group& g = groups_[sg.bg];
  Rank& rk = ranks_[sg.rank];
  if (b.open_row != sg.row) {
    int64_t act = std::max(t, act_block_);
    if (b.open_row >= 0) {
      const int64_t pre = std::max(t, b.pre_ready);
      act = std::max(act, pre + s_.tRP);
      ++precharges;
      ++ev[Ev::DramPrecharge];
    } else {
      ++open_banks_;
    }
    act = std::max({act, rk.last_act + s_.tRRD_S, g.last_act + s_.tRRD_L, rk.faw[rk.faw_i] + s_.tFAW});
    rk.faw[rk.faw_i] = act;
    rk.faw_i = (rk.faw_i + 1) & 3;
    rk.last_act = act;
    g.last_act = act;
    b.open_row = sg.row;
    b.col_ready = act + s_.tRCD;
    b.pre_ready = act + s_.tRAS;
    ++activates;
    ++ev[Ev::DramActivate];
  } else {
    ++row_hit_bursts;
  }
  row_hit_bursts += sg.bursts - 1;
  const int64_t n = sg.bursts;
  const int64_t lat = write ? s_.tCWL : s_.tCL;
  const int64_t stream = (n - 1) * step_ + s_.tBURST;
  const int64_t slack = stream - n * s_.tBURST;
  int64_t first = std::max({t, b.col_ready, g.col_free, bus_free_ - lat - slack});
  if (write) {
    first = std::max(first, last_rd_cmd_ + s_.tCL + s_.tBURST - s_.tCWL);  // bus turnaround
  } else {
    first = std::max(first, last_wr_data_end_ + s_.tWTR);
  }
  const int64_t data = first + lat;
  const int64_t last = first + (n - 1) * step_;
  bus_free_ = std::max(bus_free_, data) + n * s_.tBURST;
  const int64_t end = std::max(data + stream, bus_free_);
  g.col_free = last + (s_.bankgroups > 1 ? s_.tCCD_L : s_.tCCD_S);
  if (write) {
    last_wr_data_end_ = std::max(last_wr_data_end_, last + s_.tCWL + s_.tBURST);
    b.pre_ready = std::max(b.pre_ready, last + s_.tCWL + s_.tBURST + s_.tWR);
    write_bursts += static_cast<uint64_t>(n);
    ev[Ev::DramWriteBurst] += static_cast<uint64_t>(n);
  } else {
    last_rd_cmd_ = std::max(last_rd_cmd_, last);
    b.pre_ready = std::max(b.pre_ready, last + s_.tRTP);
    read_bursts += static_cast<uint64_t>(n);
    ev[Ev::DramReadBurst] += static_cast<uint64_t>(n);
  }
  r.end_ps = std::max(r.end_ps, end);
  r.last_cmd_ps = std::max(r.last_cmd_ps, last);
}

DramServeResult DramChannelModel::serve(const DramAddressMapper& m, uint64_t addr, uint64_t bytes, uint32_t ch,
                                        bool write, int64_t t, EventCounts& ev) {
  DramServeResult r;
  r.end_ps = t;
  r.last_cmd_ps = t;
  m.for_each_segment(addr, bytes, ch, [&](const DramSegment& s) { segment(s, write, t, ev, r); });
  return r;
}

DramServeResult DramChannelModel::serve(const std::vector<DramSegment>& segs, bool write, int64_t t, EventCounts& ev) {
  DramServeResult r;
  r.end_ps = t;
  r.last_cmd_ps = t;
  for (const DramSegment& s : segs) segment(s, write, t, ev, r);
  return r;
}

}  // namespace lpusim
