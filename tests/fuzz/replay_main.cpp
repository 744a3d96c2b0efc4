// The main of a fuzz target in the normal (non-libFuzzer) build: runs
// LLVMFuzzerTestOneInput once over every file in the directories (or files) given, so
// ctest checks the seed corpus and every past crash input on each run. A directory that
// does not exist holds no inputs; files named *.md (notes next to regression inputs)
// and hidden files are skipped. A broken property aborts, as it would under libFuzzer;
// finding no input at all is a failure too (a corpus that moved would test nothing).
//   fuzz_replay_<name> DIR_OR_FILE...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool is_input(const fs::path& path) {
  auto name = path.filename().string();
  return !name.starts_with('.') && path.extension() != ".md";
}

std::vector<fs::path> inputs_of(const fs::path& where) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (fs::is_regular_file(where, ec)) {
    out.push_back(where);
    return out;
  }
  if (!fs::is_directory(where, ec)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(where)) {
    if (entry.is_regular_file() && is_input(entry.path())) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool run_one(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in a buffer of exactly its size, so ASan sees a read past the end.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), data.size());
  static const std::uint8_t kNothing = 0;
  (void)LLVMFuzzerTestOneInput(data.empty() ? &kNothing : data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    for (const auto& path : inputs_of(argv[i])) {
      ok = run_one(path) && ok;
      ++count;
    }
  }
  // The empty input too: every target must take it.
  static const std::uint8_t kNothing = 0;
  (void)LLVMFuzzerTestOneInput(&kNothing, 0);
  std::printf("replayed %zu inputs\n", count);
  if (count == 0) {
    // A corpus that went missing would otherwise pass without checking anything.
    std::fprintf(stderr, "replay: no inputs found in the paths given\n");
    return 1;
  }
  return ok ? 0 : 1;
}
