// Test support: checks on the text the knowledge base shows to users.
#pragma once

#include <string_view>

namespace sockkit::test {

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Printable ASCII only: no control character or non-ASCII byte that a terminal would
// show differently from what the test expects.
inline bool is_printable_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

}  // namespace sockkit::test
