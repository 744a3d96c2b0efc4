// sk-echo's time options and --on-eof delay go through the shared time parser.
#include <doctest/doctest.h>

#include "error_text.hpp"
#include "sk-echo/config.hpp"

namespace {

using namespace std::chrono_literals;
using sockkit::test::input_error_of;

}  // namespace

TEST_CASE("sk-echo options: times in every form the shared parser reads") {
  CHECK(sk_echo::parse_time("--timeout", "2", false) == 2s);
  CHECK(sk_echo::parse_time("--timeout", "250ms", false) == 250ms);
  CHECK(sk_echo::parse_time("--idle-timeout", "0", true) == 0ms);
  CHECK(sk_echo::parse_time("--duration", "1m", false) == 1min);
  CHECK(input_error_of([] { (void)sk_echo::parse_time("--duration", "0", false); }) ==
        "invalid duration \"0\" for --duration: expected 1ms to 24h");
}

TEST_CASE("sk-echo options: --on-eof delay:TIME") {
  auto action = sk_echo::parse_on_eof("delay:300ms");
  CHECK(action.mode == sk_echo::OnEof::delay);
  CHECK(action.delay == 300ms);
  CHECK(sk_echo::parse_on_eof("delay:1.5").delay == 1500ms);
  CHECK(input_error_of([] { (void)sk_echo::parse_on_eof("delay:0"); }) ==
        "invalid duration \"0\" for --on-eof delay: expected 1ms to 24h");
  CHECK(input_error_of([] { (void)sk_echo::parse_on_eof("maybe"); }) ==
        "invalid --on-eof \"maybe\": expected close, hold, rst or delay:TIME");
}
