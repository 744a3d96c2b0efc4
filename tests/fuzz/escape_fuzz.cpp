// Bytes from the network shown on one line, and C escapes typed on a command line:
// escape_bytes and unescape.
//   unescape takes any text, or refuses it with an InputError naming the option; its
//   result is never longer than the text. escape_bytes gives printable ASCII only (no
//   control byte, nothing above 0x7e), and unescape turns it back into the bytes it
//   was given, less the trailing line breaks it drops.
#include <algorithm>
#include <string>

#include "fuzz.hpp"
#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  try {
    auto bytes = sockkit::unescape(text, "--send");
    FUZZ_CHECK(bytes.size() <= text.size());
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid --send \""));
  }
  auto shown = sockkit::escape_bytes(text);
  FUZZ_CHECK(std::all_of(shown.begin(), shown.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  }));
  auto kept = text;
  while (!kept.empty() && (kept.back() == '\n' || kept.back() == '\r')) kept.remove_suffix(1);
  try {
    FUZZ_CHECK(sockkit::unescape(shown, "--expect") == kept);
  } catch (const sockkit::InputError&) {
    fuzz::fail("unescape refuses what escape_bytes wrote", __FILE__, __LINE__);
  }
  return 0;
}
