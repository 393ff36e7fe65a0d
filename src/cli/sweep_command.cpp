// `lpusim sweep`, `lpusim sweep-merge` and `lpusim report`.

#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "cli/command.h"
#include "sweep/sweep.h"

namespace lpusim {

namespace {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the lpusim executable (/proc/self/exe)");
  return p.string();
}

struct SweepArgs {
  std::string file;
  SweepOptions o;
  bool dry = false;
};

// --shard I/N.
Value shard_value(SweepOptions* o) {
  Value v;
  v.metavar = "I/N";
  v.accepts = "I/N with 1 <= I <= N";
  v.help_accepts = false;
  v.set = [o](const std::string& text) -> std::string {
    const auto slash = text.find('/');
    int64_t i = 0, n = 0;
    if (slash == std::string::npos || !parse_integer(text.substr(0, slash), i) ||
        !parse_integer(text.substr(slash + 1), n) || i < 1 || n < 1)
      return "expects I/N with positive integers I and N, got '" + text + "'";
    if (i > n) return "needs 1 <= I <= N, got '" + text + "'";
    o->shard_i = static_cast<size_t>(i);
    o->shard_n = static_cast<size_t>(n);
    return "";
  };
  v.show = [o] { return std::to_string(o->shard_i) + "/" + std::to_string(o->shard_n); };
  return v;
}

int cmd_sweep(const SweepArgs& a, const CommandLine&) {
  SweepOptions o = a.o;
  const bool dry = a.dry;
  SweepSpec s = SweepSpec::load(a.file);
  check_output_dir(o.out_dir, "-o", false);  // a results folder is resumed in place: any folder will do
  if (dry) {
    validate_expansion(s);
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

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string out;
};

int cmd_sweep_merge(const MergeArgs& a, const CommandLine&) {
  merge_sweeps(a.dirs, a.out);
  std::printf("merged %zu folders into %s\n", a.dirs.size(), a.out.c_str());
  return 0;
}

// `name` found on PATH (as a shell would), or `name` itself when it is not there.
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string cand = (end > start ? dirs.substr(start, end - start) : ".") + "/" + name;
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return name;
}

struct ReportArgs {
  std::string dir;
};

int cmd_report(const ReportArgs& a, const CommandLine&) {
  const char* env_dir = std::getenv("LPUSIM_REPORTS_DIR");
  const std::string reports = env_dir ? env_dir : LPUSIM_REPORTS_DIR;
  const char* env_py = std::getenv("LPUSIM_PYTHON");
  // Debian's interpreter, where python3-matplotlib lives (a pyenv python3 on PATH may lack it).
  std::string py = env_py ? env_py : (std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  if (py.find('/') == std::string::npos) py = on_path(py);
  // A run/compare folder must be complete (its marker and every file it lists: base/atomic_output.h).
  namespace fs = std::filesystem;
  if (!fs::exists(a.dir + "/report.json") && !fs::exists(a.dir + "/results.jsonl")) {
    throw ConfigError(a.dir + ": neither report.json (run, compare) nor results.jsonl (sweep)");
  }
  if (fs::exists(a.dir + "/report.json") && !fs::exists(a.dir + "/results.jsonl")) {
    const std::string why = verify_output_dir(a.dir);
    if (!why.empty()) {
      throw ConfigError(a.dir + ": not a complete lpusim output (" + why + "); run the command that wrote it again");
    }
  }
  // An argument vector, no shell: DIR reaches plot.py as it was given, whatever it contains.
  const std::vector<std::string> args = {reports + "/plot.py", a.dir};
  std::fflush(nullptr);
  std::error_code ec;
  boost::process::child child(boost::process::exe = py, boost::process::args = args, ec);
  if (ec) throw ConfigError("report: cannot run " + py + ": " + ec.message());
  child.wait(ec);
  const int code = ec ? -1 : child.exit_code();
  if (code != 0) {
    throw ConfigError("report: " + py + " " + reports + "/plot.py " + a.dir + " failed (exit code " +
                      std::to_string(code) + ")");
  }
  return 0;
}

const bool sweep_registered = register_command<SweepArgs>([] {
  Command<SweepArgs> c;
  c.name = "sweep";
  c.order = 50;
  c.summary = "runs every point of a design-space sweep, in parallel, resumable, shardable";
  c.description =
      "Expands SWEEP.yaml (base design, baseline design, workloads, parameters by key path, cartesian / zip / random "
      "mode, constraints) and runs every point as its own lpusim process, N at a time. Rows stream, in point order, "
      "to DIR/results.csv and DIR/results.jsonl; each point's report and resolved design go to DIR/points/<id>/. "
      "Running the same command again resumes.";
  c.declare = [](CommandLine& cl, SweepArgs& a) {
    cl.operand("SWEEP.yaml", &a.file, "a sweep file (configs/sweeps/*.yaml)");
    cl.option("out,o", text(&a.o.out_dir, "DIR"), "the results folder").required();
    cl.option("jobs,j", positive(&a.o.jobs), "points run at a time").default_text("the cores available");
    cl.option("shard", shard_value(&a.o),
              "runs the points with index % N == I-1; combine shard folders with lpusim sweep-merge");
    cl.flag("dry-run", &a.dry,
            "writes DIR/designs and lists the points (and the variants constraints dropped) without running "
            "anything");
    cl.epilog("Exit code 3 when some point failed. Reference: README.md#sweeps.");
  };
  c.run = cmd_sweep;
  return c;
}());

const bool merge_registered = register_command<MergeArgs>([] {
  Command<MergeArgs> c;
  c.name = "sweep-merge";
  c.order = 60;
  c.summary = "combines the shard folders of one sweep";
  c.description =
      "Combines the folders of the shards of one sweep into OUT (results in point order, point folders copied). "
      "Every point must have a row in exactly one shard.";
  c.declare = [](CommandLine& cl, MergeArgs& a) {
    cl.operands("DIR", &a.dirs, 1, "shard folders of `lpusim sweep --shard`");
    cl.option("out,o", text(&a.out, "OUT"), "the merged folder").required();
  };
  c.run = cmd_sweep_merge;
  return c;
}());

const bool report_registered = register_command<ReportArgs>([] {
  Command<ReportArgs> c;
  c.name = "report";
  c.order = 65;
  c.summary = "plots and a self-contained HTML report from saved results";
  c.description =
      "Regenerates plots (PNG + SVG under DIR/plots) and the self-contained DIR/report.html from the saved results "
      "of a run/compare (report.json) or a sweep (results.jsonl). Needs python3 with matplotlib (Debian: "
      "python3-matplotlib).";
  c.declare = [](CommandLine& cl, ReportArgs& a) {
    cl.operand("DIR", &a.dir, "the -o folder of run, compare or sweep");
  };
  c.run = cmd_report;
  return c;
}());

}  // namespace

}  // namespace lpusim
