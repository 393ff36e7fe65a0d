#include "base/atomic_output.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/config_error.h"

namespace lpusim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarkerHeader = "lpusim output complete v1";
constexpr const char* kTmpTag = ".lpusim-tmp.";

std::string fnv1a64(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The test hook (see the header): true when writes of `path` must fail.
bool injected_failure(const std::string& path) {
  const char* name = std::getenv("LPUSIM_TEST_FAIL_WRITE");
  return name && *name && fs::path(path).filename() == name;
}

// Writes all of `text` to fd; false with errno set on failure.
bool write_all(int fd, const std::string& text, const std::string& final_path) {
  if (injected_failure(final_path)) {
    errno = ENOSPC;
    return false;
  }
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void fail(const std::string& path, const std::string& what, int err) {
  throw ConfigError(path + ": " + what + ": " + std::strerror(err));
}

// Creates `tmp` with `text`, checked and fsync'd; the message names `final_path`.
void write_new_file(const std::string& tmp, const std::string& text, const std::string& final_path) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(final_path, "cannot write", errno);
  if (!write_all(fd, text, final_path) || ::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(final_path, "cannot write", e);
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail(final_path, "cannot write", e);
  }
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// "out/" and "out" are the same output; the parent of a bare name is ".".
fs::path normal(const std::string& p) {
  fs::path q = fs::path(p).lexically_normal();
  if (!q.empty() && q.filename().empty()) q = q.parent_path();
  return q;
}

fs::path parent_of(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : fs::path("."); }

std::string temp_sibling(const fs::path& p) {
  static std::atomic<unsigned> counter{0};
  return (parent_of(p) /
          ("." + p.filename().string() + kTmpTag + std::to_string(::getpid()) + "." + std::to_string(counter++)))
      .string();
}

// Removes temporary siblings of `p` left by writers that no longer run (killed mid-write).
void remove_stale_temps(const fs::path& p) {
  const std::string prefix = "." + p.filename().string() + kTmpTag;
  std::error_code ec;
  for (fs::directory_iterator it(parent_of(p), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string n = it->path().filename().string();
    if (n.compare(0, prefix.size(), prefix) != 0) continue;
    const long pid = std::strtol(n.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

// The nearest existing ancestor of `p` must be a writable folder.
void check_creatable(const fs::path& p, const std::string& shown, const std::string& option) {
  fs::path a = parent_of(p);
  std::error_code ec;
  while (!fs::exists(a, ec)) {
    if (!a.has_parent_path() || a.parent_path() == a) {
      a = ".";
      break;
    }
    a = a.parent_path();
  }
  if (!fs::is_directory(a, ec)) {
    throw ConfigError(option + " " + shown + ": cannot be created: " + a.string() + " is not a folder");
  }
  if (::access(a.c_str(), W_OK | X_OK) != 0) {
    throw ConfigError(option + " " + shown + ": cannot be created: " + a.string() + ": " + std::strerror(errno));
  }
}

}  // namespace

void check_output_dir(const std::string& dir, const std::string& option, bool earlier_output) {
  if (dir.empty()) throw ConfigError(option + ": expects a folder name, got ''");
  const fs::path p = normal(dir);
  const std::string name = p.filename().string();
  if (p.empty() || name == "." || name == ".." || p == p.root_path()) {
    throw ConfigError(option + " " + dir + ": expects a new or earlier output folder, not the current or a parent one");
  }
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) throw ConfigError(option + " " + dir + ": exists and is not a folder");
    if (earlier_output && !fs::is_empty(p, ec) && !fs::exists(p / kCompleteMarker, ec)) {
      throw ConfigError(option + " " + dir + ": exists and is not an lpusim output folder (no " +
                        std::string(kCompleteMarker) + "); name a new folder or remove it");
    }
    if (::access(parent_of(p).c_str(), W_OK | X_OK) != 0) {
      throw ConfigError(option + " " + dir + ": cannot be replaced: " + parent_of(p).string() + ": " +
                        std::strerror(errno));
    }
    return;
  }
  check_creatable(p, dir, option);
}

void check_output_file(const std::string& path, const std::string& option) {
  if (path.empty()) throw ConfigError(option + ": expects a file name, got ''");
  const fs::path p = normal(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw ConfigError(option + " " + path + ": is a folder, not a file");
  if (fs::exists(p, ec)) {
    if (::access(parent_of(p).c_str(), W_OK | X_OK) != 0) {
      throw ConfigError(option + " " + path + ": cannot be replaced: " + std::strerror(errno));
    }
    return;
  }
  check_creatable(p, path, option);
}

std::string verify_output_dir(const std::string& dir) {
  const fs::path p(dir);
  std::ifstream in(p / kCompleteMarker, std::ios::binary);
  if (!in) return std::string("no ") + kCompleteMarker + " (not written to the end)";
  std::string line;
  if (!std::getline(in, line) || line != kMarkerHeader) return std::string(kCompleteMarker) + ": damaged";
  size_t files = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    unsigned long long bytes = 0;
    std::string sum, name;
    if (!(ls >> bytes >> sum) || !std::getline(ls >> std::ws, name) || name.empty() ||
        name.find('/') != std::string::npos) {
      return std::string(kCompleteMarker) + ": damaged";
    }
    std::ifstream f(p / name, std::ios::binary);
    if (!f) return name + ": missing";
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    if (text.size() != bytes) {
      return name + ": " + std::to_string(text.size()) + " bytes, the marker says " + std::to_string(bytes);
    }
    if (fnv1a64(text) != sum) return name + ": damaged (checksum differs from the marker)";
    ++files;
  }
  if (files == 0) return std::string(kCompleteMarker) + ": lists no files";
  return "";
}

// ---- OutputDir ----------------------------------------------------------------------------------

OutputDir::OutputDir(const std::string& dir, const std::string& option) : dir_(dir) {
  check_output_dir(dir, option);
  const fs::path p = normal(dir);
  std::error_code ec;
  fs::create_directories(parent_of(p), ec);
  if (ec) throw ConfigError(option + " " + dir + ": cannot create its parent folder: " + ec.message());
  remove_stale_temps(p);
  tmp_ = temp_sibling(p);
  if (::mkdir(tmp_.c_str(), 0755) != 0) fail(dir, "cannot create output folder", errno);
}

OutputDir::~OutputDir() {
  if (committed_ || tmp_.empty()) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

void OutputDir::write(const std::string& name, const std::string& text) {
  if (name.empty() || name.find('/') != std::string::npos || name == kCompleteMarker) {
    throw ConfigError(dir_ + "/" + name + ": not a plain output file name");
  }
  write_new_file(tmp_ + "/" + name, text, dir_ + "/" + name);
  manifest_.emplace_back(name, std::to_string(text.size()) + " " + fnv1a64(text));
}

void OutputDir::commit() {
  std::string marker = std::string(kMarkerHeader) + "\n";
  for (const auto& [name, sum] : manifest_) marker += sum + " " + name + "\n";
  write_new_file(tmp_ + "/" + kCompleteMarker, marker, dir_ + "/" + kCompleteMarker);
  fsync_path(tmp_);
  const fs::path p = normal(dir_);
  std::error_code ec;
  if (fs::exists(p, ec)) {
    check_output_dir(dir_);  // still empty or an earlier output
    // Swap the new folder in atomically, then drop the old one (now at tmp_).
    if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, p.c_str(), RENAME_EXCHANGE) == 0) {
      committed_ = true;
      fs::remove_all(tmp_, ec);
    } else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
      // No atomic exchange on this file system: move the old folder aside first.
      const std::string old = temp_sibling(p);
      if (::rename(p.c_str(), old.c_str()) != 0) fail(dir_, "cannot replace the earlier output", errno);
      if (::rename(tmp_.c_str(), p.c_str()) != 0) fail(dir_, "cannot rename the output into place", errno);
      committed_ = true;
      fs::remove_all(old, ec);
    } else {
      fail(dir_, "cannot rename the output into place", errno);
    }
  } else {
    if (::rename(tmp_.c_str(), p.c_str()) != 0) fail(dir_, "cannot rename the output into place", errno);
    committed_ = true;
  }
  fsync_path(parent_of(p).string());
}

// ---- OutputFile ---------------------------------------------------------------------------------

OutputFile::OutputFile(const std::string& path, const std::string& option, const std::string& suffix) : path_(path) {
  check_output_file(path, option);
  const fs::path p = normal(path);
  std::error_code ec;
  fs::create_directories(parent_of(p), ec);
  if (ec) throw ConfigError(option + " " + path + ": cannot create its folder: " + ec.message());
  remove_stale_temps(p);
  tmp_ = temp_sibling(p) + suffix;
}

OutputFile::~OutputFile() {
  if (committed_ || tmp_.empty()) return;
  ::unlink(tmp_.c_str());
}

void OutputFile::write(const std::string& text) { write_new_file(tmp_, text, path_); }

void OutputFile::commit() {
  // A writer that streamed into temp_path() itself: check and sync what it wrote.
  const int fd = ::open(tmp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path_, "cannot write", errno);
  const bool synced = ::fsync(fd) == 0;
  const int e = errno;
  ::close(fd);
  if (!synced) fail(path_, "cannot write", e);
  if (injected_failure(path_)) fail(path_, "cannot write", ENOSPC);
  if (::rename(tmp_.c_str(), normal(path_).c_str()) != 0) fail(path_, "cannot rename into place", errno);
  committed_ = true;
  fsync_path(parent_of(normal(path_)).string());
}

void write_file_atomic(const std::string& path, const std::string& text) {
  OutputFile f(path, "output");
  f.write(text);
  f.commit();
}

void append_file_synced(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "cannot append", errno);
  if (!write_all(fd, text, path) || ::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail(path, "cannot append", e);
  }
  if (::close(fd) != 0) fail(path, "cannot append", errno);
}

}  // namespace lpusim
