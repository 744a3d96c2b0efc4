// Port numbers and port sets: parse_port and PortSet::parse.
//   A port is 1-65535 (0 too when allowed). A set's ranges are sorted, each first <= last,
//   neither overlapping nor adjacent; count() is their sum and what for_each visits;
//   contains() holds at each range's ends and not just outside them; the set prints to
//   text that parses back to the same ranges.
#include <algorithm>

#include "fuzz.hpp"
#include "sockkit/error.hpp"
#include "sockkit/ports.hpp"

namespace {

void check_port(std::string_view text, bool allow_zero) {
  std::uint16_t port = 0;
  try {
    port = sockkit::parse_port(text, allow_zero);
  } catch (const sockkit::InputError&) {
    return;
  }
  FUZZ_CHECK(allow_zero || port != 0);
  FUZZ_CHECK(!text.empty() &&
             std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

bool same_ranges(const sockkit::PortSet& a, const sockkit::PortSet& b) {
  return std::equal(a.ranges().begin(), a.ranges().end(), b.ranges().begin(), b.ranges().end());
}

void check_set(std::string_view text) {
  sockkit::PortSet set;
  try {
    set = sockkit::PortSet::parse(text);
  } catch (const sockkit::InputError&) {
    return;
  }
  FUZZ_CHECK(!set.empty());
  std::size_t total = 0;
  const sockkit::PortRange* previous = nullptr;
  for (const auto& range : set.ranges()) {
    FUZZ_CHECK(range.first >= 1 && range.first <= range.last);
    if (previous != nullptr) FUZZ_CHECK(std::size_t{previous->last} + 1 < range.first);
    FUZZ_CHECK(set.contains(range.first) && set.contains(range.last));
    if (range.first > 1) FUZZ_CHECK(!set.contains(static_cast<std::uint16_t>(range.first - 1)));
    if (range.last < 65535) FUZZ_CHECK(!set.contains(static_cast<std::uint16_t>(range.last + 1)));
    total += range.count();
    previous = &range;
  }
  FUZZ_CHECK(!set.contains(0));
  FUZZ_CHECK(set.count() == total && total <= 65535);
  std::size_t visited = 0;
  set.for_each([&](std::uint16_t) { ++visited; });
  FUZZ_CHECK(visited == total);
  sockkit::PortSet again;
  try {
    again = sockkit::PortSet::parse(set.to_string());
  } catch (const sockkit::InputError&) {
    fuzz::fail("a printed port set does not parse", __FILE__, __LINE__);
  }
  FUZZ_CHECK(same_ranges(again, set));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  check_port(text, false);
  check_port(text, true);
  check_set(text);
  return 0;
}
