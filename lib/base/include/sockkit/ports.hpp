// Port numbers and port sets as users write them: "22", "22,80,8000-8100", "-" for
// all, "-1024" and "1024-" for open-ended ranges.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct PortRange {
  std::uint16_t first = 1;
  std::uint16_t last = 1;
  [[nodiscard]] std::size_t count() const noexcept { return std::size_t{last} - first + 1U; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

// One port, 1-65535 (0 too when `allow_zero`, for "pick a free port").
// Throws InputError: `port 70000 is out of range 1-65535`, `invalid port "ssh": ...`.
[[nodiscard]] std::uint16_t parse_port(std::string_view text, bool allow_zero = false);

class PortSet {
 public:
  PortSet() = default;
  // Throws InputError quoting the whole spec and naming the bad entry.
  [[nodiscard]] static PortSet parse(std::string_view spec);
  [[nodiscard]] static PortSet all();

  void add(PortRange range);
  // Sorted, overlapping and adjacent ranges merged.
  [[nodiscard]] std::span<const PortRange> ranges() const noexcept { return ranges_; }
  [[nodiscard]] std::size_t count() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return ranges_.empty(); }
  [[nodiscard]] bool contains(std::uint16_t port) const noexcept;
  // "22,80,8000-8100"
  [[nodiscard]] std::string to_string() const;

  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const auto& range : ranges_) {
      for (unsigned port = range.first; port <= range.last; ++port) {
        visit(static_cast<std::uint16_t>(port));
      }
    }
  }

 private:
  std::vector<PortRange> ranges_;
};

}  // namespace sockkit

template <>
struct fmt::formatter<sockkit::PortSet> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sockkit::PortSet& ports, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(ports.to_string(), ctx);
  }
};

SOCKKIT_API_END
