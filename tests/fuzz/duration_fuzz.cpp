// The one parser behind every time option (lib/base duration.cpp): parse_duration and
// duration_text.
//   A refusal is an InputError `invalid duration "TEXT" for --t: ...`, the text quoted
//   with its control and non-ASCII bytes escaped. An accepted time lies in the range
//   asked for, and duration_text of it reads back to the same time (within a nanosecond
//   of rounding).
#include <string>

#include "fuzz.hpp"
#include "sockkit/duration.hpp"
#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"

namespace {

using namespace std::chrono_literals;

void check(const std::string& text, sockkit::DurationRange range) {
  sockkit::Nanoseconds value{};
  try {
    value = sockkit::parse_duration("--t", text, range);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with(
        "invalid duration \"" + sockkit::escape_bytes(text) + "\" for --t: "));
    return;
  }
  FUZZ_CHECK(value >= range.min && value <= range.max);
  auto again = sockkit::parse_duration("--t", sockkit::duration_text(value), {0ns, range.max});
  FUZZ_CHECK(again - value <= 1ns && value - again <= 1ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  check(text, {0ns, 744h});
  check(text, {1ms, 24h});
  check(text, {100ms, 1h});
  return 0;
}
