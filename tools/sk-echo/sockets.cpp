#include "sockets.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sk_echo {

namespace {

void set_flag(int fd, int level, int name, int value) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    sockkit::throw_errno("setsockopt failed");
  }
}

bool is_unspecified(const sockkit::IpAddress& ip) {
  auto bytes = ip.bytes();
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

BoundSocket open_bound(const sockkit::SockAddress& address, Proto proto, bool reuse_port) {
  const char* name = proto == Proto::tcp ? "tcp" : "udp";
  int type = (proto == Proto::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK;
  BoundSocket out{sockkit::make_socket(address.family(), type), address, proto};
  int fd = out.fd.get();
  // TIME_WAIT from a previous run must not block a restart on the same port.
  if (proto == Proto::tcp) set_flag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuse_port) set_flag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  if (address.family() == AF_INET6) {
    // [::] serves IPv4 too whatever net.ipv6.bindv6only says; other addresses are v6.
    set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, is_unspecified(address.ip()) ? 0 : 1);
  }
  if (::bind(fd, address.get(), address.size()) != 0) {
    sockkit::throw_errno(fmt::format("cannot listen on {} {}", address, name));
  }
  if (proto == Proto::tcp && ::listen(fd, SOMAXCONN) != 0) {
    sockkit::throw_errno(fmt::format("cannot listen on {} {}", address, name));
  }
  auto bound = sockkit::local_address(fd);
  if (!bound) sockkit::throw_errno("getsockname failed");
  out.address = *bound;
  return out;
}

}  // namespace sk_echo
