// The net.* sysctl files the diagnosis rules read: parse_sysctl_int, parse_port_range
// (ip_local_port_range) and parse_tcp_mem.
//   Errors are std::runtime_error. A port range is 1-65535, the lower first; each value
//   written back the way the kernel prints it parses to itself.
#include <fmt/format.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "fuzz.hpp"
#include "sockkit/kernel_counters.hpp"

namespace {

// parse(text), or nullopt when it refuses the text the documented way.
template <typename Parse>
auto attempt(Parse parse, std::string_view text) -> std::optional<decltype(parse(text))> {
  try {
    return parse(text);
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  if (auto value = attempt(sockkit::parse_sysctl_int, text)) {
    auto again = attempt(sockkit::parse_sysctl_int, fmt::format("{}\n", *value));
    FUZZ_CHECK(again == value);
  }
  if (auto range = attempt(sockkit::parse_port_range, text)) {
    FUZZ_CHECK(range->first >= 1 && range->first <= range->last);
    auto again =
        attempt(sockkit::parse_port_range, fmt::format("{}\t{}\n", range->first, range->last));
    FUZZ_CHECK(again == range);
  }
  if (auto pages = attempt(sockkit::parse_tcp_mem, text)) {
    auto& p = *pages;
    auto again = attempt(sockkit::parse_tcp_mem, fmt::format("{}\t{}\t{}\n", p[0], p[1], p[2]));
    FUZZ_CHECK(again == pages);
  }
  return 0;
}
