// Shared test helpers: paths into the source tree, running the lpusim binary, temp folders.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace lpusim_test {

inline std::string src(const std::string& rel) { return std::string(LPUSIM_SOURCE_DIR) + "/" + rel; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A fresh folder with configs/designs, configs/dram and configs/tech copied from the source tree, so tests can
// write broken variants next to a valid tech table.
inline std::string temp_tree(const std::string& tag) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("lpusim_test_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "configs");
  fs::copy(src("configs/tech"), dir / "configs/tech", fs::copy_options::recursive);
  fs::copy(src("configs/designs"), dir / "configs/designs", fs::copy_options::recursive);
  fs::copy(src("configs/dram"), dir / "configs/dram", fs::copy_options::recursive);
  return dir.string();
}

struct CmdResult {
  int code;
  std::string out, err;
};

inline CmdResult run_lpusim(const std::string& args, const std::string& tag) {
  namespace fs = std::filesystem;
  fs::path o = fs::temp_directory_path() / ("lpusim_out_" + tag + "_" + std::to_string(::getpid()));
  fs::path e = fs::temp_directory_path() / ("lpusim_err_" + tag + "_" + std::to_string(::getpid()));
  std::string cmd = std::string(LPUSIM_BINARY) + " " + args + " >" + o.string() + " 2>" + e.string();
  int status = std::system(cmd.c_str());
  CmdResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(o.string()), read_file(e.string())};
  return r;
}

inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  if (pos == std::string::npos) throw std::runtime_error("fixture text not found: " + from);
  return s.replace(pos, from.size(), to);
}

}  // namespace lpusim_test
