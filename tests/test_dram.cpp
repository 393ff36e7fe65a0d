// DRAM model against closed forms: single access latency, row-buffer streaming, row misses, tFAW,
// refresh, FR-FCFS, bank-level parallelism through the address mapping, energy = counts x pJ, and
// bad presets / keys. Times are in ps (the model's unit); LPDDR5-6400 preset unless stated.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <memory>
#include <sstream>

#include "base/config_error.h"
#include "config/loaders.h"
#include "helpers.h"
#include "memory/dram.h"
#include "memory/dram_roof.h"
#include "memory/dram_timing.h"
#include "memory/dram_trace.h"
#include "spec/dram_spec.h"

using namespace lpusim;
using namespace lpusim_test;
using nlohmann::json;

namespace {

constexpr double kNoRefresh = 1e9;  // tREFI in ns: no refresh within a test

// LPDDR5 with the plain timing of the closed forms below: no ACT-2 / WCK-sync cycles and queues deep
// enough to hold any transfer here (the command-level extras and the bounded queue have their own
// tests); `ov` may set any of these back.
DramSpec lp5(int64_t channels = 1, const std::string& mapping = "ro_ba_bg_ra_co_ch",
             std::map<std::string, double> ov = {{"tREFI", kNoRefresh}}) {
  for (auto [k, v] : std::map<std::string, double>{
           {"tACT_cmd", 0}, {"tWCK_sync", 0}, {"read_queue_entries", 1 << 20}, {"write_queue_entries", 1 << 20}}) {
    ov.emplace(k, v);
  }
  return dram_from_preset(src("configs/dram/lpddr5.yaml"), channels, mapping, ov);
}

DramSegment seg(const DramSpec& s, uint32_t bg, uint32_t ba, int64_t row, uint32_t bursts) {
  DramSegment g;
  g.rank = 0;
  g.bg = bg;
  g.bank = bg * static_cast<uint32_t>(s.banks_per_group) + ba;
  g.row = row;
  g.bursts = bursts;
  return g;
}

int64_t serve1(DramChannelModel& m, const DramSegment& g, bool write, int64_t t, EventCounts& ev) {
  return m.serve(std::vector<DramSegment>{g}, write, t, ev).end_ps;
}

// Serves [0, bytes) on channel 0 as one transfer at t = 0 and returns its end.
int64_t stream(const DramSpec& s, DramChannelModel& m, uint64_t bytes, EventCounts& ev) {
  DramAddressMapper map(s);
  return m.serve(map, 0, bytes, 0, false, 0, ev).end_ps;
}

}  // namespace

TEST_CASE("DRAM: a single access to a closed bank takes tRCD + tCL (tCWL) + tBURST") {
  const DramSpec s = lp5();
  CHECK(s.tBURST == 2500);  // 16 beats at 6400 MT/s
  EventCounts ev;
  DramChannelModel m(s);
  CHECK(serve1(m, seg(s, 0, 0, 7, 1), false, 0, ev) == s.tRCD + s.tCL + s.tBURST);
  DramChannelModel w(s);
  CHECK(serve1(w, seg(s, 1, 2, 7, 1), true, 0, ev) == s.tRCD + s.tCWL + s.tBURST);
  CHECK(ev[Ev::DramActivate] == 2);
  CHECK(ev[Ev::DramPrecharge] == 0);
}

TEST_CASE("DRAM: a stream within one open row runs at max(tCCD_L, tBURST) per burst") {
  const DramSpec s = lp5();
  const int64_t n = static_cast<int64_t>(s.columns());
  REQUIRE(n == 64);  // 2 KiB row / 32 B bursts
  EventCounts ev;
  DramChannelModel m(s);
  const int64_t step = std::max(s.tCCD_L, s.tBURST);
  CHECK(serve1(m, seg(s, 0, 0, 3, static_cast<uint32_t>(n)), false, 0, ev) ==
        s.tRCD + s.tCL + (n - 1) * step + s.tBURST);
  // Same row again: a row hit, no activate, the bursts follow tCCD_L after the last one.
  const int64_t t = 1'000'000;
  CHECK(serve1(m, seg(s, 0, 0, 3, 4), false, t, ev) == t + s.tCL + 3 * step + s.tBURST);
  CHECK(ev[Ev::DramActivate] == 1);
  CHECK(m.row_hit_bursts == static_cast<uint64_t>(n - 1 + 4));
}

TEST_CASE("DRAM: row misses in one bank cost tRP + tRCD each, back to back tRC") {
  const DramSpec s = lp5();
  EventCounts ev;
  // Isolated miss: row 1 open long ago; reading row 2 costs PRE + ACT + column.
  DramChannelModel m(s);
  serve1(m, seg(s, 0, 0, 1, 1), false, 0, ev);
  const int64_t t = 1'000'000;
  CHECK(serve1(m, seg(s, 0, 0, 2, 1), false, t, ev) == t + s.tRP + s.tRCD + s.tCL + s.tBURST);
  // Back to back: k single-burst reads to k rows of one bank, queued at t = 0. The bank cannot
  // precharge before tRAS (> tRCD + tRTP here), so accesses are tRAS + tRP = tRC apart.
  REQUIRE(s.tRAS > s.tRCD + s.tRTP);
  DramChannelModel b(s);
  std::vector<DramSegment> rows;
  for (int r = 0; r < 10; ++r) rows.push_back(seg(s, 0, 0, r, 1));
  const DramServeResult res = b.serve(rows, false, 0, ev);
  CHECK(res.end_ps == 9 * (s.tRAS + s.tRP) + s.tRCD + s.tCL + s.tBURST);
  CHECK(b.activates == 10);
  CHECK(b.precharges == 9);
}

TEST_CASE("DRAM: tFAW limits four activates per window, tRRD spaces them") {
  const DramSpec s = lp5(1, "ro_ba_bg_ra_co_ch", {{"tREFI", kNoRefresh}, {"tFAW", 40.0}});
  EventCounts ev;
  DramChannelModel m(s);
  std::vector<int64_t> ends;
  // Eight single-burst reads to eight banks in different bank groups, all ready at t = 0.
  for (uint32_t i = 0; i < 8; ++i) ends.push_back(serve1(m, seg(s, i % 4, i / 4, 0, 1), false, 0, ev));
  const int64_t col = s.tRCD + s.tCL + s.tBURST;
  for (int i = 0; i < 4; ++i) CHECK(ends[i] == i * s.tRRD_S + col);                 // ACT at 0, 5, 10, 15 ns
  for (int i = 4; i < 8; ++i) CHECK(ends[i] == s.tFAW + (i - 4) * s.tRRD_S + col);  // 5th ACT waits for tFAW
}

TEST_CASE("DRAM: bank-level parallelism through the address mapping") {
  // 16 rows of 2 KiB on one channel. Interleaved over banks (bank groups alternate): bus-bound.
  // All in one bank (rows consecutive): every row is a miss and streams at tCCD_L.
  const uint64_t bytes = 16 * 2048;
  EventCounts ev;
  const DramSpec inter = lp5(1, "ro_ba_bg_ra_co_ch");
  DramChannelModel a(inter);
  const int64_t t_inter = stream(inter, a, bytes, ev);
  const int64_t bus = 16 * 64 * inter.tBURST;
  CHECK(t_inter >= bus + inter.tRCD + inter.tCL);
  CHECK(t_inter <= bus + inter.tRCD + inter.tCL + 2 * inter.tCCD_L);
  CHECK(a.activates == 16);

  const DramSpec one = lp5(1, "ba_bg_ra_ro_co_ch");
  DramChannelModel b(one);
  const int64_t t_one = stream(one, b, bytes, ev);
  // Per row: 63 tCCD_L + tBURST of column time (>= tRC, so precharge/activate overlap the stream
  // only partly: PRE waits for the last read + tRTP, then tRP + tRCD).
  const int64_t row_time = 63 * one.tCCD_L + one.tBURST;
  const int64_t per_row = 63 * one.tCCD_L + one.tRTP + one.tRP + one.tRCD;
  CHECK(t_one == 15 * per_row + one.tRCD + one.tCL + row_time);
  CHECK(b.activates == 16);
  CHECK(b.precharges == 15);
  CHECK(static_cast<double>(t_one) / static_cast<double>(t_inter) > 2.0);
}

TEST_CASE("DRAM: refresh steals tRFC every tREFI") {
  const DramSpec with = lp5(1, "ro_ba_bg_ra_co_ch", {});
  const DramSpec without = lp5(1, "ro_ba_bg_ra_co_ch");
  const uint64_t bytes = 64ull << 20;  // 64 MiB on one channel: ~5.2 ms at 12.8 GB/s
  EventCounts ev;
  DramChannelModel a(with), b(without);
  const int64_t d = stream(with, a, bytes, ev);
  const int64_t d0 = stream(without, b, bytes, ev);
  CHECK(b.refreshes == 0);
  // One refresh per tREFI of elapsed time (postponed to the end of the row segment in flight).
  CHECK(static_cast<int64_t>(a.refreshes) >= d / with.tREFI - 1);
  CHECK(static_cast<int64_t>(a.refreshes) <= d / with.tREFI);
  const int64_t k = static_cast<int64_t>(a.refreshes);
  // Each refresh costs tRFC plus at most draining/re-opening the rows (tRP, tRCD, tCL, a row).
  CHECK(d - d0 >= k * with.tRFC);
  CHECK(d - d0 <= k * (with.tRFC + with.tRP + with.tRCD + with.tCL + 64 * with.tCCD_L));
  // Achieved bandwidth ~ peak x (1 - tRFC / tREFI).
  const double bw = static_cast<double>(bytes) / static_cast<double>(d);
  const double peak = static_cast<double>(with.burst_bytes()) / static_cast<double>(with.tBURST);
  CHECK(bw / peak == Approx(1.0 - static_cast<double>(with.tRFC) / static_cast<double>(with.tREFI)).epsilon(0.02));
}

TEST_CASE("DRAM: FR-FCFS serves a younger row hit before an older row miss") {
  const DramSpec s = lp5();
  const sc_core::sc_time clk(1, sc_core::SC_NS);
  Dram dram("dram", s, clk, 1);
  // ro_ba_bg_ra_co_ch, one channel: address = ((row * 16 + bank) * 64 + column) * 32.
  auto addr = [](uint64_t row, uint64_t bank, uint64_t col) { return ((row * 16 + bank) * 64 + col) * 32; };
  int64_t a = 0, b = 0, c = 0;
  dram.request(addr(0, 0, 0), 32, false, 0, DramClass::Weights, [&]() { a = now_ps(); });  // opens row 0 of bank 0
  dram.request(addr(1, 0, 0), 32, false, 0, DramClass::Weights, [&]() { b = now_ps(); });  // older, row miss
  dram.request(addr(0, 0, 1), 32, false, 0, DramClass::Weights, [&]() { c = now_ps(); });  // younger, row hit
  sc_core::sc_start();
  CHECK(a == s.tRCD + s.tCL + s.tBURST);
  CHECK(c < b);
  // The hit is picked when A's column command has issued: one tCCD_L later.
  CHECK(c == a + s.tCCD_L);
  // The miss then precharges at tRAS after A's activate: tRAS + tRP + tRCD + tCL + tBURST.
  CHECK(b == s.tRAS + s.tRP + s.tRCD + s.tCL + s.tBURST);
  CHECK(dram.channel(0).model().activates == 2);
}

TEST_CASE("DRAM: a request spreads over channels and completes when every part has") {
  const DramSpec s = lp5(4);
  const sc_core::sc_time clk(1, sc_core::SC_NS);
  Dram dram("dram", s, clk, 1);
  int64_t done = 0;
  // 4 rows of 2 KiB per channel: 32 KiB interleaved over 4 channels in 32 B bursts.
  dram.request(0, 32 * 1024, false, 0, DramClass::Weights, [&]() { done = now_ps(); });
  sc_core::sc_start();
  for (size_t c = 0; c < 4; ++c) {
    CHECK(dram.channel(c).read_bytes() == 8 * 1024);
    CHECK(dram.channel(c).model().activates == 4);
  }
  const int64_t bus = 4 * 64 * s.tBURST;  // per channel, in parallel
  CHECK(done >= bus + s.tRCD + s.tCL);
  CHECK(done <= bus + s.tRCD + s.tCL + 2 * s.tCCD_L);
}

TEST_CASE("DRAM: energy = operation counts x preset energies + static power") {
  // Write drain to an empty write queue: the write is not cut into pieces around the reads (its rows share
  // banks with theirs).
  const DramSpec s = lp5(2, "ro_ba_bg_ra_co_ch", {{"write_low_watermark", 0}});
  const sc_core::sc_time clk(1, sc_core::SC_NS);
  Dram dram("dram", s, clk, 2);
  dram.request(0, 64 * 1024, false, 0, DramClass::Weights, []() {});
  dram.request(1 << 20, 8 * 1024, true, 1, DramClass::Weights, []() {});
  sc_core::sc_start();
  ModuleStats st;
  dram.collect(st);
  uint64_t acts = 0, pres = 0, rd = 0, wr = 0;
  for (size_t c = 0; c < 2; ++c) {
    acts += dram.channel(c).model().activates;
    pres += dram.channel(c).model().precharges;
    rd += dram.channel(c).model().read_bursts;
    wr += dram.channel(c).model().write_bursts;
  }
  CHECK(rd == 64 * 1024 / 32);
  CHECK(wr == 8 * 1024 / 32);
  CHECK(acts == (64 + 8) * 1024 / 2048);  // every row opened once, rows never revisited
  const EnergyBreakdown e0 = price(st.per_key[0], st.prices), e1 = price(st.per_key[1], st.prices);
  CHECK(e0[EnergyClass::Dram] + e1[EnergyClass::Dram] ==
        Approx(static_cast<double>(acts) * s.e_act_pj + static_cast<double>(pres) * s.e_pre_pj +
               static_cast<double>(rd) * s.e_rd_pj + static_cast<double>(wr) * s.e_wr_pj));
  CHECK(st.per_key[1][Ev::DramWriteBurst] == wr);
  CHECK(st.per_key[0][Ev::DramReadBit] == 64 * 1024 * 8);
  // Static: background + refresh (e_ref per tREFI) per channel.
  CHECK(st.dram_static_uw == Approx(2 * (s.p_background_mw * 1e3 + s.e_ref_pj / (s.tREFI * 1e-6))));
}

TEST_CASE("DRAM presets: all load, peak bandwidth follows bus width and data rate") {
  struct P {
    const char* name;
    double gb_s;
  };
  for (const P& p : {P{"lpddr5", 12.8}, P{"lpddr5x", 17.066}, P{"hbm3", 25.6}, P{"ddr5", 12.8}}) {
    INFO(p.name);
    const DramSpec s = dram_from_preset(src(std::string("configs/dram/") + p.name + ".yaml"), 4, "ro_ba_bg_ra_co_ch");
    CHECK(s.peak_gb_s_per_channel() == Approx(p.gb_s).epsilon(1e-3));
    for (const auto& k : dram_param_keys()) CHECK_FALSE(s.sources.at(k).empty());
  }
}

TEST_CASE("bad DRAM config: unknown preset, unknown key, bad mapping, and a resolved override") {
  const std::string dir = temp_tree("bad_dram");
  const std::string text = read_file(dir + "/configs/designs/lpu_64x64.yaml");
  const std::string from = "dram: {preset: lpddr5, channels: 4, address_mapping: ro_ba_bg_ra_co_ch, capacity_gib: 8}";
  struct C {
    const char* to;
    const char* expect;
  };
  for (const C& c :
       {C{"dram: {preset: lpddr9, channels: 4, address_mapping: ro_ba_bg_ra_co_ch}",
          "dram.preset: unknown DRAM preset 'lpddr9'"},
        C{"dram: {preset: lpddr9, channels: 4, address_mapping: ro_ba_bg_ra_co_ch}",
          "(presets: ddr5, hbm3, lpddr5, lpddr5x)"},
        C{"dram: {preset: lpddr5, channels: 4, address_mapping: ro_ba_bg_ra_co_ch, tRCDX: 3}",
          "dram.tRCDX: unknown key"},
        C{"dram: {preset: lpddr5, channels: 4, address_mapping: ro_ba_bg_ra_co}",
          "dram.address_mapping: expected all six fields"},
        C{"dram: {preset: lpddr5, channels: 3, address_mapping: ro_ba_bg_ra_co_ch}", "channels must be a power of two"},
        C{"dram: {preset: lpddr5, channels: 4, address_mapping: ro_ba_bg_ra_co_ch, tRCD: -1}",
          "dram.tRCD: expected a number >= 0"}}) {
    INFO(c.to);
    write_file(dir + "/configs/designs/bad.yaml", replace_once(text, from, c.to));
    CmdResult r = run_lpusim("run " + dir + "/configs/designs/bad.yaml " + src("tests/data/tiny.yaml"), "dram");
    INFO("stderr: " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("bad.yaml:") != std::string::npos);
    CHECK(r.err.find(c.expect) != std::string::npos);
  }
  // A documented key overrides the preset and the resolved design shows the value and its origin.
  write_file(
      dir + "/configs/designs/ok.yaml",
      replace_once(text, from, "dram: {preset: lpddr5, channels: 4, address_mapping: ro_ba_bg_ra_co_ch, tRCD: 20}"));
  CmdResult r = run_lpusim(
      "run " + dir + "/configs/designs/ok.yaml " + src("tests/data/tiny.yaml") + " -o " + dir + "/out", "ok");
  REQUIRE(r.code == 0);
  const std::string resolved = read_file(dir + "/out/design_lpu_64x64.resolved.yaml");
  CHECK(resolved.find("tRCD: 20  # design override") != std::string::npos);
  CHECK(resolved.find("tRP: 18.75  # Ramulator 2.0") != std::string::npos);
  CHECK(read_file(dir + "/out/dram.csv").find("lpu_64x64,lpu_64x64.dram.ch3,") != std::string::npos);
}

TEST_CASE("DRAM: reads go first until the write queue reaches its high watermark, then writes drain") {
  std::vector<std::unique_ptr<Dram>> drams;
  auto order = [&drams](double high, double low) {
    const DramSpec s = lp5(1, "ro_ba_bg_ra_co_ch",
                           {{"tREFI", kNoRefresh}, {"write_high_watermark", high}, {"write_low_watermark", low}});
    drams.push_back(std::make_unique<Dram>(("dram" + std::to_string(drams.size())).c_str(), s,
                                           sc_core::sc_time(1, sc_core::SC_NS), 1));
    Dram* dram = drams.back().get();
    auto ends = std::make_shared<std::vector<std::pair<int64_t, char>>>();
    // Three writes then three reads, each to its own bank (no row hits), all queued at t = 0.
    for (uint64_t i = 0; i < 3; ++i)
      dram->request(i * 2048, 32, true, 0, DramClass::Weights, [ends]() { ends->push_back({now_ps(), 'w'}); });
    for (uint64_t i = 3; i < 6; ++i)
      dram->request(i * 2048, 32, false, 0, DramClass::Weights, [ends]() { ends->push_back({now_ps(), 'r'}); });
    return ends;
  };
  auto lazy = order(8, 2);   // 3 writes < 8: reads first
  auto eager = order(2, 0);  // 3 writes >= 2: drain all writes first
  sc_core::sc_start();
  std::sort(lazy->begin(), lazy->end());
  std::sort(eager->begin(), eager->end());
  std::string a, b;
  for (auto& e : *lazy) a += e.second;
  for (auto& e : *eager) b += e.second;
  CHECK(a == "rrrwww");
  CHECK(b == "wwwrrr");
}

// ---- Command-level timing, bounded queues, trace driver (issue 14) ----

namespace {

DramSpec preset(const std::string& name, int64_t channels, std::map<std::string, double> ov = {}) {
  return dram_from_preset(src("configs/dram/" + name + ".yaml"), channels, "ro_ba_bg_ra_co_ch", ov);
}

std::vector<DramTraceOp> ops_of(const std::string& text) {
  std::istringstream in(text);
  return parse_dram_trace(in, "t.trace");
}

}  // namespace

TEST_CASE("DRAM: a lone read = tRCD + tCL + burst plus the command-level cycles of the preset") {
  EventCounts ev;
  // LPDDR5: ACT-2 one nCK after ACT-1, a CAS-WCK sync before the column command: 48.75 ns,
  // the lone-access figure Ramulator gives (issue 14).
  const DramSpec l = preset("lpddr5", 1);
  DramChannelModel ml(l);
  CHECK(serve1(ml, seg(l, 0, 0, 7, 1), false, 0, ev) == l.tACT_cmd + l.tRCD + l.tWCK_sync + l.tCL + l.tBURST);
  CHECK(l.tACT_cmd + l.tRCD + l.tWCK_sync + l.tCL + l.tBURST == 48750);
  // While WCK runs (a second read right behind the first), no sync: a row hit tCCD_L later.
  CHECK(serve1(ml, seg(l, 0, 0, 7, 1), false, 0, ev) == 48750 + l.tCCD_L);
  // DDR5: two-cycle ACT and RD, timed from their second cycle.
  const DramSpec d = preset("ddr5", 1);
  DramChannelModel md(d);
  DramSegment g;
  g.row = 3;
  g.bursts = 1;
  CHECK(serve1(md, g, false, 0, ev) == d.tACT_cmd + d.tRCD + d.tCAS_cmd + d.tCL + d.tBURST);
  CHECK(d.tACT_cmd + d.tRCD + d.tCAS_cmd + d.tCL + d.tBURST == 36250);
}

TEST_CASE("DRAM: write -> read turnaround is tWTR in the same bank group, tWTR_S in another") {
  const DramSpec s = lp5();
  REQUIRE(s.tWTR > s.tWTR_S);
  EventCounts ev;
  for (uint32_t bg : {0u, 1u}) {
    // A write to bank group 0, then a read to bank 1 of group `bg`, both queued at t = 0.
    DramChannelModel m(s);
    serve1(m, seg(s, 0, 0, 1, 1), true, 0, ev);
    const int64_t wr_end = s.tRCD + s.tCWL + s.tBURST;
    const int64_t rd_first = std::max(wr_end + (bg == 0 ? s.tWTR : s.tWTR_S), s.tRRD_S + s.tRCD);
    CHECK(serve1(m, seg(s, bg, 1, 1, 1), false, 0, ev) == rd_first + s.tCL + s.tBURST);
  }
}

TEST_CASE("DRAM: refresh interrupts a row stream, per-bank refresh leaves the other banks running") {
  // All-bank: a refresh that falls due inside a 64-burst row cuts it (2 activates for one row).
  const DramSpec ab = lp5(1, "ro_ba_bg_ra_co_ch", {{"tREFI", 250.0}, {"tRFC", 50.0}});
  EventCounts ev;
  DramChannelModel a(ab);
  const int64_t end = serve1(a, seg(ab, 0, 0, 3, 64), false, 0, ev);
  CHECK(a.refreshes == 1);
  CHECK(a.activates == 2);
  CHECK(end > 64 * ab.tCCD_L + ab.tRFC);
  // Per-bank: a stream over banks 1..15 never waits for the refreshes of bank 0's slot.
  const DramSpec pb = lp5(1, "ro_ba_bg_ra_co_ch", {{"refresh_per_bank", 1}});
  REQUIRE(pb.tREFIpb == 488000);
  DramChannelModel p(pb);
  std::vector<DramSegment> segs;
  for (int r = 0; r < 40; ++r)
    segs.push_back(seg(pb, static_cast<uint32_t>(r % 4), 1 + static_cast<uint32_t>(r % 3), r, 64));
  const DramServeResult res = p.serve(segs, false, 0, ev);
  CHECK(p.refreshes >= 1);
  const double bw = 40.0 * 64 * 32 / static_cast<double>(res.end_ps);
  CHECK(bw > 0.9 * static_cast<double>(pb.burst_bytes()) / static_cast<double>(pb.tBURST));
}

TEST_CASE("DRAM trace: lines R|W <address> <bytes>, decimal or hex, bad lines name file:line") {
  const auto ops = ops_of("# comment\nR 0x1000 64\n\nW 4096 0x40  # append\n");
  REQUIRE(ops.size() == 2);
  CHECK(!ops[0].write);
  CHECK(ops[0].addr == 0x1000);
  CHECK(ops[0].bytes == 64);
  CHECK(ops[1].write);
  CHECK(ops[1].addr == 4096);
  CHECK(ops[1].bytes == 64);
  auto err = [](const std::string& t) {
    try {
      ops_of(t);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("R 0 64\nX 0 64\n").find("t.trace:2: unknown transaction 'X'") == 0);
  CHECK(err("R 0\n").find("t.trace:1: missing address or size") == 0);
  CHECK(err("R 0x 64\n").find("t.trace:1: bad address") == 0);
  CHECK(err("W 12 0\n").find("t.trace:1: bad size") == 0);
  CHECK(err("R 1 2 3\n").find("t.trace:1: trailing '3'") == 0);
  CHECK(err("R -5 64\n").find("t.trace:1: bad address") == 0);
}

std::vector<DramTraceOp> long_stream() {
  std::vector<DramTraceOp> ops;
  for (uint64_t i = 0; i < 256; ++i) ops.push_back({false, i << 19, 1 << 19});  // 128 MiB in 512 KiB
  return ops;
}

TEST_CASE("DRAM trace: a long stream runs at peak x (1 - tRFC / tREFI) within 1%") {
  // DDR5 reads: tCCD_L = tBURST, one bank group at a time fills the bus.
  const DramSpec s = preset("ddr5", 4, {{"read_queue_entries", 64}});
  const DramTraceResult r = run_dram_trace(s, long_stream(), 2);
  CHECK(r.gbps ==
        Approx(r.peak_gbps * (1.0 - static_cast<double>(s.tRFC) / static_cast<double>(s.tREFI))).epsilon(0.01));
  CHECK(r.ref > 0);
  CHECK(r.rd == (128ull << 20) / 64);
}

TEST_CASE("DRAM trace: an LPDDR5 long stream runs at peak x (1 - tRFC / tREFI) within 2.5%") {
  // tCCD_L = 2 tBURST: the bus is full only with two bank groups interleaved. A refresh cuts a row stream;
  // until half of the next row is in the queue (64 entries, one row per channel) the row after the refresh
  // streams alone at half rate, so each refresh costs more than tRFC.
  const DramSpec s = preset("lpddr5", 4, {{"read_queue_entries", 64}});
  const DramTraceResult r = run_dram_trace(s, long_stream(), 2);
  const double want = r.peak_gbps * (1.0 - static_cast<double>(s.tRFC) / static_cast<double>(s.tREFI));
  CHECK(r.gbps == Approx(want).epsilon(0.025));
  CHECK(r.gbps < want);
  CHECK(r.ref > 0);
  CHECK(r.rd == (128ull << 20) / 32);
}

// DDR5, one channel, ro_ba_bg_ra_co_ch: 1 KiB = 16 bursts of row 0 in bank group 0 (address 0) and in bank
// group 1 (address 4096).
const std::vector<DramTraceOp> kTwoWriteStreams = {{true, 0, 1024}, {true, 4096, 1024}};

TEST_CASE("DRAM trace: two write streams in different bank groups interleave their data in tCCD_L_WR gaps") {
  // Each stream spaces its writes tCCD_L_WR = 2 tBURST apart; the second one's ACT goes tRRD_S after the
  // first's and its data lands exactly in the first one's gaps, so it ends
  // tRRD_S + tACT_cmd + tRCD + tCAS_cmd + tCWL + 15 tCCD_L_WR + tBURST after the start.
  const DramSpec s = preset("ddr5", 1, {{"tREFI", kNoRefresh}});
  REQUIRE(s.tCCD_L_WR == 2 * s.tBURST);
  const DramTraceResult r = run_dram_trace(s, kTwoWriteStreams, 2);
  const int64_t want = s.tRRD_S + s.tACT_cmd + s.tRCD + s.tCAS_cmd + s.tCWL + 15 * s.tCCD_L_WR + s.tBURST;
  CHECK(r.time_ns == Approx(static_cast<double>(want) * 1e-3).epsilon(1e-9));
  CHECK(r.wr == 32);
  CHECK(r.act == 2);
}

TEST_CASE("DRAM trace: write streams one at a time do not interleave") {
  // W = 1: the second stream is issued when the first one's data is written, tWR does not apply (another
  // bank): it ends a lone stream later.
  const DramSpec s = preset("ddr5", 1, {{"tREFI", kNoRefresh}});
  const DramTraceResult r = run_dram_trace(s, kTwoWriteStreams, 1);
  const int64_t one = s.tACT_cmd + s.tRCD + s.tCAS_cmd + s.tCWL + 15 * s.tCCD_L_WR + s.tBURST;
  CHECK(r.time_ns == Approx(static_cast<double>(2 * one) * 1e-3).epsilon(1e-9));
}

TEST_CASE("DRAM trace: a full read queue holds back a later write (in-order admission)") {
  // DDR5, one channel, 16-entry queues: a 1 KiB read (16 bursts) fills the read queue, so the second read
  // and the write behind it enter only once the first read has been picked; the write then waits for no
  // read and goes after the reads: the run ends after the 32 read bursts.
  const DramSpec s = preset("ddr5", 1,
                            {{"tREFI", kNoRefresh},
                             {"read_queue_entries", 16},
                             {"write_queue_entries", 16},
                             {"write_high_watermark", 12},
                             {"write_low_watermark", 3}});
  const DramTraceResult r = run_dram_trace(s, {{false, 0, 1024}, {false, 1024, 1024}, {true, 8192, 64}}, 3);
  const int64_t reads_end = s.tACT_cmd + s.tRCD + s.tCAS_cmd + s.tCL + 32 * s.tBURST;
  CHECK(r.time_ns * 1e3 > static_cast<double>(reads_end));
  CHECK(r.wr == 1);
}

TEST_CASE("DRAM trace: dependent random reads (1 outstanding) take one row cycle each") {
  const DramSpec s = preset("lpddr5", 1, {{"tREFI", kNoRefresh}});
  // Rows of bank 0 in turn (ro_ba_bg_ra_co_ch, 1 channel: a row of one bank every 32 KiB x 16).
  const int n = 200;
  std::vector<DramTraceOp> ops;
  for (int i = 0; i < n; ++i) ops.push_back({false, static_cast<uint64_t>((i * 7919) % 65536) * 16 * 2048 + 64, 32});
  const DramTraceResult r = run_dram_trace(s, ops, 1);
  const int64_t lone = s.tACT_cmd + s.tRCD + s.tWCK_sync + s.tCL + s.tBURST;
  const double want_ns = (n * static_cast<double>(lone) + (n - 1) * static_cast<double>(s.tRP)) * 1e-3;
  CHECK(r.time_ns == Approx(want_ns).epsilon(1e-9));
  CHECK(r.act == static_cast<uint64_t>(n));
  CHECK(r.lat_p50_ns == Approx((lone + s.tRP) * 1e-3).epsilon(0.01));
}

TEST_CASE("DRAM trace: bank-parallel random reads approach the tRRD / tFAW activate limit") {
  const DramSpec s = preset("lpddr5", 1, {{"tREFI", kNoRefresh}});
  const int n = 4000;
  std::vector<DramTraceOp> ops;
  uint64_t x = 12345;
  for (int i = 0; i < n; ++i) {  // every read a new row, banks in turn
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t row = (x >> 33) % 65536, bank = static_cast<uint64_t>(i) % 16;
    ops.push_back({false, (row * 16 + bank) * 2048, 32});
  }
  const DramTraceResult r = run_dram_trace(s, ops, 64);
  const double per_act_ns = static_cast<double>(std::max(s.tRRD_S, s.tFAW / 4)) * 1e-3;
  CHECK(r.act == static_cast<uint64_t>(n));
  CHECK(r.time_ns / n >= per_act_ns * 0.999);
  CHECK(r.time_ns / n <= per_act_ns * 1.05);
}

TEST_CASE("DRAM trace: a 32-entry queue limits a stream across bank groups, queued requests overlap") {
  // One 2 KiB row per channel segment streams at tCCD_L (half the bus); the next row can open only
  // once its first burst is in the queue: with 32 entries halfway through the row in flight.
  const DramSpec s = preset("lpddr5", 4, {{"tREFI", kNoRefresh}});
  std::vector<DramTraceOp> ops;
  for (uint64_t i = 0; i < 64; ++i) ops.push_back({false, i << 19, 1 << 19});
  const DramTraceResult r = run_dram_trace(s, ops, 2);
  CHECK(r.gbps < 0.95 * r.peak_gbps);
  CHECK(r.gbps > 0.75 * r.peak_gbps);
  CHECK(r.per_channel.size() == 4);
  CHECK(r.per_channel[0].queue_p99 <= 64);
}

TEST_CASE("lpusim dram-trace: prints and writes JSON; a bad line is exit 2 naming file:line") {
  const std::string dir = temp_tree("dram_trace_cli");
  write_file(dir + "/ok.trace", "R 0 2048\nW 0x100000 1024\n");
  CmdResult r = run_lpusim(
      "dram-trace " + src("configs/designs/lpu.yaml") + " " + dir + "/ok.trace --outstanding 2 -o " + dir + "/out",
      "dt_ok");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json j = json::parse(read_file(dir + "/out/dram_trace.json"));
  CHECK(j["transactions"] == 2);
  CHECK(j["peak_gbps"].get<double>() == Approx(51.2));
  CHECK(j["commands"]["RD"] == 64);
  CHECK(j["commands"]["WR"] == 32);
  CHECK(j["time_ns"].get<double>() > 0);
  CHECK(j["latency_ns"]["p99"].get<double>() >= j["latency_ns"]["p50"].get<double>());
  CHECK(r.out.find("\"gbps\"") != std::string::npos);
  write_file(dir + "/bad.trace", "R 0 64\nR 0x40\n");
  CmdResult b = run_lpusim("dram-trace " + src("configs/designs/lpu.yaml") + " " + dir + "/bad.trace", "dt_bad");
  CHECK(b.code == 2);
  CHECK(b.err.find("bad.trace:2: missing address or size") != std::string::npos);
}

TEST_CASE("the DRAM roof is what the DRAM model sustains on a long sequential read, below the pin peak") {
  // memory/dram_roof.h runs the plain channel model; dram-trace runs the SystemC DRAM on a 64 MiB
  // read: the two agree, and activates and refresh keep both below the peak.
  const DesignSpec d = load_design(src("configs/designs/lpu.yaml"));
  const double roof = sustained_read_gb_s(d.dram);
  const double peak = static_cast<double>(d.dram.channels) * d.dram.peak_gb_s_per_channel();
  CHECK(roof < 0.95 * peak);
  CHECK(roof > 0.5 * peak);
  const DramTraceResult r = run_dram_trace(d.dram, {DramTraceOp{false, 0, 64ull << 20}}, 8);
  CHECK(roof == Approx(r.gbps).epsilon(0.01));
}
