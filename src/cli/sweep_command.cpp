// CLI for `lpusim sweep`, `lpusim sweep-merge` and `lpusim report` (called from cli/main.cpp).
#include "cli/sweep_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/config_error.h"
#include "base/parse.h"
#include "sweep/sweep.h"

namespace lpusim {

const char* kSweepHelp =
    "usage: lpusim sweep SWEEP.yaml -o DIR [-j N] [--shard I/N] [--dry-run]\n"
    "\n"
    "Expands SWEEP.yaml (base design, baseline design, workloads, parameters by key path,\n"
    "cartesian / zip / random mode, constraints) and runs every point as its own lpusim process,\n"
    "N at a time (default: the cores available). Rows stream, in point order, to DIR/results.csv\n"
    "and DIR/results.jsonl; each point's report and resolved design go to DIR/points/<id>/.\n"
    "Running the same command again resumes. --shard I/N runs points with index % N == I-1;\n"
    "combine shard folders with lpusim sweep-merge. --dry-run writes DIR/designs and lists the\n"
    "points (and the variants constraints dropped) without running anything.\n"
    "Exit code 3 when some point failed. Reference: README.md#sweeps.\n";

const char* kSweepMergeHelp =
    "usage: lpusim sweep-merge DIR... -o OUT\n"
    "\n"
    "Combines the folders of the shards of one sweep into OUT (results in point order, point\n"
    "folders copied). Every point must have a row in exactly one shard.\n";

const char* kReportHelp =
    "usage: lpusim report DIR\n"
    "\n"
    "Regenerates plots (PNG + SVG under DIR/plots) and the self-contained DIR/report.html from the\n"
    "saved results of a run/compare (report.json) or a sweep (results.jsonl). Needs python3 with\n"
    "matplotlib (Debian: python3-matplotlib).\n";

namespace {

[[noreturn]] void usage(const std::string& msg) { usage_error(msg); }
size_t positive(const std::string& opt, const std::string& v) {
  return static_cast<size_t>(parse_positive_int(opt, v));
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the lpusim executable (/proc/self/exe)");
  return p.string();
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& a) {
  SweepOptions o;
  std::vector<std::string> pos;
  bool dry = false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto value = [&] { return option_value(a, i); };
    if (a[i] == "-h" || a[i] == "--help") {
      std::cout << kSweepHelp;
      return 0;
    } else if (a[i] == "-o" || a[i] == "--out") {
      o.out_dir = value();
    } else if (a[i] == "--dry-run") {
      dry = true;
    } else if (a[i] == "-j" || a[i] == "--jobs") {
      o.jobs = positive("-j", value());
    } else if (a[i] == "--shard") {
      const std::string v = value();
      const auto slash = v.find('/');
      if (slash == std::string::npos) usage("--shard expects I/N, got '" + v + "'");
      o.shard_i = positive("--shard I", v.substr(0, slash));
      o.shard_n = positive("--shard N", v.substr(slash + 1));
      if (o.shard_i > o.shard_n) usage("--shard I/N needs 1 <= I <= N, got '" + v + "'");
    } else if (!a[i].empty() && a[i][0] == '-') {
      usage("unknown option '" + a[i] + "'");
    } else {
      pos.push_back(a[i]);
    }
  }
  if (pos.size() != 1) usage("sweep expects one sweep file");
  if (o.out_dir.empty()) usage("sweep needs -o DIR");
  SweepSpec s = SweepSpec::load(pos[0]);
  if (dry) {
    Expansion ex = expand(s, o.out_dir);
    const auto mine = shard(ex.points, o.shard_i, o.shard_n);
    std::printf("sweep %s: %zu variants, %zu dropped by constraints, %zu points (%zu in shard %zu/%zu)\n",
                s.name.c_str(), ex.design_points, ex.dropped, ex.points.size(), mine.size(), o.shard_i, o.shard_n);
    for (const auto& p : mine) {
      std::printf("  %s", p.id.c_str());
      for (size_t k = 0; k < p.values.size(); ++k) std::printf(" %s=%s", s.params[k].path.c_str(), p.values[k].c_str());
      std::printf("\n");
    }
    for (const auto& r : ex.dropped_reasons) std::printf("  dropped %s\n", r.c_str());
    return 0;
  }
  o.lpusim_binary = self_exe();
  o.progress_tty = ::isatty(2);
  SweepSummary r = run_sweep(s, o);
  std::printf("sweep %s: %zu points (shard %zu/%zu): %zu ok, %zu failed; ran %zu, resumed %zu, %zu already recorded\n",
              s.name.c_str(), r.total, o.shard_i, o.shard_n, r.ok, r.failed, r.ran, r.resumed,
              r.total - r.ran - r.resumed);
  std::printf("wrote %s/results.csv, results.jsonl, points/\n", o.out_dir.c_str());
  return r.failed ? 3 : 0;
}

int cmd_sweep_merge(const std::vector<std::string>& a) {
  std::vector<std::string> dirs;
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "-h" || a[i] == "--help") {
      std::cout << kSweepMergeHelp;
      return 0;
    } else if (a[i] == "-o" || a[i] == "--out") {
      if (i + 1 >= a.size()) usage("-o needs a value");
      out = a[++i];
    } else if (!a[i].empty() && a[i][0] == '-') {
      usage("unknown option '" + a[i] + "'");
    } else {
      dirs.push_back(a[i]);
    }
  }
  if (dirs.empty() || out.empty()) usage("sweep-merge expects shard folders and -o OUT");
  merge_sweeps(dirs, out);
  std::printf("merged %zu folders into %s\n", dirs.size(), out.c_str());
  return 0;
}

int cmd_report(const std::vector<std::string>& a) {
  if (a.size() == 1 && (a[0] == "-h" || a[0] == "--help")) {
    std::cout << kReportHelp;
    return 0;
  }
  if (a.size() != 1 || a[0].empty() || a[0][0] == '-') usage("report expects one results folder");
  const char* env_dir = std::getenv("LPUSIM_REPORTS_DIR");
  const std::string reports = env_dir ? env_dir : LPUSIM_REPORTS_DIR;
  const char* env_py = std::getenv("LPUSIM_PYTHON");
  // Debian's interpreter, where python3-matplotlib lives (a pyenv python3 on PATH may lack it).
  const std::string py =
      env_py ? env_py : (std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const std::string cmd = "'" + py + "' '" + reports + "/plot.py' '" + a[0] + "'";
  std::fflush(nullptr);
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    throw ConfigError("report: " + cmd + " failed (exit code " + std::to_string(code) + ")");
  }
  return 0;
}

}  // namespace lpusim
