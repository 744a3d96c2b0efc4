// ICMP errors as a socket with IP_RECVERR / IPV6_RECVERR receives them on its error
// queue: the type and code say more than the errno they map to ("administratively
// prohibited" and "host unreachable" are both EHOSTUNREACH).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct IcmpError {
  int type = -1;
  int code = -1;
  bool v6 = false;
  int error = 0;  // the errno the kernel maps it to
  // Bytes of the packet that caused it, as copied into the buffer given to
  // read_icmp_error (for UDP: the start of our own datagram).
  std::size_t payload_size = 0;
};

// Turns on IP_RECVERR (and IPV6_RECVERR for an IPv6 socket) so ICMP errors are queued
// with their type and code. Returns false when the kernel refuses.
bool enable_icmp_errors(int fd, int family) noexcept;

// Takes one ICMP entry off the error queue without blocking; nullopt when the queue
// holds none. `payload` receives the start of the packet that caused it.
[[nodiscard]] std::optional<IcmpError> read_icmp_error(int fd,
                                                       std::span<std::byte> payload = {}) noexcept;

// "administratively prohibited", "port unreachable", "no route to destination"...
[[nodiscard]] std::string_view icmp_text(const IcmpError& icmp);
// "administratively prohibited (ICMP type 3 code 13)"
[[nodiscard]] std::string describe_icmp(const IcmpError& icmp);
// The one ICMP answer that proves nothing listens on a UDP port.
[[nodiscard]] bool is_port_unreachable(const IcmpError& icmp) noexcept;

}  // namespace sockkit

SOCKKIT_API_END
