// Test support: files for tests. Recorded fixtures are read from tests/unit/data, and
// fake trees (a /proc, a /run/netns) are built in private directories, so a test never
// depends on, or writes to, the real ones.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace sockkit::test {

// A directory of recorded fixtures, tests/unit/data/<name>. The build passes the absolute
// path: __FILE__ would do only while the compiler sees absolute paths, which a compiler
// cache's base directory or -ffile-prefix-map makes relative.
inline std::string data_dir(std::string_view name) {
  return fmt::format("{}/{}", SOCKKIT_UNIT_DATA_DIR, name);
}

// The whole of a file. A file the test expects to read but cannot open stops the test
// and is named, rather than reading as empty.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A private directory under /tmp, named by mkdtemp so concurrent tests never share one,
// and removed with everything in it when the test ends, also when a REQUIRE stops it.
class TempDir {
 public:
  explicit TempDir(std::string_view tag) {
    std::string pattern = fmt::format("/tmp/sockkit-ut-{}-XXXXXX", tag);
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to the file `relative` (its directories made as needed), replacing
  // what was there.
  void write(const std::string& relative, std::string_view text) {
    make_parents(relative);
    std::ofstream out(path_ + "/" + relative, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    REQUIRE(out.good());
  }
  // Makes the directory `relative` (its parents as needed); it must not exist yet.
  void make_dir(const std::string& relative) {
    make_parents(relative);
    REQUIRE(::mkdir((path_ + "/" + relative).c_str(), 0755) == 0);
  }
  // Removes the file `relative`, for a test that takes away what it wrote.
  void remove(const std::string& relative) {
    REQUIRE(::unlink((path_ + "/" + relative).c_str()) == 0);
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void make_parents(const std::string& relative) {
    auto parent = std::filesystem::path(path_ + "/" + relative).parent_path();
    std::error_code ignored;  // what cannot be made shows up as the write that fails
    std::filesystem::create_directories(parent, ignored);
  }

  std::string path_;
};

}  // namespace sockkit::test
