// Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp): each reader gets arbitrary bytes and
// must either accept them or throw ConfigError (one line, exit 2 in the CLI). Any other exception,
// a crash or a sanitizer report is a finding. scripts/fuzz.sh runs them under clang's libFuzzer;
// CTest replays the seed and crash corpora through the same entry point (replay_main.cpp).
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/config_error.h"

namespace lpusim_fuzz {

// A per-process scratch tree shaped like the source tree: configs/{tech,dram} and tests/ linked in and
// the shipped designs linked into configs/designs, so a fuzzed design resolves `tech:` and
// `dram.preset`, and a fuzzed sweep its base design and workloads, as real files do.
inline const std::string& scratch() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const fs::path d = fs::temp_directory_path() / ("lpusim_fuzz_" + std::to_string(::getpid()));
    const fs::path src(LPUSIM_SOURCE_DIR);
    fs::create_directories(d / "configs" / "designs");
    fs::create_directories(d / "configs" / "sweeps");
    std::error_code ec;
    for (const char* sub : {"configs/tech", "configs/dram", "tests"})
      fs::create_directory_symlink(src / sub, d / sub, ec);
    for (const auto& e : fs::directory_iterator(src / "configs" / "designs"))
      fs::create_symlink(e.path(), d / "configs" / "designs" / e.path().filename(), ec);
    return d.string();
  }();
  return dir;
}

inline std::string write_input(const std::string& rel, const uint8_t* data, size_t size) {
  const std::string path = scratch() + "/" + rel;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Runs `f`; ConfigError is the expected rejection of bad input.
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const lpusim::ConfigError&) {
  }
}

}  // namespace lpusim_fuzz
