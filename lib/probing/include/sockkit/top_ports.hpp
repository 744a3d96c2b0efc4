// Which ports to probe when the user names none: built-in lists of the TCP and UDP
// services most often found listening, most common first; and the service name of a
// port, from the system's services database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/ports.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Most common first; no duplicates; all in 1-65535.
[[nodiscard]] std::span<const std::uint16_t> top_tcp_ports() noexcept;
[[nodiscard]] std::span<const std::uint16_t> top_udp_ports() noexcept;

// The first `n` ports of the TCP (or UDP) list, as a set: sorted by number, so the
// ranking is lost; walk top_tcp_ports() for it. Throws InputError when n is 0 or
// longer than the list: "--top-ports 5000: the built-in list has 312 TCP ports".
[[nodiscard]] PortSet top_ports(std::size_t n, bool udp);

// "ssh" for 22/tcp, "domain" for 53/udp: the first name the services database
// (/etc/services, through NSS) gives the port; empty when it has none. The database is
// read once, on the first call, into a table that lives as long as the program, so
// the view stays valid and a call costs an array lookup. Thread-safe.
[[nodiscard]] std::string_view service_name(std::uint16_t port, bool udp);

}  // namespace sockkit

SOCKKIT_API_END
