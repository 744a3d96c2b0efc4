// The pure half of the sock_diag reader: bytes in, records out. Everything here
// checks lengths before reading, because the bytes may come from a fuzzer.
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>

#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/sock_diag.hpp"

namespace sockkit {

IpAddress SocketRecord::local_ip() const {
  if (family == AF_INET)
    return IpAddress::v4(std::span<const std::uint8_t, 4>(local_addr.data(), 4));
  return IpAddress::v6(local_addr);
}

IpAddress SocketRecord::remote_ip() const {
  if (family == AF_INET)
    return IpAddress::v4(std::span<const std::uint8_t, 4>(remote_addr.data(), 4));
  return IpAddress::v6(remote_addr);
}

namespace {

template <typename T>
T load(const std::byte* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

void copy_sockid(const inet_diag_msg& msg, SocketRecord& out) {
  out.family = msg.idiag_family;
  out.state = msg.idiag_state;
  out.timer = msg.idiag_timer;
  out.retrans = msg.idiag_retrans;
  out.local_port = ntohs(msg.id.idiag_sport);
  out.remote_port = ntohs(msg.id.idiag_dport);
  std::memcpy(out.local_addr.data(), msg.id.idiag_src, 16);
  std::memcpy(out.remote_addr.data(), msg.id.idiag_dst, 16);
  out.interface = msg.id.idiag_if;
  std::uint64_t cookie = 0;
  std::memcpy(&cookie, msg.id.idiag_cookie, sizeof cookie);
  out.cookie = cookie;
  out.expires_ms = msg.idiag_expires;
  out.rqueue = msg.idiag_rqueue;
  out.wqueue = msg.idiag_wqueue;
  out.uid = msg.idiag_uid;
  out.inode = msg.idiag_inode;
}

bool parse_attributes(std::span<const std::byte> attrs, SocketRecord& out) {
  while (attrs.size() >= sizeof(rtattr)) {
    auto attr = load<rtattr>(attrs.data());
    if (attr.rta_len < sizeof(rtattr) || attr.rta_len > attrs.size()) return false;
    auto payload = attrs.subspan(RTA_LENGTH(0), attr.rta_len - RTA_LENGTH(0));
    if (attr.rta_type == INET_DIAG_INFO) out.tcp_info = payload;
    if (attr.rta_type == INET_DIAG_SKMEMINFO) out.skmeminfo = payload;
    auto step = std::min<std::size_t>(RTA_ALIGN(attr.rta_len), attrs.size());
    attrs = attrs.subspan(step);
  }
  return true;
}

}  // namespace

bool parse_inet_diag_msg(std::span<const std::byte> payload, Transport transport,
                         SocketRecord& out) {
  if (payload.size() < sizeof(inet_diag_msg)) return false;
  auto msg = load<inet_diag_msg>(payload.data());
  if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) return false;
  out = SocketRecord{};
  out.transport = transport;
  copy_sockid(msg, out);
  auto attrs_at = std::min<std::size_t>(NLMSG_ALIGN(sizeof(inet_diag_msg)), payload.size());
  return parse_attributes(payload.subspan(attrs_at), out);
}

DumpProgress parse_diag_buffer(std::span<const std::byte> buffer, Transport transport,
                               const std::function<void(const SocketRecord&)>& visit) {
  SocketRecord record;
  DumpProgress progress;
  while (buffer.size() >= sizeof(nlmsghdr)) {
    auto header = load<nlmsghdr>(buffer.data());
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > buffer.size()) {
      throw std::runtime_error(fmt::format("malformed netlink message (length {} of {} bytes)",
                                           header.nlmsg_len, buffer.size()));
    }
    if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0) progress.interrupted = true;
    auto payload = buffer.subspan(NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
    if (header.nlmsg_type == NLMSG_DONE) {
      progress.done = true;
      return progress;
    }
    if (header.nlmsg_type == NLMSG_ERROR) {
      // The kernel sends -errno (0 for an acknowledgement); anything else is malformed,
      // and negating INT_MIN would overflow.
      int code = payload.size() >= sizeof(int) ? load<int>(payload.data()) : -EPROTO;
      int err = code <= 0 && code > -4096 ? -code : EPROTO;
      if (err != 0) throw std::system_error(err, std::system_category(), "sock_diag dump failed");
    } else if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY || header.nlmsg_type == TCPDIAG_GETSOCK) {
      if (!parse_inet_diag_msg(payload, transport, record)) {
        throw std::runtime_error("malformed sock_diag record");
      }
      visit(record);
    }
    buffer = buffer.subspan(std::min<std::size_t>(NLMSG_ALIGN(header.nlmsg_len), buffer.size()));
  }
  if (!buffer.empty()) {
    throw std::runtime_error(
        fmt::format("malformed netlink message ({} trailing bytes)", buffer.size()));
  }
  return progress;
}

std::optional<TcpInfoSummary> summarize_tcp_info(std::span<const std::byte> info) {
  if (info.empty()) return std::nullopt;
  tcp_info raw{};
  std::memcpy(&raw, info.data(), std::min(info.size(), sizeof raw));
  TcpInfoSummary out;
  out.rtt_ms = raw.tcpi_rtt / 1000.0;
  out.rttvar_ms = raw.tcpi_rttvar / 1000.0;
  out.cwnd = raw.tcpi_snd_cwnd;
  out.retrans_total = raw.tcpi_total_retrans;
  out.bytes_acked = raw.tcpi_bytes_acked;
  out.bytes_received = raw.tcpi_bytes_received;
  return out;
}

std::string_view timer_name(std::uint8_t timer) {
  switch (timer) {
    case 1: return "retransmit";
    case 2: return "keepalive";
    case 3: return "timewait";
    case 4: return "zero-window";
    default: return "none";
  }
}

}  // namespace sockkit
