// Every option that takes a time reads it with parse_duration, so that `-i 0.5`,
// `--wait 500ms` and `--watch 2m` are accepted (and refused) alike by every command.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

using Nanoseconds = std::chrono::nanoseconds;

// The values an option allows, both ends included. A lower end of 0 lets 0 through
// (for "no limit" meanings); options that need a positive time say 1ms.
struct DurationRange {
  Nanoseconds min;
  Nanoseconds max;
};

// Reads a time: a number of seconds (`2`, `0.25`) or a number with a unit, `ms`, `s`,
// `m` or `h` (`500ms`, `1.5s`, `2m`, `1h`). Throws InputError naming the option:
// `invalid duration "5x" for --wait: expected ...`, for text that is no time and for a
// time outside `range` alike.
[[nodiscard]] Nanoseconds parse_duration(std::string_view option, std::string_view text,
                                         DurationRange range);

// The shortest spelling parse_duration reads back: "0", "250ms", "1.5s", "2m", "24h".
[[nodiscard]] std::string duration_text(Nanoseconds duration);

}  // namespace sockkit

SOCKKIT_API_END
