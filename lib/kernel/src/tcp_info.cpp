#include "sockkit/tcp_info.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace sockkit {

std::optional<TcpInfoSample> read_tcp_info(int fd) noexcept {
  tcp_info raw{};
  socklen_t len = sizeof raw;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &raw, &len) != 0) return std::nullopt;
  TcpInfoSample out;
  if (raw.tcpi_state >= kMinTcpStateNumber && raw.tcpi_state <= kMaxTcpStateNumber) {
    out.state = static_cast<TcpState>(raw.tcpi_state);
  }
  out.rtt_us = raw.tcpi_rtt;
  out.rttvar_us = raw.tcpi_rttvar;
  out.total_retrans = raw.tcpi_total_retrans;
  out.backoff = raw.tcpi_retransmits;
  out.unacked = raw.tcpi_unacked;
  return out;
}

}  // namespace sockkit
