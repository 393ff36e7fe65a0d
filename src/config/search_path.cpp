#include <cstdlib>
#include <filesystem>
#include <set>

#include "config/loaders.h"

namespace lpusim {

namespace fs = std::filesystem;

std::vector<std::string> config_search_dirs(const std::string& design_dir) {
  std::vector<std::string> dirs = {design_dir, design_dir + "/.."};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path() / ".." / "share" / "lpusim" / "configs").lexically_normal().string());
#ifdef LPUSIM_CONFIGS_DIR
  dirs.push_back(LPUSIM_CONFIGS_DIR);
#endif
  if (const char* env = std::getenv("LPUSIM_CONFIG_PATH")) {
    const std::string list = env;
    size_t pos = 0;
    while (pos <= list.size()) {
      const size_t colon = list.find(':', pos);
      const std::string d = list.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      if (!d.empty()) dirs.push_back(d);
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
  }
  return dirs;
}

std::string find_config_file(const std::string& design_dir, const std::string& sub, const std::string& name) {
  for (const auto& d : config_search_dirs(design_dir)) {
    const std::string f = d + "/" + sub + "/" + name + ".yaml";
    std::error_code ec;
    if (fs::is_regular_file(f, ec)) return f;
  }
  return "";
}

std::string config_names(const std::string& design_dir, const std::string& sub) {
  std::set<std::string> names;
  for (const auto& d : config_search_dirs(design_dir)) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d + "/" + sub, ec)) {
      if (e.path().extension() == ".yaml") names.insert(e.path().stem().string());
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none found" : out;
}

std::string config_search_text(const std::string& design_dir, const std::string& sub) {
  std::string out;
  for (const auto& d : config_search_dirs(design_dir)) out += (out.empty() ? "" : ", ") + d + "/" + sub;
  return out;
}

}  // namespace lpusim
