// A scratch /proc for the fuzz targets whose reader opens files: a temporary directory
// (in memory when /dev/shm is there: rewriting a file on disk for every input is slow)
// named by SOCKKIT_PROC_ROOT for the life of the process, removed at the end.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz.hpp"

namespace fuzz {

class ScratchProcRoot {
 public:
  ScratchProcRoot() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path tmp = std::getenv("TMPDIR") == nullptr && fs::is_directory("/dev/shm", ec)
                       ? fs::path("/dev/shm")
                       : fs::temp_directory_path();
    std::string pattern = (tmp / "sockkit-fuzz-proc-XXXXXX").string();
    FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
    FUZZ_CHECK(::setenv("SOCKKIT_PROC_ROOT", root_.c_str(), 1) == 0);
  }
  ~ScratchProcRoot() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  ScratchProcRoot(const ScratchProcRoot&) = delete;
  ScratchProcRoot& operator=(const ScratchProcRoot&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// Replaces the file's content with the input.
inline void write_input(const std::filesystem::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  FUZZ_CHECK(out.good());
}

}  // namespace fuzz
