#include "sockkit/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"

namespace sockkit {

namespace {

struct Unit {
  std::string_view suffix;
  double nanoseconds;
};

// "ms" before "m" and "s": the longest suffix that matches wins.
constexpr std::array<Unit, 5> kUnits{{
    {"ms", 1e6},
    {"s", 1e9},
    {"m", 60e9},
    {"h", 3600e9},
    {"", 1e9},
}};

double unit_scale(std::string_view suffix) {
  for (const auto& unit : kUnits) {
    if (unit.suffix == suffix) return unit.nanoseconds;
  }
  return 0;
}

}  // namespace

std::string duration_text(Nanoseconds duration) {
  auto ns = duration.count();
  if (ns == 0) return "0";
  for (auto [suffix, scale] : {Unit{"h", 3600e9}, Unit{"m", 60e9}}) {
    if (std::fmod(static_cast<double>(ns), scale) == 0) {
      return fmt::format("{}{}", static_cast<double>(ns) / scale, suffix);
    }
  }
  if (ns >= 1'000'000'000) return fmt::format("{}s", static_cast<double>(ns) / 1e9);
  return fmt::format("{}ms", static_cast<double>(ns) / 1e6);
}

Nanoseconds parse_duration(std::string_view option, std::string_view text, DurationRange range) {
  // The text as typed, control and non-ASCII bytes escaped: the error stays one line,
  // and a NUL does not cut it short.
  auto refuse = [&](std::string_view why) {
    return InputError(
        fmt::format("invalid duration \"{}\" for {}: {}", escape_bytes(text), option, why));
  };
  double value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [end, ec] = std::from_chars(first, last, value);
  double scale = unit_scale(std::string_view(end, static_cast<std::size_t>(last - end)));
  if (ec == std::errc::result_out_of_range) scale = 0;
  if (text.empty() || ec != std::errc() || scale == 0 || !std::isfinite(value)) {
    throw refuse("expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)");
  }
  double ns = value * scale;
  if (ns < static_cast<double>(range.min.count()) || ns > static_cast<double>(range.max.count())) {
    throw refuse(
        fmt::format("expected {} to {}", duration_text(range.min), duration_text(range.max)));
  }
  return Nanoseconds(std::llround(ns));
}

}  // namespace sockkit
