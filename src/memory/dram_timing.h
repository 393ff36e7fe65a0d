// Plain-C++ DRAM timing for one channel, at row-segment granularity (no SystemC inside).
//
// A transfer (contiguous byte range) is cut by the address mapping into row segments: runs of
// bursts that fall in one (channel, rank, bank group, bank, row). A segment is served as
//   [PRE if another row is open] -> ACT (tRRD_S/L, tFAW) -> n column bursts, tCCD apart,
// with bank state (open row, when it may precharge / take a column command) kept per bank.
// Closed forms per segment (times in ps; t = when the request entered the controller's queue):
//   adm    = max(t, departure of the burst read/write_queue_entries ahead in the queue)  (bounded queue)
//   ACT    = max(adm, PRE + tRP, last ACT in rank + tRRD_S, in bank group + tRRD_L, 4th-last ACT + tFAW,
//                refresh)
//   first  = max(adm, ACT + tACT_cmd + tRCD, bank-group column free (tCCD_L), write->read tWTR (same
//                group) / tWTR_S (other groups), read->write turnaround) [+ tWCK_sync if WCK is off]
//   step   = max(tCCD_L (writes tCCD_L_WR; tCCD_S without bank groups), tBURST); stream = (n-1) step + tBURST
//   data   = first + tCAS_cmd + tCL (tCWL for writes) ... data + stream
// Because ACT is bounded by the request's queue entry, not by the previous request's last column
// command, activates of queued requests overlap other banks' transfers (bank-level parallelism).
// The data bus: a frontier (end of the latest data) and runs of idle holes behind it. A stream with
// step > tBURST leaves a hole between its beats; a later stream with the same step (another bank
// group) puts its data into consecutive holes, so two bank groups interleave at the bus rate.
// Refresh: all-bank REF due every tREFI; it interrupts a row stream (the segment is cut at the due
// time), precharges every open bank (tRP) and blocks activates and the bus for tRFC; a closed bank may
// still activate before the precharge-all and use the holes before it. Per-bank
// (refresh_per_bank): one bank every tREFIpb, round robin, blocked for tRFCpb, the others go on.
// Refresh energy is charged as power (e_ref / tREFI).
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "base/energy.h"
#include "spec/dram_spec.h"

namespace lpusim {

struct DramSegment {
  uint32_t bank = 0;  // rank-major index: (rank * bankgroups + bg) * banks_per_group + ba
  uint32_t bg = 0;    // rank * bankgroups + bank group
  uint32_t rank = 0;
  int64_t row = 0;
  uint32_t bursts = 0;
};

// Decodes byte ranges into row segments per channel with a bit-field mapping (Ramulator order,
// most significant field first). Bursts are the unit; addresses beyond the capacity wrap around.
// A burst index g splits into HIGH (fields above co), the column, and LOW (fields below co); a row
// segment is one (HIGH, LOW) pair with the columns of the range. LOW combinations are tabulated.
class DramAddressMapper {
 public:
  explicit DramAddressMapper(const DramSpec& s);
  // Calls out(segment) for every row segment of [addr, addr + bytes) in channel ch, in address
  // order of (HIGH, LOW).
  template <class F>
  void for_each_segment(uint64_t addr, uint64_t bytes, uint32_t ch, F&& out) const;
  // Bit mask of the channels [addr, addr + bytes) touches.
  uint64_t channels_touched(uint64_t addr, uint64_t bytes) const;
  bool first_segment(uint64_t addr, uint64_t bytes, uint32_t ch, DramSegment& s) const;

 private:
  struct FieldBits {
    int shift = 0, bits = 0;
    bool low = false;
  };
  struct Fields {
    uint64_t ch = 0, ra = 0, bg = 0, ba = 0, ro = 0;
  };
  Fields decode(uint64_t g) const;
  const DramSpec& s_;
  FieldBits f_[static_cast<int>(DramField::kCount)];
  int low_bits_ = 0, col_bits_ = 0;
  uint64_t burst_bytes_ = 0;
  std::vector<Fields> low_;                       // per LOW value
  std::vector<std::vector<uint32_t>> low_of_ch_;  // LOW values that belong to each channel
  bool ch_low_ = false;
};

struct DramServeResult {
  int64_t end_ps = 0;        // last data beat of the transfer part
  int64_t last_cmd_ps = 0;   // last column command (the scheduler may pick the next part then)
  int64_t first_cmd_ps = 0;  // first command (ACT or column): the end of the part's queueing
};

class DramChannelModel {
 public:
  explicit DramChannelModel(const DramSpec& s);

  // Serves one part (the row segments of one transfer in this channel); t_ps is when it entered the
  // queue (no command before it).
  // Counts ACT/PRE/bursts into `ev` (the transfer's statistics key).
  // skip / limit: only this channel's bursts [skip, skip + limit) of the range, in address order (a part
  // served in pieces).
  DramServeResult serve(const DramAddressMapper& m, uint64_t addr, uint64_t bytes, uint32_t ch, bool write,
                        int64_t t_ps, EventCounts& ev, uint64_t skip = 0, uint64_t limit = UINT64_MAX);
  DramServeResult serve(const std::vector<DramSegment>& segs, bool write, int64_t t_ps, EventCounts& ev);
  bool row_open(const DramSegment& s) const { return banks_[s.bank].open_row == s.row; }
  // Earliest time (>= t) the first command for a segment could issue: its column command on a row
  // hit, its activate on a closed bank, its precharge + tRP on a row conflict (first-ready order).
  int64_t ready_ps(const DramSegment& s, int64_t t) const {
    const Bank& b = banks_[s.bank];
    if (b.open_row == s.row) return std::max(t, b.col_ready);
    if (b.open_row < 0) return std::max(std::max(t, b.act_ready), act_block_);
    return std::max(std::max(t, b.pre_ready) + s_.tRP, act_block_);
  }

  // Statistics.
  uint64_t activates = 0, precharges = 0, read_bursts = 0, write_bursts = 0, refreshes = 0;
  uint64_t row_hit_bursts = 0;  // bursts served without an activate

  // Catches refresh up to time t (exposed for the end-of-run count).
  void refresh_until(int64_t t_ps, EventCounts* ev) {
    if (next_ref_ <= std::max(t_ps, bus_free_)) refresh_slow(t_ps, ev);
  }

 private:
  struct Bank {
    int64_t open_row = -1;
    int64_t col_ready = 0;  // ACT + tACT_cmd + tRCD
    int64_t pre_ready = 0;  // ACT + tRAS, last read + tRTP, write data end + tWR
    int64_t act_ready = 0;  // per-bank refresh: REFpb + tRFCpb
  };
  struct Group {
    int64_t last_act = INT64_MIN / 4;
    int64_t col_free = 0;
    int64_t last_wr_end = INT64_MIN / 4;  // write data end in this group (tWTR, same group)
  };
  // Bounded queue: column commands (departures) of each queue in service order, as runs.
  struct Chunk {
    uint64_t k0;  // departures before this run
    uint64_t n;
    int64_t first, step;
  };
  int64_t departure(int w, uint64_t k) const;
  int64_t departure_from(int w, uint64_t k) const;
  // The rank's most recent activates (time, bank group), ascending: an activate may take a slot
  // between earlier ones when tRRD and tFAW allow (requests timed out of order).
  struct Rank {
    static constexpr int kActs = 8;  // a ring, oldest at head
    int64_t t_[kActs];
    uint32_t bg_[kActs];
    int head = 0, n = 0;
    int64_t T(int i) const { return t_[(head + i) & (kActs - 1)]; }  // i-th oldest
    uint32_t B(int i) const { return bg_[(head + i) & (kActs - 1)]; }
    void add(int64_t act, uint32_t bg) {
      if (n == kActs) {
        if (act <= T(0)) return;  // older than all kept
        head = (head + 1) & (kActs - 1);
        --n;
      }
      int i = n++;
      for (; i > 0 && T(i - 1) > act; --i) {
        t_[(head + i) & (kActs - 1)] = T(i - 1);
        bg_[(head + i) & (kActs - 1)] = B(i - 1);
      }
      t_[(head + i) & (kActs - 1)] = act;
      bg_[(head + i) & (kActs - 1)] = bg;
    }
  };
  int64_t act_slot(Rank& rk, uint32_t bg, int64_t c) const;
  // Idle time the data bus left behind before its frontier (bus_free_), as runs of equal holes:
  // hole i of a run is [s + i period, s + i period + len). A row stream whose column spacing is
  // longer than a burst (DDR5 writes at tCCD_L_WR, LPDDR5 at tCCD_L) leaves n - 1 holes of
  // step - tBURST between its beats; data that started after the frontier leaves one hole. A later
  // stream with the same spacing (another bank group) puts its data into consecutive holes, as a
  // controller interleaves two bank groups' bursts; any single burst may use any hole.
  struct Holes {
    int64_t s, period, len;
    int64_t n;
  };
  static constexpr int kHoles = 8;
  Holes holes_[kHoles] = {};
  int n_holes_ = 0;
  void add_holes(const Holes& h);
  // Puts n bursts into holes i.. of run r from `data` on; returns how far the stream around them yields.
  int64_t take_holes(int r, int64_t i, int64_t n, int64_t data, int64_t tB);
  int64_t ref_pre_ = INT64_MIN / 4;  // the last all-bank refresh's precharge-all
  template <class Source>
  DramServeResult run(Source&& for_each, bool write, int64_t t, EventCounts& ev);
  void refresh_slow(int64_t t_ps, EventCounts* ev);
  const DramSpec& s_;
  std::vector<Bank> banks_;
  std::vector<Group> groups_;
  std::vector<Rank> ranks_;
  int64_t step_[2] = {0, 0};  // per direction (read, write)
  int64_t bus_free_ = 0, act_block_ = 0, last_rd_cmd_ = INT64_MIN / 4, last_wr_data_end_ = INT64_MIN / 4;
  int64_t next_ref_ = 0;
  int64_t last_col_ = INT64_MIN / 4;  // last column command issued
  uint64_t open_banks_ = 0;
  uint32_t ref_bank_ = 0;            // next bank for per-bank refresh
  int64_t wck_off_ = INT64_MIN / 4;  // LPDDR5 WCK stops after the last data beat + 1 nCK
  // Per queue [read, write]: the runs covering the last `entries` departures, a ring of
  // entries + 2 (every run holds at least one departure).
  struct Hist {
    std::vector<Chunk> ring;  // power-of-two size
    size_t head = 0, size = 0, mask = 0;
    const Chunk& at(size_t i) const { return ring[(head + i) & mask]; }  // i-th oldest
    void push(const Chunk& c) {
      if (size == ring.size()) {
        head = (head + 1) & mask;
        --size;
      }
      ring[(head + size++) & mask] = c;
    }
  };
  Hist hist_[2];
  uint64_t departed_[2] = {0, 0};
};

inline DramAddressMapper::Fields DramAddressMapper::decode(uint64_t g) const {
  auto get = [&](DramField f) {
    const FieldBits& fb = f_[static_cast<int>(f)];
    // Masks drop the bits beyond the row field: addresses beyond the capacity wrap.
    return (g >> fb.shift) & ((uint64_t{1} << fb.bits) - 1);
  };
  return Fields{get(DramField::Ch), get(DramField::Ra), get(DramField::Bg), get(DramField::Ba), get(DramField::Ro)};
}

template <class F>
void DramAddressMapper::for_each_segment(uint64_t addr, uint64_t bytes, uint32_t ch, F&& out) const {
  if (bytes == 0) return;
  const uint64_t g0 = addr / burst_bytes_;
  const uint64_t g1 = (addr + bytes + burst_bytes_ - 1) / burst_bytes_;
  const int lb = low_bits_, hs = low_bits_ + col_bits_;
  const uint64_t L = uint64_t{1} << lb, C = uint64_t{1} << col_bits_;
  const uint64_t h_first = g0 >> hs, h_last = (g1 - 1) >> hs;
  const std::vector<uint32_t>& ls = low_of_ch_[ch_low_ ? ch : 0];
  for (uint64_t h = h_first; h <= h_last; ++h) {
    const Fields hi = decode(h << hs);
    if (!ch_low_ && hi.ch != ch) continue;
    const bool edge = h == h_first || h == h_last;
    for (uint32_t l : ls) {
      const uint64_t base = (h << hs) | l;
      uint64_t c_start = 0, c_end = C;
      if (edge) {  // columns c with g0 <= base + c L < g1
        c_start = g0 > base ? (g0 - base + L - 1) >> lb : 0;
        c_end = g1 > base ? std::min<uint64_t>(C, (g1 - base + L - 1) >> lb) : 0;
        if (c_start >= c_end) continue;
      }
      const Fields& lo = low_[l];
      const uint64_t ra = hi.ra | lo.ra, bg = hi.bg | lo.bg, ba = hi.ba | lo.ba;
      DramSegment sg;
      sg.rank = static_cast<uint32_t>(ra);
      sg.bg = static_cast<uint32_t>(ra * static_cast<uint64_t>(s_.bankgroups) + bg);
      sg.bank = static_cast<uint32_t>(sg.bg * static_cast<uint64_t>(s_.banks_per_group) + ba);
      sg.row = static_cast<int64_t>(hi.ro | lo.ro);
      sg.bursts = static_cast<uint32_t>(c_end - c_start);
      out(sg);
    }
  }
}

}  // namespace lpusim
