// A target list read from a descriptor (a file given with -iL, or stdin): read_targets,
// fed through a memfd.
//   Every target is one word of the input: no blanks, no '#', no line break, at most
//   kMaxTargetLine bytes, and parse_target takes its text alone the same way. Errors name
//   the source and a line number within the input.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "fuzz.hpp"
#include "sockkit/error.hpp"
#include "sockkit/probe_targets.hpp"

namespace {

// One memfd for the whole run, rewritten for each input.
int input_fd(std::string_view text) {
  static int fd = ::memfd_create("targets", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  std::size_t done = 0;
  while (done < text.size()) {
    auto wrote = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    FUZZ_CHECK(wrote > 0);
    done += static_cast<std::size_t>(wrote);
  }
  FUZZ_CHECK(::lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  std::vector<sockkit::TargetSpec> specs;
  try {
    specs = sockkit::read_targets(input_fd(text), "list.txt");
  } catch (const sockkit::InputError& e) {
    // "list.txt:LINE: ...", LINE one of the input's lines.
    std::string_view message = e.what();
    FUZZ_CHECK(message.starts_with("list.txt:"));
    message.remove_prefix(9);
    std::size_t line = 0;
    auto [end, ec] = std::from_chars(message.data(), message.data() + message.size(), line);
    FUZZ_CHECK(ec == std::errc{} && *end == ':');
    auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    FUZZ_CHECK(line >= 1 && line <= lines);
    return 0;
  }
  FUZZ_CHECK(specs.size() <= (size + 1) / 2);  // a byte each, and a separator between
  for (const auto& spec : specs) {
    FUZZ_CHECK(!spec.text.empty() && spec.text.size() <= sockkit::kMaxTargetLine);
    FUZZ_CHECK(spec.text.find_first_of(" \t\r\v\f\n#") == std::string::npos);
    FUZZ_CHECK(text.find(spec.text) != std::string_view::npos);
    try {
      auto alone = sockkit::parse_target(spec.text);
      FUZZ_CHECK(alone.host == spec.host && alone.port == spec.port && alone.block == spec.block);
    } catch (const sockkit::InputError&) {
      fuzz::fail("a target read from a list does not parse alone", __FILE__, __LINE__);
    }
  }
  return 0;
}
