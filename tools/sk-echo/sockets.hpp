// The server's listening sockets: bound, non-blocking, and reporting the port the
// kernel picked when the user asked for port 0.
#pragma once

#include "sockkit/address.hpp"
#include "sockkit/fd.hpp"

namespace sk_echo {

enum class Proto { tcp, udp };

struct BoundSocket {
  sockkit::Fd fd;
  sockkit::SockAddress address;  // as bound, with the real port
  Proto proto = Proto::tcp;
};

// SO_REUSEPORT is set only when several threads share the port, so that a second
// sk-echo started on a port in use fails instead of silently splitting the traffic.
// Throws std::system_error naming the address and protocol.
[[nodiscard]] BoundSocket open_bound(const sockkit::SockAddress& address, Proto proto,
                                     bool reuse_port);

}  // namespace sk_echo
