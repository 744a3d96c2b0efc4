// The checks behind the options several commands share, free of CLI11 so that a tool's
// option parser can include it cheaply: -4/-6, --netns, --source and the time options
// each mean one thing, refused with one message, on every command.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sockkit/address.hpp"
#include "sockkit/duration.hpp"

namespace sockkit::cli {

// -4/-6 as CLI11 set them; both at once is a usage error.
[[nodiscard]] IpVersion ip_version_of(bool ipv4, bool ipv6);

// The --netns value, checked as NAME, PATH or pid:PID by parse_netns_spec ("" when not
// given). Whether the namespace exists, and whether we may enter it, enter_netns says.
[[nodiscard]] std::string checked_netns(const std::string& spec);

// --source ADDR[:PORT] of the commands that connect: the local address to bind.
[[nodiscard]] std::optional<SockAddress> source_address_of(const std::string& text);

// A time option read into the resolution the command works in: Millis for a timer,
// nanoseconds for a clock. Throws parse_duration's InputError.
template <typename Duration>
[[nodiscard]] Duration duration_option(std::string_view option, std::string_view text,
                                       DurationRange range) {
  return std::chrono::round<Duration>(parse_duration(option, text, range));
}

// True when argv holds --check before any "--": the command then runs in Nagios mode,
// where even an option CLI11 refuses gives the UNKNOWN status line.
[[nodiscard]] bool asks_for_check(int argc, char** argv);

}  // namespace sockkit::cli
