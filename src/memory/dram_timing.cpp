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
      next_ref_(s.refresh_per_bank ? s.tREFIpb : s.tREFI) {
  for (int w = 0; w < 2; ++w) {
    size_t n = 4;
    while (n < static_cast<size_t>(w ? s.write_queue_entries : s.read_queue_entries) + 2) n *= 2;
    hist_[w].ring.resize(n);
    hist_[w].mask = n - 1;
  }
  // Column spacing in one bank group: tCCD_L for reads, tCCD_L_WR for writes (DDR5: 8 vs 16 nCK).
  step_[0] = std::max(s.bankgroups > 1 ? s.tCCD_L : s.tCCD_S, s.tBURST);
  step_[1] = std::max(s.bankgroups > 1 ? s.tCCD_L_WR : s.tCCD_S, s.tBURST);
}

int64_t DramChannelModel::departure(int w, uint64_t k) const {
  const Hist& h = hist_[w];
  if (h.size == 0) return INT64_MIN / 4;
  // Runs are in service order: the newest one starting at or before k holds it.
  for (size_t i = h.size; i-- > 0;) {
    const Chunk& c = h.at(i);
    if (c.k0 <= k) return c.first + static_cast<int64_t>(std::min(k - c.k0, c.n - 1)) * c.step;
  }
  return h.at(0).first;
}

int64_t DramChannelModel::departure_from(int w, uint64_t k) const {
  // The earliest departure at or after place k in service order: with requests timed out of order a
  // slot may free before the k-th departure (in order of service it is the k-th; in time the first).
  const Hist& h = hist_[w];
  int64_t t = INT64_MAX;
  for (size_t i = h.size; i-- > 0;) {
    const Chunk& c = h.at(i);
    if (c.k0 <= k) {
      t = std::min(t, c.first + static_cast<int64_t>(std::min(k - c.k0, c.n - 1)) * c.step);
      break;
    }
    t = std::min(t, c.first);
  }
  return t == INT64_MAX ? INT64_MIN / 4 : t;
}

int64_t DramChannelModel::act_slot(Rank& rk, uint32_t bg, int64_t c) const {
  const int64_t tRRD_S = s_.tRRD_S, tRRD_L = s_.tRRD_L, tFAW = s_.tFAW;
  auto feasible = [&](int64_t x) {
    int64_t w[Rank::kActs + 1];
    int m = 0;
    bool placed = false;
    for (int i = 0; i < rk.n; ++i) {
      const int64_t a = rk.T(i);
      const int64_t rrd = rk.B(i) == bg ? tRRD_L : tRRD_S;
      if (x < a + rrd && a < x + rrd) return false;
      if (!placed && x < a) {
        w[m++] = x;
        placed = true;
      }
      w[m++] = a;
    }
    if (!placed) w[m++] = x;
    for (int i = 0; i + 4 < m; ++i) {
      if (w[i + 4] - w[i] < tFAW) return false;
    }
    return true;
  };
  // In order (the usual case): after every kept activate, tRRD after the latest ones (tRRD_L in
  // the same bank group), tFAW after the 4th-last.
  if (rk.n == 0) return c;
  // Not before the oldest kept activate: the ones before it are forgotten, so tRRD / tFAW could not
  // be checked there.
  if (rk.n == Rank::kActs) c = std::max(c, rk.T(0));
  if (c >= rk.T(rk.n - 1)) {
    int64_t x = c;
    for (int i = rk.n - 1; i >= 0 && rk.T(i) + tRRD_L > c; --i) {
      x = std::max(x, rk.T(i) + (rk.B(i) == bg ? tRRD_L : tRRD_S));
    }
    if (rk.n >= 4) x = std::max(x, rk.T(rk.n - 4) + tFAW);
    return x;
  }
  if (feasible(c)) return c;
  int64_t cand[2 * Rank::kActs + 2];
  int k = 0;
  for (int i = 0; i < rk.n; ++i) {
    const int64_t rrd = rk.B(i) == bg ? tRRD_L : tRRD_S;
    if (rk.T(i) + rrd > c) cand[k++] = rk.T(i) + rrd;
    if (rk.T(i) + tFAW > c) cand[k++] = rk.T(i) + tFAW;
  }
  std::sort(cand, cand + k);
  for (int i = 0; i < k; ++i) {
    if (feasible(cand[i])) return cand[i];
  }
  // After all of them: tRRD after the last, tFAW after the 4th-last.
  int64_t x = std::max(c, rk.T(rk.n - 1) + tRRD_L);
  if (rk.n >= 4) x = std::max(x, rk.T(rk.n - 4) + tFAW);
  return x;
}

void DramChannelModel::add_holes(const Holes& h) {
  if (n_holes_ < kHoles) {
    holes_[n_holes_++] = h;
    return;
  }
  // Full: replace the run that ends first, if it ends before this one.
  int o = 0;
  for (int i = 1; i < kHoles; ++i) {
    if (holes_[i].s + holes_[i].n * holes_[i].period < holes_[o].s + holes_[o].n * holes_[o].period) o = i;
  }
  if (holes_[o].s + holes_[o].n * holes_[o].period < h.s + h.n * h.period) holes_[o] = h;
}

int64_t DramChannelModel::take_holes(int r, int64_t i, int64_t n, int64_t data, int64_t tB) {
  const Holes h = holes_[r];
  holes_[r] = holes_[--n_holes_];
  const int64_t hs = h.s + i * h.period, off = data - hs;
  const int64_t over = std::max<int64_t>(0, off + tB - h.len);
  if (i > 0) add_holes(Holes{h.s, h.period, h.len, i});
  if (i + n < h.n) add_holes(Holes{hs + n * h.period + over, h.period, h.len, h.n - i - n});
  if (off >= tB) add_holes(Holes{hs, h.period, off, n});
  if (h.len - off - tB >= tB) add_holes(Holes{data + tB, h.period, h.len - off - tB, n});
  return over;
}

void DramChannelModel::refresh_slow(int64_t t, EventCounts* ev) {
  if (s_.refresh_per_bank) {
    // REFpb: one bank per tREFIpb, round robin; it precharges that bank and blocks it for tRFCpb.
    const int64_t nb = static_cast<int64_t>(banks_.size());
    while (next_ref_ <= std::max(t, bus_free_)) {
      if (open_banks_ == 0 && next_ref_ + nb * s_.tREFIpb <= t) {  // idle: whole rounds on time
        const int64_t k = (t - next_ref_) / (nb * s_.tREFIpb);
        refreshes += static_cast<uint64_t>(k * nb);
        next_ref_ += k * nb * s_.tREFIpb;
        continue;
      }
      Bank& b = banks_[ref_bank_];
      int64_t start = next_ref_;
      if (b.open_row >= 0) {
        start = std::max(start, b.pre_ready) + s_.tRP;
        b.open_row = -1;
        --open_banks_;
        ++precharges;
        if (ev) ++(*ev)[Ev::DramPrecharge];
      }
      b.act_ready = std::max(b.act_ready, start + s_.tRFCpb);
      ++refreshes;
      ref_bank_ = (ref_bank_ + 1) % static_cast<uint32_t>(nb);
      next_ref_ += s_.tREFIpb;
    }
    return;
  }
  while (next_ref_ <= std::max(t, bus_free_)) {
    if (open_banks_ == 0 && next_ref_ + s_.tREFI <= t && bus_free_ <= next_ref_) {
      // Idle: every refresh in the gap runs on time and leaves nothing behind but the last one.
      const int64_t k = (t - next_ref_) / s_.tREFI;
      refreshes += static_cast<uint64_t>(k);
      next_ref_ += k * s_.tREFI;
      act_block_ = std::max(act_block_, next_ref_ - s_.tREFI + s_.tRFC);
      continue;
    }
    // Not before the column commands already issued; precharge-all first if any row is open (each
    // bank once its reads/writes allow: tRTP, tWR), while their data drains.
    int64_t start = std::max(next_ref_, std::max(last_rd_cmd_, last_col_));
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
    ref_pre_ = start - s_.tRP;  // the precharge-all (or the refresh, no row open): holes after it go
    for (int i = 0; i < n_holes_;) {
      Holes& h = holes_[i];
      const int64_t keep = std::min(h.n, (ref_pre_ - h.s + h.period - 1) / h.period);
      if (keep <= 0) {
        holes_[i] = holes_[--n_holes_];
        continue;
      }
      h.n = keep;
      ++i;
    }
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
  const int64_t tRP = S.tRP, tRCD = S.tRCD + S.tACT_cmd, tRAS = S.tRAS;
  const int64_t tB = S.tBURST, tCL = S.tCL, tCWL = S.tCWL, tWTR = S.tWTR, tWTR_S = S.tWTR_S;
  const int64_t tRTP = S.tRTP, tWR = S.tWR, tWCK = S.tWCK_sync;
  const int64_t horizon = tRAS + tRP;  // holes that ended this long before a burst wants the bus are dropped
  const int64_t lat = (write ? tCWL : tCL) + S.tCAS_cmd, step = step_[write ? 1 : 0];
  const int64_t ccd_same_group = S.bankgroups > 1 ? (write ? S.tCCD_L_WR : S.tCCD_L) : S.tCCD_S;
  const bool per_bank = S.refresh_per_bank;
  const int w = write ? 1 : 0;
  const uint64_t cap = static_cast<uint64_t>(write ? S.write_queue_entries : S.read_queue_entries);
  Bank* const banks = banks_.data();
  Group* const groups = groups_.data();
  Rank* const ranks = ranks_.data();
  Hist& hist = hist_[w];
  uint64_t departed = departed_[w];
  uint64_t acts = 0, pres = 0, bursts = 0, hits = 0;
  int64_t end_max = t, last_max = t, first_cmd = INT64_MAX;
  int64_t bus_free = bus_free_, act_block = act_block_, last_rd = last_rd_cmd_, last_wr_end = last_wr_data_end_;
  int64_t next_ref = next_ref_, wck_off = wck_off_;
  for_each([&](const DramSegment& sg) {
    Bank& b = banks[sg.bank];
    Group& g = groups[sg.bg];
    Rank& rk = ranks[sg.rank];
    int64_t left = sg.bursts;
    // After bursts in holes, the rest of the segment continues from here (its queue entry and
    // turnarounds were met by the first burst; the bursts follow at `step`).
    int64_t carry = INT64_MIN;
    while (left > 0) {
      // Bounded queue: this segment's first burst entered when the one `cap` places ahead left,
      // its later bursts as the following ones left (a ramp, bounded by its two ends).
      int64_t adm = t, adm_last = INT64_MIN / 4;
      const int64_t m = static_cast<int64_t>(std::min<uint64_t>(static_cast<uint64_t>(left), cap));
      if (carry != INT64_MIN) {
        adm = carry;
      } else if (departed >= cap) {
        const Chunk& newest = hist.at(hist.size - 1);
        if (newest.k0 <= departed - cap) {  // all within the last run (a long stream): in order
          adm = std::max(adm, newest.first + static_cast<int64_t>(departed - cap - newest.k0) * newest.step);
        } else {
          adm = std::max(adm, departure_from(w, departed - cap));
          if (m > 1) adm_last = departure(w, departed - cap + static_cast<uint64_t>(m) - 1) - (m - 1) * step;
        }
      }
      if (next_ref <= std::max(adm, bus_free)) {
        bus_free_ = bus_free;
        act_block_ = act_block;
        refresh_slow(adm, &ev);
        bus_free = bus_free_;
        act_block = act_block_;
        next_ref = next_ref_;
      }
      // A closed bank may still use holes the bus left before the last all-bank refresh: it activates
      // before the refresh's precharge-all, which closes it again (its later bursts reopen the row).
      // The requests are timed in service order; a controller interleaves them before the refresh.
      const auto col_base = [&](int64_t col_ready) {
        int64_t bs = std::max(std::max(adm, adm_last), col_ready);
        // The bank group's column spacing (tCCD_L) to its latest column command; a single burst ready
        // a tCCD_L before that one may go first (requests are timed out of order).
        if (!(left == 1 && bs + ccd_same_group <= g.col_free - ccd_same_group)) bs = std::max(bs, g.col_free);
        return write ? std::max(bs, last_rd + tCL + tB - tCWL)  // bus turnaround
                     : std::max(std::max(bs, g.last_wr_end + tWTR), last_wr_end + tWTR_S);
      };
      if (carry == INT64_MIN && b.open_row < 0 && b.open_row != sg.row && n_holes_ > 0 && adm < ref_pre_ && !per_bank) {
        const int64_t act = act_slot(rk, sg.bg, std::max(std::max(adm, b.act_ready), b.pre_ready + tRP));
        const int64_t base = col_base(act + tRCD);
        const int64_t want = (base > wck_off ? base + tWCK : base) + lat;
        const int64_t tail = write ? tB + tWR : tB;  // data (and write recovery) before the precharge-all
        int hole = -1;
        int64_t hole_i = 0, data = INT64_MAX;
        for (int r = 0; r < n_holes_ && act + tRAS <= ref_pre_; ++r) {
          const Holes& h = holes_[r];
          const int64_t late = want - (h.s + h.len - tB);
          const int64_t i = late > 0 ? (late + h.period - 1) / h.period : 0;
          const int64_t d = std::max(want, h.s + i * h.period);
          if (i < h.n && d + tail <= ref_pre_ && d < data) {
            data = d;
            hole = r;
            hole_i = i;
          }
        }
        if (hole >= 0) {
          const Holes h = holes_[hole];
          int64_t n = 1;
          if (h.period == step) {  // consecutive holes that end before the precharge-all
            n = std::min(std::min(left, h.n - hole_i), (ref_pre_ - tail - data) / step + 1);
          }
          take_holes(hole, hole_i, n, data, tB);
          const int64_t first = data - lat, last = first + (n - 1) * step;
          rk.add(act, sg.bg);
          g.last_act = std::max(g.last_act, act);
          first_cmd = std::min(first_cmd, act);
          ++acts;
          ++pres;  // closed by the refresh
          hits += static_cast<uint64_t>(n - 1);
          bursts += static_cast<uint64_t>(n);
          end_max = std::max(end_max, data + (n - 1) * step + tB);
          last_max = std::max(last_max, last);
          last_col_ = std::max(last_col_, last);
          g.col_free = std::max(g.col_free, last + ccd_same_group);
          if (write) {
            last_wr_end = std::max(last_wr_end, last + lat + tB);
            g.last_wr_end = std::max(g.last_wr_end, last + lat + tB);
          } else {
            last_rd = std::max(last_rd, last);
          }
          hist.push(Chunk{departed, static_cast<uint64_t>(n), first, step});
          departed += static_cast<uint64_t>(n);
          left -= n;
          continue;
        }
      }
      if (b.open_row != sg.row) {
        int64_t act = std::max(std::max(adm, act_block), b.act_ready);
        if (b.open_row >= 0) {
          act = std::max(act, std::max(adm, b.pre_ready) + tRP);
          ++pres;
        } else {
          ++open_banks_;
        }
        act = act_slot(rk, sg.bg, act);
        rk.add(act, sg.bg);
        g.last_act = std::max(g.last_act, act);
        first_cmd = std::min(first_cmd, act);
        b.open_row = sg.row;
        b.col_ready = act + tRCD;
        b.pre_ready = act + tRAS;
        ++acts;
      } else {
        ++hits;
      }
      int64_t n = left;
      const int64_t base = carry != INT64_MIN ? std::max(carry, b.col_ready) : col_base(b.col_ready);
      // At the bus frontier, or earlier in holes the bus left behind.
      int64_t first = std::max(base, bus_free - lat);
      if (first > wck_off) first += tWCK;  // CAS-WCK sync before the first access after WCK stopped
      int64_t data = first + lat;
      int hole = -1;
      int64_t hole_i = 0, in_holes = 0;
      const int64_t want = (base > wck_off ? base + tWCK : base) + lat;  // data time without the bus
      for (int r = 0; r < n_holes_ && want < data; ++r) {
        const Holes& h = holes_[r];
        // The first hole that has not ended at `want`.
        const int64_t late = want - (h.s + h.len);
        if (late >= (h.n - 1) * h.period + horizon) {  // long past (by a row cycle): forgotten
          holes_[r--] = holes_[--n_holes_];
          continue;
        }
        const int64_t i = late >= 0 ? late / h.period + 1 : 0;
        if (i >= h.n) continue;
        const int64_t d = std::max(want, h.s + i * h.period);
        if (d < data) {
          data = d;
          hole = r;
          hole_i = i;
        }
      }
      if (hole >= 0) {
        // Consecutive holes while the spacing matches this stream's; the rest of the run stays. A burst
        // ready inside a hole too short for it goes at once: the stream around it yields, and it and the
        // bus frontier move later by the overlap (a controller issues the ready command and delays the
        // other bank group's next one).
        const bool same = holes_[hole].period == step;
        n = same ? std::min(n, holes_[hole].n - hole_i) : 1;
        first = data - lat;
        bus_free += take_holes(hole, hole_i, n, data, tB);
        // Holes that run up to the frontier: the rest of the segment goes on past it at the same step.
        if (same && n < left && data + n * step >= bus_free) {
          in_holes = n;
          n = left;
        }
      }
      carry = INT64_MIN;
      // A refresh that falls due inside the row stream cuts it: the bursts before it go now, the
      // rest after the refresh (all-bank: every segment; per-bank: when it refreshes this bank).
      bool cut = false;
      if (next_ref > first && next_ref <= first + (n - 1) * step && (!per_bank || ref_bank_ == sg.bank)) {
        n = (next_ref - first + step - 1) / step;
        cut = true;
      }
      const int64_t stream = (n - 1) * step + tB;
      first_cmd = std::min(first_cmd, first);
      const int64_t last = first + (n - 1) * step;
      hits += static_cast<uint64_t>(n - 1);
      bursts += static_cast<uint64_t>(n);
      if (hole < 0 || n > in_holes) {  // bursts at the frontier, from d0 on
        const int64_t d0 = data + in_holes * step, nf = n - in_holes;
        if (d0 - bus_free >= tB) add_holes(Holes{bus_free, tB, d0 - bus_free, 1});  // the bus idled
        if (nf > 1 && step - tB >= tB) add_holes(Holes{d0 + tB, step, step - tB, nf - 1});
        bus_free = data + stream;
      }
      end_max = std::max(end_max, data + stream);
      last_max = std::max(last_max, last);
      last_col_ = std::max(last_col_, last);
      wck_off = std::max(wck_off, data + stream + tWCK);
      g.col_free = std::max(g.col_free, last + ccd_same_group);
      if (write) {
        last_wr_end = std::max(last_wr_end, last + lat + tB);
        g.last_wr_end = std::max(g.last_wr_end, last + lat + tB);
        b.pre_ready = std::max(b.pre_ready, last + lat + tB + tWR);
      } else {
        last_rd = std::max(last_rd, last);
        b.pre_ready = std::max(b.pre_ready, last + tRTP);
      }
      hist.push(Chunk{departed, static_cast<uint64_t>(n), first, step});
      departed += static_cast<uint64_t>(n);
      left -= n;
      if (hole >= 0 && !cut && left > 0) carry = last + step;
      if (cut && left > 0) {  // the refresh that cut the stream runs now; the rest reopens the row
        bus_free_ = bus_free;
        act_block_ = act_block;
        refresh_slow(std::max(last + 1, next_ref), &ev);
        bus_free = bus_free_;
        act_block = act_block_;
        next_ref = next_ref_;
      }
    }
  });
  departed_[w] = departed;
  bus_free_ = bus_free;
  act_block_ = act_block;
  last_rd_cmd_ = last_rd;
  last_wr_data_end_ = last_wr_end;
  wck_off_ = wck_off;
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
  r.first_cmd_ps = first_cmd == INT64_MAX ? t : first_cmd;
  return r;
}

DramServeResult DramChannelModel::serve(const DramAddressMapper& m, uint64_t addr, uint64_t bytes, uint32_t ch,
                                        bool write, int64_t t, EventCounts& ev, uint64_t skip, uint64_t limit) {
  if (skip == 0 && limit == UINT64_MAX)
    return run([&](auto&& f) { m.for_each_segment(addr, bytes, ch, f); }, write, t, ev);
  const uint64_t end = limit > UINT64_MAX - skip ? UINT64_MAX : skip + limit;
  return run(
      [&](auto&& f) {
        uint64_t pos = 0;
        m.for_each_segment(addr, bytes, ch, [&](DramSegment sg) {
          const uint64_t lo = std::max(pos, skip), hi = std::min(pos + sg.bursts, end);
          pos += sg.bursts;
          if (hi <= lo) return;
          sg.bursts = static_cast<uint32_t>(hi - lo);
          f(sg);
        });
      },
      write, t, ev);
}

DramServeResult DramChannelModel::serve(const std::vector<DramSegment>& segs, bool write, int64_t t, EventCounts& ev) {
  return run(
      [&](auto&& f) {
        for (const DramSegment& s : segs) f(s);
      },
      write, t, ev);
}

}  // namespace lpusim
