// One probe target as written on the command line: parse_target.
//   A target is either a host (valid, with an optional port 1-65535) or a CIDR block
//   (no port), keeps the text as written, and parses again the same way from the text
//   the tools would print for it.
#include <fmt/format.h>

#include "fuzz.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/probe_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  sockkit::TargetSpec spec;
  try {
    spec = sockkit::parse_target(text);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid target \""));
    return 0;
  }
  FUZZ_CHECK(spec.text == text);
  FUZZ_CHECK(spec.host.empty() == spec.block.has_value());
  std::string printed;
  if (spec.block) {
    FUZZ_CHECK(!spec.port);
    printed = spec.block->to_string();
  } else {
    FUZZ_CHECK(sockkit::is_valid_host(spec.host));
    FUZZ_CHECK(!spec.port || *spec.port != 0);
    printed = fmt::format("{}", sockkit::HostPort{spec.host, spec.port});
  }
  sockkit::TargetSpec again;
  try {
    again = sockkit::parse_target(printed);
  } catch (const sockkit::InputError&) {
    fuzz::fail("a printed target does not parse", __FILE__, __LINE__);
  }
  FUZZ_CHECK(again.host == spec.host && again.port == spec.port && again.block == spec.block);
  return 0;
}
