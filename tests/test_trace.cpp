// Traces: the VCD and the Perfetto timeline parse (small parsers here), their busy time per unit
// equals the report's busy cycles, tracing does not change the report, filters limit the output.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>

#include "helpers.h"

using namespace lpusim_test;
using nlohmann::json;

namespace {

struct Vcd {
  uint64_t timescale_ps = 0;
  std::map<std::string, std::string> id_of;  // "lpu.tmac.busy" -> id
  // Per id: (time, value) changes in file order; scalars "0"/"1", vectors "b...", reals "r...".
  std::map<std::string, std::vector<std::pair<uint64_t, std::string>>> changes;
  uint64_t end_time = 0;
};

Vcd parse_vcd(const std::string& text) {
  Vcd v;
  std::istringstream in(text);
  std::string tok;
  std::vector<std::string> scope;
  uint64_t now = 0;
  bool defs = true;
  while (in >> tok) {
    if (defs) {
      if (tok == "$timescale") {
        std::string n, unit;
        in >> n;
        // "1 ps" or "1ps"
        size_t i = 0;
        while (i < n.size() && isdigit(static_cast<unsigned char>(n[i]))) ++i;
        unit = n.substr(i);
        if (unit.empty()) in >> unit;
        const uint64_t k = std::stoull(n.substr(0, i));
        REQUIRE((unit == "ps" || unit == "ns"));
        v.timescale_ps = k * (unit == "ns" ? 1000 : 1);
      } else if (tok == "$scope") {
        std::string kind, name;
        in >> kind >> name;
        scope.push_back(name);
      } else if (tok == "$upscope") {
        scope.pop_back();
      } else if (tok == "$var") {
        std::string type, width, id, name;
        in >> type >> width >> id >> name;
        std::string path;
        for (size_t i = 1; i < scope.size(); ++i) path += scope[i] + ".";  // drop the "SystemC" root
        v.id_of[path + name] = id;
      } else if (tok == "$enddefinitions") {
        defs = false;
      }
      continue;
    }
    if (tok[0] == '#') {
      now = std::stoull(tok.substr(1));
      v.end_time = now;
    } else if (tok[0] == 'b' || tok[0] == 'r') {
      std::string id;
      in >> id;
      v.changes[id].push_back({now, tok});
    } else if (tok[0] == '0' || tok[0] == '1') {
      v.changes[tok.substr(1)].push_back({now, tok.substr(0, 1)});
    }
  }
  return v;
}

// Time (in timescale units) a 1-bit signal spends at 1.
uint64_t time_high(const Vcd& v, const std::string& name) {
  const auto& ch = v.changes.at(v.id_of.at(name));
  uint64_t total = 0, since = 0;
  bool high = false;
  for (const auto& c : ch) {
    if (high) total += c.first - since;
    high = c.second == "1";
    since = c.first;
  }
  if (high) total += v.end_time - since;
  return total;
}

json report(const std::string& dir) { return json::parse(read_file(dir + "/report.json")); }

uint64_t unit_busy(const json& rep, const std::string& unit) {
  for (const auto& d : rep["designs"]) {
    for (const auto& u : d["units"]) {
      if (u["name"] == unit) return u["busy_cycles"].get<uint64_t>();
    }
  }
  FAIL("no unit " << unit);
  return 0;
}

// Sum of tile slice cycles per "chip.unit", with slice overlap and pairing checks.
std::map<std::string, uint64_t> timeline_busy(const json& tl, std::map<std::string, std::set<int>>* layers = nullptr) {
  std::map<int, std::string> chip;
  std::map<std::pair<int, int>, std::string> track;
  std::map<std::string, uint64_t> busy;
  std::map<std::pair<int, int>, double> last_end;
  int open = 0;
  for (const auto& e : tl["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "process_name") chip[e["pid"]] = e["args"]["name"];
    if (ph == "M" && e["name"] == "thread_name") {
      std::string n = e["args"]["name"];
      track[{e["pid"], e["tid"]}] = chip.at(e["pid"]) + "." + n.substr(0, n.find(' '));
    }
    if (ph == "X") {
      const auto key = std::make_pair(e["pid"].get<int>(), e["tid"].get<int>());
      const double ts = e["ts"], dur = e["dur"];
      CHECK(ts + 1e-9 >= last_end[key]);  // a unit runs one tile at a time
      last_end[key] = ts + dur;
      CHECK(std::llround(dur * 1000) == e["args"]["cycles"].get<int64_t>());  // 1 GHz: 1 cycle = 1 ns
      busy[track.at(key)] += e["args"]["cycles"].get<uint64_t>();
      if (layers) (*layers)[track.at(key)].insert(e["args"]["layer"].get<int>());
    }
    if (ph == "b") ++open;
    if (ph == "e") --open;
  }
  CHECK(open == 0);
  return busy;
}

const std::vector<std::string> kUnits = {"lpu.tmac", "lpu.fpmac", "lpu.vec", "fp16.fpmac", "fp16.vec"};

}  // namespace

TEST_CASE("VCD and timeline traces: busy time per unit equals the report, report unchanged") {
  const std::string dir = temp_tree("trace");
  const std::string args = "compare " + src("configs/designs/lpu.yaml") + " " + src("configs/designs/fp16.yaml") + " " +
                           src("tests/data/tiny.yaml") + " -o ";
  CmdResult plain = run_lpusim(args + dir + "/plain", "trace_plain");
  CmdResult traced =
      run_lpusim(args + dir + "/traced --trace-vcd " + dir + "/t.vcd --trace-timeline " + dir + "/t.json", "trace_on");
  INFO(traced.err);
  REQUIRE(plain.code == 0);
  REQUIRE(traced.code == 0);
  CHECK(read_file(dir + "/plain/report.json") == read_file(dir + "/traced/report.json"));
  const json rep = report(dir + "/traced");

  const Vcd v = parse_vcd(read_file(dir + "/t.vcd"));
  REQUIRE(v.timescale_ps == 1);
  for (const auto& u : kUnits) {
    INFO(u);
    REQUIRE(v.id_of.count(u + ".busy"));
    REQUIRE(v.id_of.count(u + ".queue_depth"));
    const uint64_t busy_ps = time_high(v, u + ".busy");
    CHECK(busy_ps % 1000 == 0);
    CHECK(busy_ps / 1000 == unit_busy(rep, u));
    CHECK(unit_busy(rep, u) > 0);
  }
  // DRAM: bandwidth samples integrate to the bytes counter, and the average over the run stays
  // under the channels' peak (4 x 12.8 GB/s). Samples are bytes completed per period, so a long
  // transfer finishing shows as a spike (README.md#traces).
  const auto& bw = v.changes.at(v.id_of.at("lpu.dram.bandwidth_gb_s"));
  const auto& bytes = v.changes.at(v.id_of.at("lpu.dram.bytes"));
  double integral = 0;  // GB/s x ns = bytes
  uint64_t t_last = 0;
  for (const auto& c : bw) {
    if (c.first > 0) {
      CHECK(c.first % (1000 * 1000) == 0);  // on the 1000-cycle sample grid
      t_last = c.first;
    }
  }
  // Changes are recorded only when the value differs, so integrate sample by sample.
  double cur = 0;
  uint64_t at = 0;
  for (const auto& c : bw) {
    integral += cur * static_cast<double>(c.first - at) / 1000.0;
    cur = std::stod(c.second.substr(1));
    at = c.first;
  }
  // The last run of equal samples ends at the last sample, which (when it moved bytes) is the
  // bytes counter's last change; each sample covers the period before it (1000 cycles = 1000 ns).
  if (cur > 0) integral += cur * (static_cast<double>(bytes.back().first - at) / 1000.0 + 1000.0);
  const uint64_t final_bytes = std::stoull(bytes.back().second.substr(1), nullptr, 2);
  CHECK(integral == Approx(static_cast<double>(final_bytes)).epsilon(1e-6));
  CHECK(final_bytes > 0);
  CHECK(static_cast<double>(final_bytes) / (static_cast<double>(t_last) / 1000.0) <= 51.2);
  // Ops completed ends at the program's op count (a counter, not a flag).
  const auto& ops = v.changes.at(v.id_of.at("lpu.controller.ops_completed"));
  CHECK(ops.back().second.size() > 5);

  const json tl = json::parse(read_file(dir + "/t.json"));
  const auto busy = timeline_busy(tl);
  for (const auto& u : kUnits) {
    INFO(u);
    CHECK(busy.at(u) == unit_busy(rep, u));
  }

  // Same inputs, same trace bytes (the VCD's date is blanked).
  CmdResult again = run_lpusim(
      args + dir + "/again --trace-vcd " + dir + "/t2.vcd --trace-timeline " + dir + "/t2.json", "trace_again");
  REQUIRE(again.code == 0);
  CHECK(read_file(dir + "/t.vcd") == read_file(dir + "/t2.vcd"));
  CHECK(read_file(dir + "/t.json") == read_file(dir + "/t2.json"));
}

TEST_CASE("trace window and layer range keep traces small") {
  const std::string dir = temp_tree("trace_f");
  const std::string base = "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml");
  REQUIRE(
      run_lpusim(base + " --trace-vcd " + dir + "/full.vcd --trace-timeline " + dir + "/full.json", "tf_full").code ==
      0);
  CmdResult r = run_lpusim(base + " --trace-vcd " + dir + "/f.vcd --trace-timeline " + dir + "/f.json" +
                               " --trace-layers 0:0 --trace-window 10000:120000",
                           "tf_filtered");
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::map<std::string, std::set<int>> layers;
  const json tl = json::parse(read_file(dir + "/f.json"));
  timeline_busy(tl, &layers);
  REQUIRE(!layers.empty());
  for (const auto& kv : layers) CHECK(kv.second == std::set<int>{0});
  for (const auto& e : tl["traceEvents"]) {
    if (e["ph"] == "X" || e["ph"] == "b") {
      CHECK(e["ts"].get<double>() >= 10.0);  // 10000 cycles at 1 GHz = 10 us
      CHECK(e["ts"].get<double>() < 120.0);
    }
  }
  CHECK(read_file(dir + "/f.json").size() * 3 < read_file(dir + "/full.json").size());
  const Vcd v = parse_vcd(read_file(dir + "/f.vcd")), full = parse_vcd(read_file(dir + "/full.vcd"));
  const uint64_t part = time_high(v, "lpu.tmac.busy"), all = time_high(full, "lpu.tmac.busy");
  CHECK(part > 0);
  CHECK(part < all);
  // Outside the window nothing changes (after the initial dump at time 0).
  for (const auto& kv : v.changes) {
    for (const auto& c : kv.second) {
      if (c.first == 0) continue;
      CHECK(c.first >= 10000 * 1000ull);
      // After the window (+ one bandwidth sample period) only the end of a tile that began in it.
      if (c.first > 120000 * 1000ull + 1000 * 1000ull) CHECK(c.second == "0");
    }
  }
  // Bad values are usage errors.
  CmdResult bad = run_lpusim(base + " --trace-vcd " + dir + "/x.vcd --trace-window 5:2", "tf_bad");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--trace-window needs A < B") != std::string::npos);
}
