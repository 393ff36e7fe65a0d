// The command-line layer (cli/options.h, cli/command.h): option syntax, typed and ranged values,
// usage errors, the command table and the help generated from the declarations.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>

#include "base/config_error.h"
#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/options.h"
#include "helpers.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

// A command with one option of each kind.
struct TArgs {
  std::string in, out;
  std::vector<std::string> rest;
  int64_t seq = 64;
  uint64_t jobs = 0;
  std::optional<int64_t> batch;
  std::optional<double> frac;
  double gib = 6;
  std::string mode = "area";
  std::vector<uint32_t> lanes;
  std::vector<int64_t> ids;
  bool dry = false, fast = false;
  TraceOptions trace;
};

struct Line {
  TArgs a;
  CommandLine cl{"t", "a test command", "Description."};
  Line() {
    cl.operand("IN", &a.in, "the input");
    cl.option("out,o", text(&a.out, "DIR"), "the output folder");
    cl.option("seq", integer(&a.seq, 2, kNoMax), "tokens");
    cl.option("jobs,j", positive(&a.jobs), "jobs");
    cl.option("batch", integer(&a.batch, 1, kNoMax, {{"max", -1}}), "batch");
    cl.option("frac", number(&a.frac, Interval{0, 1, false, true}, "P"), "a fraction");
    cl.option("gib", number(&a.gib, Interval{0, Interval{}.hi, true, false}, "G"), "GiB");
    cl.option("mode", choice(&a.mode, {"area", "peak-ops"}), "the mode");
    cl.option("lanes", integer_list(&a.lanes, 1, kNoMax, {64, 256, 512}), "lane widths");
    cl.option("ids", integer_list(&a.ids), "token ids").needs("fast");
    cl.flag("dry-run", &a.dry, "lists only");
    cl.flag("fast", &a.fast, "fast mode").conflicts("seq");
    declare_trace_options(cl, a.trace);
  }
  Line& parse(const std::vector<std::string>& args) {
    cl.parse(args);
    return *this;
  }
};

// The usage error of `args`, or "" when they parse.
std::string error_of(const std::vector<std::string>& args) {
  Line l;
  try {
    l.parse(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("cli: --opt=value and --opt value, -j2 and -j 2, -o DIR and --out DIR are the same") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"x", "--seq", "7", "--jobs", "3", "--out", "d", "--mode", "peak-ops"},
           {"x", "--seq=7", "--jobs=3", "--out=d", "--mode=peak-ops"},
           {"x", "--seq", "7", "-j3", "-o", "d", "--mode", "peak-ops"},
           {"--seq=7", "-j", "3", "-od", "--mode=peak-ops", "x"},
       }) {
    INFO(args.size());
    Line l;
    l.parse(args);
    CHECK(l.a.in == "x");
    CHECK(l.a.seq == 7);
    CHECK(l.a.jobs == 3);
    CHECK(l.a.out == "d");
    CHECK(l.a.mode == "peak-ops");
    CHECK(l.cl.given("jobs"));
    CHECK(!l.cl.given("batch"));
  }
}

TEST_CASE("cli: typed values keep their defaults and take lists, words, numbers and ranges") {
  Line d;
  d.parse({"x"});
  CHECK(d.a.seq == 64);
  CHECK(!d.a.batch);
  CHECK(!d.a.frac);
  CHECK(d.a.lanes.empty());

  Line l;
  l.parse({"x", "--batch", "max", "--frac", "0.25", "--gib=1e-1", "--lanes", "64, 512", "--fast", "--ids=3,-4,5",
           "--trace-layers", "-1:3", "--trace-window", ":500", "--dry-run"});
  CHECK(l.a.batch == -1);
  CHECK(l.a.frac == 0.25);
  CHECK(l.a.gib == Approx(0.1));
  CHECK(l.a.lanes == std::vector<uint32_t>{64, 512});
  CHECK(l.a.ids == std::vector<int64_t>{3, -4, 5});
  CHECK(l.a.trace.layer_lo == -1);
  CHECK(l.a.trace.layer_hi == 3);
  CHECK(l.a.trace.window_begin == 0);
  CHECK(l.a.trace.window_end == 500);
  CHECK(l.a.dry);
  CHECK(l.a.fast);

  Line b;
  b.parse({"--batch", "12", "--", "--not-an-option"});
  CHECK(b.a.batch == 12);
  CHECK(b.a.in == "--not-an-option");
  CHECK(error_of({"x", "--", "--y"}).find("unexpected argument '--y'") != std::string::npos);
}

TEST_CASE("cli: bad usage is one error naming the option") {
  const std::string tail = " (see lpusim t --help)";
  // Out of range, wrong type.
  CHECK(error_of({"x", "--seq", "1"}) == "usage: t: --seq expects an integer >= 2, got '1'" + tail);
  CHECK(error_of({"x", "--seq=2x"}) == "usage: t: --seq expects an integer >= 2, got '2x'" + tail);
  CHECK(error_of({"x", "-j0"}) == "usage: t: --jobs expects a positive integer, got '0'" + tail);
  CHECK(error_of({"x", "-j", "-2"}) == "usage: t: --jobs expects a positive integer, got '-2'" + tail);
  CHECK(error_of({"x", "--jobs", "99999999999999999999"}).find("--jobs expects a positive integer") !=
        std::string::npos);
  CHECK(error_of({"x", "--batch", "maximum"}) ==
        "usage: t: --batch expects a positive integer or 'max', got 'maximum'" + tail);
  CHECK(error_of({"x", "--frac", "1"}) == "usage: t: --frac expects a number in [0, 1), got '1'" + tail);
  CHECK(error_of({"x", "--gib", "0"}) == "usage: t: --gib expects a positive number, got '0'" + tail);
  CHECK(error_of({"x", "--gib", "nan"}) == "usage: t: --gib expects a positive number, got 'nan'" + tail);
  CHECK(error_of({"x", "--mode", "volume"}) == "usage: t: --mode expects one of area|peak-ops, got 'volume'" + tail);
  CHECK(error_of({"x", "--lanes", "64,128"}) ==
        "usage: t: --lanes expects a comma-separated list of 64, 256 or 512, got '128' (item 2)" + tail);
  CHECK(error_of({"x", "--lanes", ""}).find("--lanes expects a comma-separated list") != std::string::npos);
  CHECK(error_of({"x", "--out", ""}) == "usage: t: --out expects a non-empty value" + tail);
  CHECK(error_of({"x", "--trace-window", "5:2"}) == "usage: t: --trace-window needs A < B, got '5:2'" + tail);
  CHECK(error_of({"x", "--trace-layers", "3"}).find("--trace-layers expects A:B") != std::string::npos);
  // Unknown options, no abbreviations.
  CHECK(error_of({"x", "--frob"}) == "usage: t: unknown option '--frob'" + tail);
  CHECK(error_of({"x", "--frob=3"}) == "usage: t: unknown option '--frob'" + tail);
  CHECK(error_of({"x", "--se", "3"}) == "usage: t: unknown option '--se'" + tail);
  CHECK(error_of({"x", "-q"}) == "usage: t: unknown option '-q'" + tail);
  // Missing values, values for flags, repeats.
  CHECK(error_of({"x", "--seq"}) == "usage: t: --seq needs a value" + tail);
  CHECK(error_of({"x", "-j"}) == "usage: t: --jobs needs a value" + tail);
  CHECK(error_of({"x", "--seq", "--jobs", "2"}) == "usage: t: --seq needs a value" + tail);
  CHECK(error_of({"x", "--out", "-j2"}) == "usage: t: --out needs a value" + tail);
  CHECK(error_of({"x", "--seq=--jobs"}) == "usage: t: --seq expects an integer >= 2, got '--jobs'" + tail);
  CHECK(error_of({"x", "--dry-run=yes"}) == "usage: t: --dry-run takes no value" + tail);
  CHECK(error_of({"x", "--seq", "3", "--seq=4"}) == "usage: t: --seq is given more than once" + tail);
  // Operands, needs and conflicts.
  CHECK(error_of({}) == "usage: t: missing IN: expected IN" + tail);
  CHECK(error_of({"x", "y"}) == "usage: t: unexpected argument 'y': expected IN" + tail);
  CHECK(error_of({"x", "--ids", "1"}) == "usage: t: --ids needs --fast" + tail);
  CHECK(error_of({"x", "--fast", "--seq", "3"}) == "usage: t: --fast cannot be combined with --seq" + tail);
  // --help skips the checks that need a complete command line.
  Line h;
  h.parse({"--help"});
  CHECK(h.cl.help_requested());
}

TEST_CASE("cli: required options and variadic operands") {
  struct A {
    std::vector<std::string> dirs;
    std::string out;
  } a;
  CommandLine cl("m");
  cl.operands("DIR", &a.dirs, 2, "folders");
  cl.option("out,o", text(&a.out, "OUT"), "merged").required();
  CHECK(cl.synopsis() == "m DIR... -o OUT");
  CHECK_THROWS_WITH(cl.parse({"a", "b"}), "usage: m: --out is required (see lpusim m --help)");
  CHECK_THROWS_WITH(cl.parse({"a", "-o", "c"}), Catch::Contains("missing DIR"));
  CommandLine ok("m");
  ok.operands("DIR", &a.dirs, 2, "folders");
  ok.option("out,o", text(&a.out, "OUT"), "merged").required();
  ok.parse({"a", "-o", "c", "b", "d"});
  CHECK(a.dirs == std::vector<std::string>{"a", "b", "d"});
  CHECK(a.out == "c");
}

// The help with its line breaks and indentation folded into single blanks.
static std::string flat(const std::string& h) {
  std::string out;
  for (char c : h) {
    if (c == '\n' || c == ' ') {
      if (out.empty() || out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

TEST_CASE("cli: the generated help names every operand and option with its values and default") {
  Line l;
  const std::string raw = l.cl.help(), h = flat(raw);
  INFO(h);
  CHECK(raw.rfind("usage: lpusim t IN [options]\n", 0) == 0);
  CHECK(h.find("Description.") != std::string::npos);
  CHECK(raw.find("\n  -o, --out DIR ") != std::string::npos);
  CHECK(raw.find("\n  -j, --jobs N ") != std::string::npos);
  CHECK(h.find("--seq N") != std::string::npos);
  CHECK(h.find("tokens [an integer >= 2; default 64]") != std::string::npos);
  CHECK(h.find("--mode area|peak-ops") != std::string::npos);
  CHECK(h.find("the mode [default area]") != std::string::npos);
  CHECK(h.find("--batch N|max") != std::string::npos);
  CHECK(h.find("token ids [a comma-separated list of integers; with --fast]") != std::string::npos);
  CHECK(raw.find("\ntrace options:\n") != std::string::npos);
  CHECK(h.find("--trace-sample-cycles N") != std::string::npos);
  CHECK(h.find("[a positive integer; default 1000]") != std::string::npos);
}

TEST_CASE("cli: every command is in the table, its help lists all it declares, and --help parses") {
  const std::vector<std::string> expected = {
      "run", "compare", "bench", "gemm", "import-hf", "sweep", "sweep-merge", "report", "attention-accuracy"};
  std::vector<std::string> names;
  for (const CommandInfo* c : all_commands()) names.push_back(c->name);
  for (const auto& e : expected) CHECK(std::find(names.begin(), names.end(), e) != names.end());
  const std::string top = top_help();
  for (const CommandInfo* c : all_commands()) {
    INFO(c->name);
    auto cl = declared(*c);
    CHECK(top.find("\n  " + cl->synopsis() + "\n") != std::string::npos);
    const std::string h = cl->help();
    CHECK(h.rfind("usage: lpusim " + c->name, 0) == 0);
    for (const auto& op : cl->operand_decls()) CHECK(h.find("  " + op.metavar) != std::string::npos);
    for (const auto& o : cl->options()) {
      INFO(o.long_name);
      const std::string name =
          (o.short_name ? std::string("-") + o.short_name + ", --" : std::string("--")) + o.long_name;
      CHECK(h.find("  " + name + (o.flag ? "" : " " + o.value.metavar)) != std::string::npos);
      CHECK(!o.help.empty());
    }
    auto fresh = declared(*c);
    fresh->parse({"--help"});
    CHECK(fresh->help_requested());
  }
}

TEST_CASE("cli: the README's usage block is the generated lpusim --help") {
  const std::string readme = read_file(src("README.md"));
  const std::string start = "<!-- lpusim --help -->\n```\n";
  const auto a = readme.find(start);
  REQUIRE(a != std::string::npos);
  const auto b = readme.find("```\n", a + start.size());
  REQUIRE(b != std::string::npos);
  INFO("paste the output of `lpusim --help` into README.md's Usage block");
  CHECK(readme.substr(a + start.size(), b - a - start.size()) == top_help());
}

TEST_CASE("cli: the binary prints one usage line, exits 2 and writes nothing") {
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() / ("lpusim_cli_out_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::string run =
      "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml") + " -o " + out.string();
  for (const char* bad : {" --batch 0", " --batch", " --bogus", " --prompt-tokens=x", " --tokens 1"}) {
    INFO(bad);
    CmdResult r = run_lpusim(run + bad, "cli_usage");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("lpusim: error: usage: run: ", 0) == 0);
    CHECK(r.err.find("(see lpusim run --help)\n") == r.err.size() - std::string("(see lpusim run --help)\n").size());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(!fs::exists(out));
  }
  CmdResult top = run_lpusim("--frobnicate", "cli_top");
  CHECK(top.code == 2);
  CHECK(top.err == "lpusim: error: usage: unknown option '--frobnicate' (see lpusim --help)\n");
  CmdResult cmd = run_lpusim("frobnicate", "cli_cmd");
  CHECK(cmd.code == 2);
  CHECK(cmd.err == "lpusim: error: usage: unknown command 'frobnicate' (see lpusim --help)\n");
  CmdResult none = run_lpusim("", "cli_none");
  CHECK(none.code == 2);
  CHECK(none.out == top_help());
  CmdResult help = run_lpusim("gemm --help", "cli_help");
  CHECK(help.code == 0);
  CHECK(help.out == declared(*find_command("gemm"))->help());
}
