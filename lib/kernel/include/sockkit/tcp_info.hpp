// TCP_INFO of one of our own sockets: the kernel's view of its state, its smoothed
// round-trip time and how many segments (SYNs included) it had to send again.
#pragma once

#include <cstdint>
#include <optional>

#include "sockkit/export.hpp"
#include "sockkit/tcp_state.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct TcpInfoSample {
  TcpState state = TcpState::close;
  std::uint32_t rtt_us = 0;  // smoothed RTT; after a handshake, the SYN to SYN-ACK time
  std::uint32_t rttvar_us = 0;
  std::uint32_t total_retrans = 0;  // every retransmission over the socket's life
  std::uint32_t backoff = 0;        // retransmissions of the segment outstanding now
  std::uint32_t unacked = 0;        // segments sent and not yet acknowledged
};

// getsockopt(TCP_INFO); nullopt for a socket that is not TCP.
[[nodiscard]] std::optional<TcpInfoSample> read_tcp_info(int fd) noexcept;

}  // namespace sockkit

SOCKKIT_API_END
