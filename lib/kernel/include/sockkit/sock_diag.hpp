// Reading sockets from the kernel over NETLINK_SOCK_DIAG: the records, a pure parser
// over the bytes of a dump (so tests and fuzzers can feed it recorded dumps), and
// the dump itself on a plain netlink socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/tcp_state.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class Transport : std::uint8_t { tcp, udp };
// "tcp" or "udp": the one spelling of a transport in output, JSON and file names.
[[nodiscard]] constexpr std::string_view transport_name(Transport transport) noexcept {
  return transport == Transport::tcp ? "tcp" : "udp";
}

// One socket as the kernel reports it. Attribute payloads point into the receive
// buffer and are valid only during the visit: nothing is copied or allocated.
struct SocketRecord {
  Transport transport = Transport::tcp;
  std::uint8_t family = 0;  // AF_INET or AF_INET6
  std::uint8_t state = 0;   // kernel state number (TcpState for TCP)
  std::uint8_t timer = 0;   // 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe
  std::uint8_t retrans = 0;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::array<std::uint8_t, 16> local_addr{};   // first 4 bytes for IPv4
  std::array<std::uint8_t, 16> remote_addr{};  // first 4 bytes for IPv4
  std::uint32_t interface = 0;
  std::uint32_t expires_ms = 0;
  std::uint32_t rqueue = 0;  // bytes to read; for LISTEN: the accept queue length
  std::uint32_t wqueue = 0;  // bytes unacknowledged; for LISTEN: the backlog
  std::uint32_t uid = 0;
  std::uint32_t inode = 0;
  std::uint64_t cookie = 0;
  std::span<const std::byte> tcp_info;   // INET_DIAG_INFO, when asked for and sent
  std::span<const std::byte> skmeminfo;  // INET_DIAG_SKMEMINFO: SK_MEMINFO_* u32 values

  [[nodiscard]] IpAddress local_ip() const;
  [[nodiscard]] IpAddress remote_ip() const;
};

// What one netlink buffer told us about the dump it belongs to.
struct DumpProgress {
  bool done = false;         // NLMSG_DONE seen: the dump is complete
  bool interrupted = false;  // NLM_F_DUMP_INTR: the tables changed during the dump
};

// Parses one inet_diag_msg payload (after the nlmsghdr) with its attributes. Returns
// false when the payload is too short or an attribute is malformed.
[[nodiscard]] bool parse_inet_diag_msg(std::span<const std::byte> payload, Transport transport,
                                       SocketRecord& out);

// Walks the netlink messages in `buffer` (one recvmsg's worth), calling `visit` for
// each socket. Throws std::system_error for an NLMSG_ERROR from the kernel and
// std::runtime_error for malformed messages.
DumpProgress parse_diag_buffer(std::span<const std::byte> buffer, Transport transport,
                               const std::function<void(const SocketRecord&)>& visit);

// What to ask the kernel for. The kernel filters by state (the mask) and by the
// compiled bytecode, so only matching sockets cross into user space.
struct DiagRequest {
  Transport transport = Transport::tcp;
  // AF_INET or AF_INET6: one dump each. AF_UNSPEC (TCP only): both in one dump, through
  // the kernel's older TCPDIAG_GETSOCK request, which walks the host-wide hash tables
  // once instead of once per family.
  int family = AF_INET;
  std::uint32_t states = 0xffffffffU;   // bit N set = kernel state N wanted
  std::uint8_t extensions = 0;          // 1 << (INET_DIAG_INFO - 1) and friends
  std::span<const std::byte> bytecode;  // INET_DIAG_REQ_BYTECODE, empty for none
};

// A NETLINK_SOCK_DIAG socket. Opening it needs no privilege; the kernel decides
// what each caller may see (other users' sockets are visible, some attributes are not).
class SockDiag {
 public:
  SockDiag();
  ~SockDiag();
  SockDiag(const SockDiag&) = delete;
  SockDiag& operator=(const SockDiag&) = delete;

  // One dump: calls `visit` for each matching socket. Returns false when the pass
  // was incomplete (the kernel flagged NLM_F_DUMP_INTR because the tables changed,
  // or dropped part of it), so the caller can discard what it counted and retry.
  // Throws PermissionError when the kernel refuses, std::system_error otherwise.
  [[nodiscard]] bool dump(const DiagRequest& request,
                          const std::function<void(const SocketRecord&)>& visit);

 private:
  void send_request(const DiagRequest& request);
  DumpProgress receive_all(const DiagRequest& request,
                           const std::function<void(const SocketRecord&)>& visit);

  Fd socket_;
  std::uint32_t sequence_ = 0;
  std::vector<std::byte> buffer_;
};

}  // namespace sockkit

namespace sockkit {

// The TCP_INFO fields an operator reads first, in readable units.
struct TcpInfoSummary {
  double rtt_ms = 0;
  double rttvar_ms = 0;
  std::uint32_t cwnd = 0;
  std::uint32_t retrans_total = 0;
  std::uint64_t bytes_acked = 0;
  std::uint64_t bytes_received = 0;
};

// From an INET_DIAG_INFO payload; older kernels send a shorter struct, whose
// missing fields stay 0. nullopt when the payload is empty.
[[nodiscard]] std::optional<TcpInfoSummary> summarize_tcp_info(std::span<const std::byte> info);

// "retransmit", "keepalive", "timewait", "zero-window" or "none" for the timer byte.
[[nodiscard]] std::string_view timer_name(std::uint8_t timer);

}  // namespace sockkit

SOCKKIT_API_END
