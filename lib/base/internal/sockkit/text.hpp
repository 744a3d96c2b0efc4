// Small text helpers shared by the parsers; private to the library.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sockkit::detail {

// Digits only: no sign, no spaces, no hex; nullopt when empty, malformed or above
// `max`. The parsers use this so "+80", " 80" and "0x50" are all rejected.
inline std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// The value of one hex digit, either case; -1 for anything else.
inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

inline bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Calls `visit` with each comma-separated item of `text`, empty items included, so
// the caller decides what an empty entry means.
template <typename Visit>
void for_each_item(std::string_view text, Visit&& visit) {
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    visit(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (comma == std::string_view::npos) return;
    start = comma + 1;
  }
}

inline char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

}  // namespace sockkit::detail
