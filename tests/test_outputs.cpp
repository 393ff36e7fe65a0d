// Outputs are all or nothing (base/atomic_output.h), checked before any work, and child processes
// never outlive their sweep: regression tests for issue 18's "no partial output, no orphans".
// Each failure: exit code 2, one message line naming the path (and option), nothing left on disk.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "helpers.h"

using namespace lpusim;
using namespace lpusim_test;
namespace fs = std::filesystem;

namespace {

std::string fresh_dir(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / ("lpusim_outputs_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

// Every entry of `dir` (recursively) with its bytes: two listings are equal when nothing changed.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    m[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? read_file(e.path().string()) : "<dir>";
  }
  return m;
}

// Entries whose name says they are a temporary sibling left by a writer.
size_t temporaries(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(".lpusim-tmp.") != std::string::npos) ++n;
  }
  return n;
}

// Sets LPUSIM_TEST_FAIL_WRITE for the lpusim processes started while it lives.
struct FailWrite {
  explicit FailWrite(const std::string& name) { ::setenv("LPUSIM_TEST_FAIL_WRITE", name.c_str(), 1); }
  ~FailWrite() { ::unsetenv("LPUSIM_TEST_FAIL_WRITE"); }
};

const std::string kRun = "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml");

// Processes whose command line mentions `needle` (a test's unique folder), other than this one.
std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string n = e.path().filename().string();
    if (n.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = read_file(e.path().string() + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    const std::string stat = read_file(e.path().string() + "/stat");
    const size_t rp = stat.rfind(')');
    const bool zombie = rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] == 'Z';
    if (!zombie && cmd.find(needle) != std::string::npos && std::stoi(n) != ::getpid()) out.push_back(std::stoi(n));
  }
  return out;
}

// Starts `lpusim sweep SWEEP -o OUT -j JOBS` (stdout/stderr to /dev/null) and returns its pid.
pid_t start_sweep(const std::string& sweep, const std::string& out, const char* jobs = "2") {
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(LPUSIM_BINARY, LPUSIM_BINARY, "sweep", sweep.c_str(), "-o", out.c_str(), "-j", jobs,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A sweep of two 700M points (a few seconds each): long enough to be killed mid-run.
std::string slow_sweep(const std::string& dir) {
  const std::string path = dir + "/slow.yaml";
  write_file(path, "name: slow\nbase_design: " + src("configs/designs/lpu.yaml") + "\nbaseline_design: " +
                       src("configs/designs/fp16.yaml") + "\nworkloads: [" + src("workloads/bitnet_b158_700m.yaml") +
                       "]\nmode: cartesian\nparameters:\n  units.tmac.rows: [32, 64]\n");
  return path;
}

// Waits (up to 5 s) until some point of the sweep writing into `out` runs.
bool wait_for_points(const std::string& out) {
  for (int i = 0; i < 500; ++i) {
    for (pid_t p : processes_mentioning(out)) {
      std::string cmd = read_file("/proc/" + std::to_string(p) + "/cmdline");
      if (cmd.find(std::string("run") + '\0') != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("outputs: -o is checked before simulating: one line, exit 2, nothing written") {
  const std::string d = fresh_dir("check");
  write_file(d + "/afile", "x");
  write_file(d + "/foreign/notes.txt", "mine");
  write_file(d + "/topo.csv", "Layer, M, N, K,\nfc1, 64, 128, 256,\n");
  const std::string topo = "topology " + src("configs/designs/lpu.yaml") + " " + d + "/topo.csv";
  write_file(d + "/trace.txt", "R 0 64\n");
  const std::string dram = "dram-trace " + src("configs/designs/lpu.yaml") + " " + d + "/trace.txt";
  const auto before = snapshot(d);
  struct Case {
    std::string args, want;
  };
  for (const Case& c : std::vector<Case>{
           {kRun + " -o " + d + "/afile", "-o " + d + "/afile: exists and is not a folder"},
           {kRun + " -o " + d + "/afile/sub",
            "-o " + d + "/afile/sub: cannot be created: " + d + "/afile is not a folder"},
           {kRun + " -o " + d + "/foreign", "-o " + d + "/foreign: exists and is not an lpusim output folder"},
           {kRun + " -o " + d + "/new --trace-timeline " + d + "/foreign",
            "--trace-timeline " + d + "/foreign: is a folder"},
           {kRun + " -o .", "-o .: expects a new or earlier output folder"},
           {topo + " -o " + d + "/afile", "-o " + d + "/afile: exists and is not a folder"},
           {dram + " -o " + d + "/afile/x", "-o " + d + "/afile/x: cannot be created"},
           {"sweep " + src("configs/sweeps/tiny.yaml") + " -o " + d + "/afile",
            "-o " + d + "/afile: exists and is not a folder"},
           {"sweep " + src("configs/sweeps/tiny.yaml") + " -o " + d + "/afile/sub",
            "-o " + d + "/afile/sub: cannot be created"},
       }) {
    CmdResult r = run_lpusim(c.args, "check");
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find("lpusim: error: " + c.want) == 0);
    CHECK(r.out.empty());  // refused before simulating: no table printed
    CHECK(snapshot(d) == before);
  }
}

TEST_CASE("outputs: a failed write (disk full) leaves the previous folder intact and nothing else") {
  const std::string d = fresh_dir("full");
  const std::string out = d + "/out";
  REQUIRE(run_lpusim(kRun + " -o " + out, "full_first").code == 0);
  CHECK(verify_output_dir(out).empty());
  const auto before = snapshot(d);
  for (const char* name : {"report.json", "layers.csv", "summary.md", kCompleteMarker}) {
    FailWrite fail(name);
    CmdResult r = run_lpusim(kRun + " --prompt-tokens 5 -o " + out, "full_again");
    INFO(name << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err == "lpusim: error: " + out + "/" + name + ": cannot write: No space left on device\n");
    CHECK(r.out.empty());
    CHECK(snapshot(d) == before);  // the earlier output, byte for byte; no temporary sibling
  }
  // A first run that fails leaves no folder at all.
  {
    FailWrite fail("ops.csv");
    CHECK(run_lpusim(kRun + " -o " + d + "/never", "full_never").code == 2);
  }
  CHECK(!fs::exists(d + "/never"));
  CHECK(temporaries(d) == 0);
  // Without the failure the folder is replaced whole, with its marker.
  REQUIRE(run_lpusim(kRun + " --prompt-tokens 5 -o " + out, "full_ok").code == 0);
  CHECK(verify_output_dir(out).empty());
  CHECK(read_file(out + "/report.json") != before.at("out/report.json"));
  CHECK(temporaries(d) == 0);
}

TEST_CASE("outputs: trace files, topology and dram-trace folders follow the same rule") {
  const std::string d = fresh_dir("others");
  const std::string tl = d + "/t.json";
  REQUIRE(run_lpusim(kRun + " --trace-timeline " + tl, "others_tl").code == 0);
  write_file(d + "/topo.csv", "Layer, M, N, K,\nfc1, 64, 128, 256,\n");
  const std::string topo = "topology " + src("configs/designs/lpu.yaml") + " " + d + "/topo.csv";
  REQUIRE(run_lpusim(topo + " -o " + d + "/topo", "others_topo").code == 0);
  write_file(d + "/trace.txt", "R 0 64\nW 4096 128\n");
  const std::string dram = "dram-trace " + src("configs/designs/lpu.yaml") + " " + d + "/trace.txt";
  REQUIRE(run_lpusim(dram + " -o " + d + "/dram", "others_dram").code == 0);
  CHECK(verify_output_dir(d + "/topo").empty());
  CHECK(verify_output_dir(d + "/dram").empty());
  const auto before = snapshot(d);
  struct Case {
    std::string args, file;
  };
  for (const Case& c : std::vector<Case>{{kRun + " --prompt-tokens 5 --trace-timeline " + tl, "t.json"},
                                         {topo + " --zero-fraction 0.5 -o " + d + "/topo", "topology.json"},
                                         {dram + " -o " + d + "/dram", "dram_trace.json"}}) {
    FailWrite fail(c.file);
    CmdResult r = run_lpusim(c.args, "others_fail");
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find(c.file + ": cannot write: No space left on device") != std::string::npos);
    CHECK(snapshot(d) == before);
  }
}

TEST_CASE("outputs: report checks the completion marker and passes DIR to Python as one argument") {
  const std::string d = fresh_dir("report");
  // A folder name a shell would run: it must reach plot.py unchanged and run nothing.
  const std::string weird = d + "/x'; touch " + d + "/F; echo '";
  REQUIRE(run_lpusim(kRun + " -o \"" + weird + "\"", "report_run").code == 0);
  write_file(d + "/fake_python", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"" + d + "/argv\"\n");
  fs::permissions(d + "/fake_python", fs::perms::owner_all);
  ::setenv("LPUSIM_PYTHON", (d + "/fake_python").c_str(), 1);
  CmdResult ok = run_lpusim("report \"" + weird + "\"", "report_ok");
  CHECK(ok.code == 0);
  CHECK(read_file(d + "/argv") == src("reports") + "/plot.py\n" + weird + "\n");
  CHECK(!fs::exists(d + "/F"));
  // A damaged or incomplete run folder is refused before Python runs.
  fs::remove(d + "/argv");
  const std::string rj = weird + "/report.json";
  write_file(rj, read_file(rj).substr(0, 100));
  CmdResult cut = run_lpusim("report \"" + weird + "\"", "report_cut");
  CHECK(cut.code == 2);
  CHECK(lines(cut.err) == 1);
  CHECK(cut.err.find("not a complete lpusim output (report.json: 100 bytes, the marker says") != std::string::npos);
  fs::remove(weird + "/" + kCompleteMarker);
  CmdResult nomark = run_lpusim("report \"" + weird + "\"", "report_nomark");
  CHECK(nomark.code == 2);
  CHECK(nomark.err.find("no lpusim.complete") != std::string::npos);
  CHECK(!fs::exists(d + "/argv"));
  ::unsetenv("LPUSIM_PYTHON");
}

TEST_CASE("outputs: sweep-merge never writes into its inputs") {
  const std::string d = fresh_dir("merge");
  const std::string sw = src("configs/sweeps/tiny.yaml");
  REQUIRE(run_lpusim("sweep " + sw + " -o " + d + "/a --shard 1/2 -j 2", "merge_a").code == 0);
  REQUIRE(run_lpusim("sweep " + sw + " -o " + d + "/b --shard 2/2 -j 2", "merge_b").code == 0);
  const auto before = snapshot(d);
  for (const std::string& o : {d + "/a", d + "/a/", d + "/b/merged", d + "/a/../a", d}) {
    CmdResult r = run_lpusim("sweep-merge " + d + "/a " + d + "/b -o " + o, "merge_bad");
    INFO(o << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find("lpusim: error: -o " + o + ": ") == 0);
    CHECK(r.err.find("sweep-merge never writes into its inputs") != std::string::npos);
    CHECK(snapshot(d) == before);
  }
  REQUIRE(run_lpusim("sweep-merge " + d + "/a " + d + "/b -o " + d + "/m", "merge_ok").code == 0);
  CHECK(verify_output_dir(d + "/m").empty());
}

TEST_CASE("outputs: sweep resume reruns a point whose files are damaged") {
  const std::string d = fresh_dir("resume");
  const std::string sw = src("configs/sweeps/tiny.yaml"), out = d + "/s";
  REQUIRE(run_lpusim("sweep " + sw + " -o " + out + " -j 2", "resume_full").code == 0);
  const std::string jl = read_file(out + "/results.jsonl"), csv = read_file(out + "/results.csv");
  const std::string rep = read_file(out + "/points/d0002-tiny/report.json");

  SECTION("status ok, no row yet, report.json cut short: the point runs again") {
    // Rows up to d0001 kept; d0002 recorded ok but its report was torn (the stuck resume of issue 18).
    size_t cut = 0;
    for (int i = 0; i < 3; ++i) cut = jl.find('\n', cut) + 1;
    write_file(out + "/results.jsonl", jl.substr(0, cut));
    write_file(out + "/results.csv", csv.substr(0, [&] {
      size_t c = 0;
      for (int i = 0; i < 4; ++i) c = csv.find('\n', c) + 1;
      return c;
    }()));
    write_file(out + "/points/d0002-tiny/report.json", rep.substr(0, 200));
    CmdResult r = run_lpusim("sweep " + sw + " -o " + out + " -j 2", "resume_cut");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("ran 1, resumed 1, 3 already recorded") != std::string::npos);
  }
  SECTION("a recorded point without its marker is repaired, its row unchanged") {
    fs::remove(out + "/points/d0002-tiny/" + kCompleteMarker);
    CmdResult r = run_lpusim("sweep " + sw + " -o " + out + " -j 2", "resume_marker");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("ran 1, resumed 0") != std::string::npos);
  }
  CHECK(read_file(out + "/results.jsonl") == jl);
  CHECK(read_file(out + "/results.csv") == csv);
  CHECK(read_file(out + "/points/d0002-tiny/report.json") == rep);
  CHECK(verify_output_dir(out + "/points/d0002-tiny").empty());
}

TEST_CASE("outputs: a point still running (its lock held) is never started again") {
  const std::string d = fresh_dir("lock");
  const std::string sw = src("configs/sweeps/tiny.yaml"), out = d + "/s";
  fs::create_directories(out + "/points");
  const int fd = ::open((out + "/points/d0001-tiny.lock").c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  CmdResult r = run_lpusim("sweep " + sw + " -o " + out + " -j 1", "lock_held");
  ::close(fd);
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find(out + "/points/d0001-tiny: still being run by another process") != std::string::npos);
  CHECK(!fs::exists(out + "/points/d0001-tiny"));
  // Released: the sweep resumes to the end.
  CHECK(run_lpusim("sweep " + sw + " -o " + out + " -j 2", "lock_free").code == 0);
  CHECK(lines(read_file(out + "/results.jsonl")) == 5);
}

TEST_CASE("outputs: no process outlives a sweep ended by SIGTERM or SIGKILL or by an error") {
  const std::string d = fresh_dir("orphans");
  const std::string sw = slow_sweep(d);
  SECTION("SIGTERM: the sweep ends its points, then itself") {
    const std::string out = d + "/term";
    const pid_t pid = start_sweep(sw, out);
    REQUIRE(wait_for_points(out));
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK(processes_mentioning(out).empty());  // its points were reaped before it ended
  }
  SECTION("an error in the sweep (its status write fails) ends the points still running") {
    // Fast points (tiny) beside a slow one (700M): the first tiny point's status write fails while
    // the 700M point runs.
    const std::string mixed = d + "/mixed.yaml", out = d + "/error";
    write_file(mixed, "name: mixed\nbase_design: " + src("configs/designs/lpu.yaml") +
                          "\nbaseline_design: " + src("configs/designs/fp16.yaml") + "\nworkloads: [" +
                          src("tests/data/tiny.yaml") + ", " + src("workloads/bitnet_b158_700m.yaml") +
                          "]\nmode: cartesian\nparameters:\n  units.tmac.rows: [32]\n");
    FailWrite fail("status.json");  // inherited: the sweep's first status write fails, the points do not write one
    const pid_t pid = start_sweep(mixed, out, "3");  // baseline-tiny, d0000-tiny, baseline-bitnet_b158_700m
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    // It did not wait for the 700M point (about 3 s in a release build, far longer under ASan): that
    // point never completed, and nothing of it runs on.
    CHECK_FALSE(fs::exists(out + "/points/baseline-bitnet_b158_700m/lpusim.complete"));
    CHECK(processes_mentioning(out).empty());
  }
  SECTION("SIGKILL to the sweep alone: its points die with it (PR_SET_PDEATHSIG)") {
    const std::string out = d + "/kill";
    const pid_t pid = start_sweep(sw, out);
    REQUIRE(wait_for_points(out));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
      gone = processes_mentioning(out).empty();
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(gone);
  }
}

TEST_CASE("outputs: a sweep rejected during expansion creates and claims nothing") {
  const std::string d = fresh_dir("rejected");
  const std::string head = "name: rej\nbase_design: " + src("configs/designs/lpu.yaml") +
                           "\nbaseline_design: " + src("configs/designs/fp16.yaml") + "\nworkloads: [" +
                           src("tests/data/tiny.yaml") + "]\n";
  const std::string out = d + "/s", sw = d + "/s.yaml";
  struct Case {
    std::string body, want;
  };
  for (const Case& c : std::vector<Case>{
           {"mode: random\nsamples: 10\nseed: 1\nparameters:\n  units.tmac.rows: [32, 64]\n",
            "samples: 10 distinct samples asked for, but the space has only 2 points"},
           {"mode: cartesian\nparameters:\n  units.tmac.rows: [32, 0]\n",
            ":7:20: parameters: variant d0001 (units.tmac.rows=0) is not a valid design: designs/d0001.yaml:10:11: "
            "units.tmac.rows: expected an integer >= 1, got 0"},
       }) {
    write_file(sw, head + c.body);
    for (const char* dry : {"", " --dry-run"}) {
      CmdResult r = run_lpusim("sweep " + sw + " -o " + out + dry, "rejected");
      INFO(c.body << dry << "\n" << r.err);
      CHECK(r.code == 2);
      CHECK(lines(r.err) == 1);
      CHECK(r.err.find(c.want) != std::string::npos);
      CHECK(!fs::exists(out));
    }
  }
  // The corrected sweep runs in the same folder.
  write_file(sw, head + "mode: cartesian\nparameters:\n  units.tmac.rows: [32, 64]\n");
  CmdResult ok = run_lpusim("sweep " + sw + " -o " + out, "rejected_ok");
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK(lines(read_file(out + "/results.jsonl")) == 3);
}
