#include "sockkit/icmp_error.hpp"

#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace sockkit {

bool enable_icmp_errors(int fd, int family) noexcept {
  int on = 1;
  if (family == AF_INET6) {
    // An IPv6 socket may carry IPv4 traffic (v4-mapped peers): both levels are set.
    bool ok = ::setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on) == 0;
    (void)::setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on);
    return ok;
  }
  return ::setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on) == 0;
}

std::optional<IcmpError> read_icmp_error(int fd, std::span<std::byte> payload) noexcept {
  std::array<char, 512> control{};
  std::array<std::byte, 1> spare{};
  auto data = payload.empty() ? std::span<std::byte>(spare) : payload;
  iovec iov{data.data(), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n = ::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  if (n < 0) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
    bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
    if (!v4 && !v6) continue;
    sock_extended_err ee{};
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6) continue;
    IcmpError out;
    out.v6 = ee.ee_origin == SO_EE_ORIGIN_ICMP6;
    out.type = ee.ee_type;
    out.code = ee.ee_code;
    out.error = static_cast<int>(ee.ee_errno);
    out.payload_size = payload.empty() ? 0 : static_cast<std::size_t>(n);
    return out;
  }
  return std::nullopt;
}

namespace {

std::string_view icmp4_text(int type, int code) {
  if (type == ICMP_TIME_EXCEEDED) return "time to live exceeded";
  if (type != ICMP_DEST_UNREACH) return "ICMP error";
  switch (code) {
    case ICMP_NET_UNREACH: return "network unreachable";
    case ICMP_HOST_UNREACH: return "host unreachable";
    case ICMP_PROT_UNREACH: return "protocol unreachable";
    case ICMP_PORT_UNREACH: return "port unreachable";
    case ICMP_FRAG_NEEDED: return "fragmentation needed";
    case ICMP_NET_ANO:
    case ICMP_HOST_ANO:
    case ICMP_PKT_FILTERED: return "administratively prohibited";
    default: return "destination unreachable";
  }
}

std::string_view icmp6_text(int type, int code) {
  if (type == ICMP6_TIME_EXCEEDED) return "hop limit exceeded";
  if (type == ICMP6_PACKET_TOO_BIG) return "packet too big";
  if (type != ICMP6_DST_UNREACH) return "ICMPv6 error";
  switch (code) {
    case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
    case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
    case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
    case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
    case 5: return "source address failed policy";
    case 6: return "reject route to destination";
    default: return "destination unreachable";
  }
}

}  // namespace

std::string_view icmp_text(const IcmpError& icmp) {
  return icmp.v6 ? icmp6_text(icmp.type, icmp.code) : icmp4_text(icmp.type, icmp.code);
}

std::string describe_icmp(const IcmpError& icmp) {
  return fmt::format("{} (ICMP{} type {} code {})", icmp_text(icmp), icmp.v6 ? "v6" : "", icmp.type,
                     icmp.code);
}

bool is_port_unreachable(const IcmpError& icmp) noexcept {
  return icmp.v6 ? icmp.type == ICMP6_DST_UNREACH && icmp.code == ICMP6_DST_UNREACH_NOPORT
                 : icmp.type == ICMP_DEST_UNREACH && icmp.code == ICMP_PORT_UNREACH;
}

}  // namespace sockkit
