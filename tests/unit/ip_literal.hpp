// Test support: IP addresses written as text in a test.
#pragma once

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "sockkit/address.hpp"

namespace sockkit::test {

// The address a test spelled out. A typo is the test's own bug, so the test stops there
// and names the text rather than going on with a default address.
inline IpAddress ip(std::string_view text) {
  auto parsed = IpAddress::parse(text);
  REQUIRE_MESSAGE(parsed.has_value(), "not an address: ", std::string(text));
  return *parsed;
}

}  // namespace sockkit::test
