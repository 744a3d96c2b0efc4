// sk-ping's --warn and --crit levels (tools/sk-ping/options.cpp, linked as is):
// parse_threshold.
//   A refusal is an InputError naming the option. A level has a round trip in ms that is
//   finite and not negative, and a loss (0 to 100 percent) exactly when the text has a
//   comma.
#include <cmath>
#include <string>

#include "fuzz.hpp"
#include "options.hpp"
#include "sockkit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  sk_ping::Threshold level;
  try {
    level = sk_ping::parse_threshold("--warn", text);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid --warn \""));
    return 0;
  }
  FUZZ_CHECK(level.rtt_ms && std::isfinite(*level.rtt_ms) && *level.rtt_ms >= 0);
  FUZZ_CHECK(level.loss_pct.has_value() == (text.find(',') != std::string::npos));
  if (level.loss_pct) FUZZ_CHECK(*level.loss_pct >= 0 && *level.loss_pct <= 100);
  return 0;
}
