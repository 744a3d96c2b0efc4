#include "sockkit/duration.hpp"

#include <doctest/doctest.h>

#include "error_text.hpp"

namespace {

using namespace std::chrono_literals;
using sockkit::parse_duration;
using sockkit::test::input_error_of;

constexpr sockkit::DurationRange kPositive{1ms, 24h};
constexpr sockkit::DurationRange kZeroOk{0ms, 24h};

}  // namespace

TEST_CASE("duration: bare numbers are seconds, decimals included") {
  CHECK(parse_duration("--interval", "2", kPositive) == 2s);
  CHECK(parse_duration("--interval", "0.25", kPositive) == 250ms);
  CHECK(parse_duration("--interval", "0.001", kPositive) == 1ms);
  CHECK(parse_duration("--interval", "1e-3", kPositive) == 1ms);
  CHECK(parse_duration("--idle-timeout", "0", kZeroOk) == 0s);
}

TEST_CASE("duration: units ms, s, m and h") {
  CHECK(parse_duration("--wait", "500ms", kPositive) == 500ms);
  CHECK(parse_duration("--wait", "1.5s", kPositive) == 1500ms);
  CHECK(parse_duration("--wait", "2m", kPositive) == 2min);
  CHECK(parse_duration("--wait", "1h", kPositive) == 1h);
  CHECK(parse_duration("--wait", "0.5ms", kZeroOk) == 500us);
}

TEST_CASE("duration: text that is no time is refused naming the option") {
  const std::string forms = "expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)";
  for (const char* text : {"", "x", "5x", "1 s", " 1", "s", "1sec", "inf", "nan", "0x10", "1,5"}) {
    CAPTURE(text);
    CHECK(input_error_of([&] { (void)parse_duration("--wait", text, kPositive); }) ==
          fmt::format("invalid duration \"{}\" for --wait: {}", text, forms));
  }
}

TEST_CASE("duration: the refused text is escaped, so the error stays one whole line") {
  using namespace std::string_literals;
  const std::string forms = "expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)";
  CHECK(input_error_of([] { (void)parse_duration("--wait", "1\0s"s, kPositive); }) ==
        "invalid duration \"1\\x00s\" for --wait: " + forms);
  CHECK(input_error_of([] { (void)parse_duration("--wait", "2\ns", kPositive); }) ==
        "invalid duration \"2\\ns\" for --wait: " + forms);
}

TEST_CASE("duration: values outside the range name both ends") {
  CHECK(input_error_of([] { (void)parse_duration("--interval", "0", kPositive); }) ==
        "invalid duration \"0\" for --interval: expected 1ms to 24h");
  CHECK(input_error_of([] { (void)parse_duration("--interval", "-1", kZeroOk); }) ==
        "invalid duration \"-1\" for --interval: expected 0 to 24h");
  CHECK(input_error_of([] { (void)parse_duration("--timeout", "25h", kPositive); }) ==
        "invalid duration \"25h\" for --timeout: expected 1ms to 24h");
  CHECK(input_error_of([] {
          (void)parse_duration("--watch", "0.05", {100ms, 24h});
        }) == "invalid duration \"0.05\" for --watch: expected 100ms to 24h");
  CHECK(input_error_of([] { (void)parse_duration("--x", "1e400", kPositive); }) ==
        "invalid duration \"1e400\" for --x: expected seconds (2, 0.5) or a number with ms, s, "
        "m or h (500ms, 2m)");
}

TEST_CASE("duration: the range's ends themselves are allowed") {
  CHECK(parse_duration("--timeout", "24h", kPositive) == 24h);
  CHECK(parse_duration("--timeout", "86400", kPositive) == 24h);
  CHECK(parse_duration("--timeout", "1ms", kPositive) == 1ms);
}

TEST_CASE("duration: printed in the shortest form that reads back") {
  CHECK(sockkit::duration_text(0s) == "0");
  CHECK(sockkit::duration_text(1ms) == "1ms");
  CHECK(sockkit::duration_text(250ms) == "250ms");
  CHECK(sockkit::duration_text(1500ms) == "1.5s");
  CHECK(sockkit::duration_text(2min) == "2m");
  CHECK(sockkit::duration_text(3600s) == "1h");
  CHECK(sockkit::duration_text(std::chrono::hours(744)) == "744h");
}
