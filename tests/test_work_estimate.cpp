// The work a run will do is estimated before it is done (compiler/estimate.h): runs above
// --max-memory are refused with the estimate and the limit, a model that does not fit the design's
// DRAM is a warning before the run and a report field, and absurd sizes are one-line errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "compiler/compiler.h"
#include "compiler/estimate.h"
#include "config/loaders.h"
#include "helpers.h"

using namespace lpusim;
using namespace lpusim_test;
namespace fs = std::filesystem;

namespace {

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

std::string tmp(const std::string& tag) {
  return (fs::temp_directory_path() / ("lpusim_estimate_" + tag + "_" + std::to_string(::getpid()))).string();
}

}  // namespace

TEST_CASE("estimate: exact on small scenarios, close on larger ones") {
  const DesignSpec d = load_design(src("configs/designs/lpu.yaml"));
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  for (int64_t p : {24, 300}) {
    for (int64_t g : {1, 3}) {
      w.scenario.prompt_tokens = p;
      w.scenario.generated_tokens = g;
      const double tiles = static_cast<double>(compile(w, d).tiles.size());
      const double est = estimate_work(w, {d}).tiles;
      INFO("prompt " << p << " generated " << g << ": " << tiles << " tiles, estimated " << est);
      CHECK(est == Approx(tiles).epsilon(0.3));  // the mapper's tilings vary with the prompt
    }
  }
  // Beyond the sampled prompts: extrapolated, still the right size.
  w.scenario.prompt_tokens = 8192;
  w.scenario.generated_tokens = 1;
  const double tiles = static_cast<double>(compile(w, d).tiles.size());
  CHECK(estimate_work(w, {d}).tiles == Approx(tiles).epsilon(0.3));
}

TEST_CASE("estimate: a run above --max-memory is refused before simulating, with the estimate and the limit") {
  const std::string out = tmp("refused");
  fs::remove_all(out);
  const std::string run = "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml");
  struct Case {
    std::string args, want;
  };
  for (const Case& c : std::vector<Case>{
           // 16M prompt tokens: about 3e10 tiles, 1e4 GiB, far above any machine (the default limit).
           {run + " --prompt-tokens 16000000 -o " + out, "tiny.yaml: scenario: the run needs about 1."},
           {run + " --max-memory 0.01 -o " + out, "tiny.yaml: scenario: the run needs about 0.06"},
           {"bench " + src("workloads/bitnet_b158_70b.yaml") + " " + src("configs/designs/lpu.yaml") +
                " --max-memory 1",
            "bitnet_b158_70b.yaml: scenario: the run needs about 3."},
       }) {
    const auto t0 = std::chrono::steady_clock::now();
    CmdResult r = run_lpusim(c.args, "refused");
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find(c.want) != std::string::npos);
    CHECK(r.err.find("GiB of host memory (about ") != std::string::npos);
    CHECK(r.err.find("tiles) but --max-memory is ") != std::string::npos);
    CHECK(r.out.empty());
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(!fs::exists(out));
  }
}

TEST_CASE("estimate: absurd sizes are one-line errors, not bad_alloc") {
  const std::string run = "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml");
  const std::string gemm = "gemm " + src("configs/designs/lpu.yaml") + " --unit tmac";
  struct Case {
    std::string args, want;
  };
  for (const Case& c : std::vector<Case>{
           {run + " --prompt-tokens 1000000000", "--prompt-tokens expects an integer in [1, 16777216]"},
           {run + " --generated-tokens 1000000000", "--generated-tokens expects an integer in [1, 16777216]"},
           {run + " --batch 1000000000", "--batch expects"},
           {"run " + src("configs/designs/lpu.yaml") + " " + src("workloads/gpt2_small.yaml") + " --prompt-tokens 2000",
            "exceeds " + src("workloads/gpt2_small.yaml") + "'s learned position table (max_positions 1024)"},
           {gemm + " --m 100000 --k 100000 --n 100000",
            "--m 100000 --k 100000 --n 100000: the GEMM needs about 373 GiB of host memory but --max-memory is"},
           {gemm + " --m 1000000000 --k 4 --n 4", "--m expects an integer in [1, 16777216]"},
           {"attention-accuracy " + src("configs/designs/lpu_bitformer.yaml") + " " +
                src("workloads/bitnet_b158_700m.yaml") + " --seq 10000000",
            "--seq 10000000: needs about 7.46e+05 GiB of host memory, more than"},
           {gemm + " --m 4096 --k 4096 --n 4096 --max-memory 0.1",
            "the GEMM needs about 0.625 GiB of host memory but --max-memory is 0.1 GiB"},
       }) {
    CmdResult r = run_lpusim(c.args, "absurd");
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find(c.want) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("estimate: a 70B run on the 8 GiB design prints the capacity warning before simulating") {
  // Started in full (minutes of simulation): the warning must arrive while it has not finished.
  int err_pipe[2];
  REQUIRE(::pipe(err_pipe) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    ::dup2(err_pipe[1], 2);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::close(err_pipe[0]);
    execl(LPUSIM_BINARY, LPUSIM_BINARY, "run", src("configs/designs/lpu.yaml").c_str(),
          src("workloads/bitnet_b158_70b.yaml").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(err_pipe[1]);
  std::string err;
  char buf[512];
  pollfd pfd{err_pipe[0], POLLIN, 0};
  while (err.find('\n') == std::string::npos && ::poll(&pfd, 1, 10000) > 0) {
    const ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    err.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  const pid_t still = ::waitpid(pid, &status, WNOHANG);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  ::close(err_pipe[0]);
  INFO(err);
  CHECK(still == 0);  // the warning came while the simulation was still running
  CHECK(err.find("lpusim: warning: " + src("configs/designs/lpu.yaml") +
                 ": dram.capacity_gib: bitnet_b158_70b needs 17.2 GiB (weights 16.9 GiB") == 0);
  CHECK(err.find("more than the design's 8 GiB; simulated anyway") != std::string::npos);

  // The report says so too (a short scenario of the same model).
  const std::string out = tmp("fits");
  fs::remove_all(out);
  CmdResult r = run_lpusim("run " + src("configs/designs/lpu.yaml") + " " + src("workloads/bitnet_b158_70b.yaml") +
                               " --prompt-tokens 4 --generated-tokens 1 -o " + out,
                           "fits");
  REQUIRE(r.code == 0);
  CHECK(r.err.find("dram.capacity_gib: bitnet_b158_70b needs") != std::string::npos);
  const auto j = nlohmann::json::parse(read_file(out + "/report.json"));
  CHECK(j["designs"][0]["footprint"]["fits_in_dram"] == false);
  // A model that fits has no warning and fits_in_dram true.
  CmdResult small = run_lpusim(
      "run " + src("configs/designs/lpu.yaml") + " " + src("tests/data/tiny.yaml") + " -o " + out, "fits_small");
  REQUIRE(small.code == 0);
  CHECK(small.err.empty());
  CHECK(nlohmann::json::parse(read_file(out + "/report.json"))["designs"][0]["footprint"]["fits_in_dram"] == true);
}
