// Outputs written all-or-nothing. Every output folder (run/compare -o, sweep points, dram-trace,
// topology, attention-accuracy, functional) and every single output file (traces, import-hf -o) is
// written into a temporary sibling, every write checked and fsync'd, and renamed into place only on
// success. A folder gets a completion marker (kCompleteMarker: the size and checksum of every file)
// that `lpusim report` and sweep resume check. A full disk or a kill leaves the previous output or
// nothing, plus at worst a hidden temporary sibling that the next writer of the same path removes.
//
// Test hook: LPUSIM_TEST_FAIL_WRITE=NAME makes every write of a file named NAME fail as if the disk
// were full (ENOSPC), so tests can show that a failed write leaves the previous output intact.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lpusim {

// The marker file inside a complete output folder: one line per file, "<bytes> <fnv1a64> <name>".
constexpr const char* kCompleteMarker = "lpusim.complete";

// Checks, before any work, that `dir` can become an output folder: it is not a file, its nearest
// existing ancestor is a writable folder, and if it exists it is empty or an earlier lpusim output
// (it has the marker). `option` names the option in the message ("-o"). Throws ConfigError.
// With earlier_output false (a sweep's results folder, resumed in place) any existing folder will do.
void check_output_dir(const std::string& dir, const std::string& option = "-o", bool earlier_output = true);
// Checks that `path` can become an output file: not a folder, its folder exists or can be created.
void check_output_file(const std::string& path, const std::string& option);

// Empty when `dir` holds a complete output (the marker, and every file it lists with its size and
// checksum), else what is wrong, e.g. "report.json: 512 bytes, the marker says 2048".
std::string verify_output_dir(const std::string& dir);

class OutputDir {
 public:
  explicit OutputDir(const std::string& dir, const std::string& option = "-o");
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;
  ~OutputDir();  // removes the temporary folder unless committed
  // Writes NAME (a plain file name) into the temporary folder; throws ConfigError naming the final
  // path when a write fails.
  void write(const std::string& name, const std::string& text);
  const std::string& path() const { return dir_; }
  // The temporary folder, for subfolders copied in whole (sweep-merge); the marker lists only the
  // files given to write().
  const std::string& temp_path() const { return tmp_; }
  // Writes the marker, fsyncs, and renames the folder into place (replacing an earlier output).
  void commit();

 private:
  std::string dir_, tmp_;
  std::vector<std::pair<std::string, std::string>> manifest_;  // name, "<bytes> <fnv>"
  bool committed_ = false;
};

class OutputFile {
 public:
  // `suffix` ends the temporary name (SystemC appends ".vcd" to the name it is given).
  explicit OutputFile(const std::string& path, const std::string& option = "-o", const std::string& suffix = "");
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // removes the temporary file unless committed
  // Where a writer that opens the file itself (SystemC, a stream) writes; commit() renames it.
  const std::string& temp_path() const { return tmp_; }
  void write(const std::string& text);  // the whole content, checked and fsync'd
  void commit();                        // fsyncs the temporary file and renames it into place

 private:
  std::string path_, tmp_;
  bool committed_ = false;
};

// Writes a whole file through a temporary sibling (checked, fsync'd, renamed).
void write_file_atomic(const std::string& path, const std::string& text);
// Appends and fsyncs (checked): a line reported written survives a kill or power cut.
void append_file_synced(const std::string& path, const std::string& text);

}  // namespace lpusim
