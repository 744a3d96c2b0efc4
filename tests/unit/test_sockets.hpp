// Test support: real sockets on loopback addresses. Every step is REQUIREd, so a test
// whose sockets cannot be built stops at the step that failed instead of checking a
// dump that lacks them.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "ip_literal.hpp"
#include "sockkit/address.hpp"
#include "sockkit/fd.hpp"

namespace sockkit::test {

// A socket of `type` bound to address:port (port 0: the kernel picks one). SO_REUSEADDR
// lets a test bind a fixed port again while an earlier test's connection on it is still
// in TIME_WAIT. An IPv6 socket is IPv6-only unless `v6only` is false, whatever
// net.ipv6.bindv6only says, so a test sees exactly the family it asked for.
inline Fd bound(std::string_view address, std::uint16_t port, int type, bool v6only = true) {
  auto addr = ip(address);
  auto fd = make_socket(addr.family(), type);
  int one = 1;
  REQUIRE(::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
  if (addr.family() == AF_INET6) {
    int only = v6only ? 1 : 0;
    REQUIRE(::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only) == 0);
  }
  SockAddress where(addr, port);
  REQUIRE_MESSAGE(::bind(fd.get(), where.get(), where.size()) == 0, "bind ", std::string(address),
                  " ", port);
  return fd;
}

// What a listener needs beyond its address, for the tests that care: the backlog shows
// in a dump as the listener's send queue, and a dual-stack listener (v6only false on
// "::") takes IPv4 peers, which then appear as ::ffff:a.b.c.d.
struct ListenOptions {
  int backlog = 16;
  bool v6only = true;
};

// A TCP listener on address:port (port 0: the kernel picks; see local_port_of).
inline Fd tcp_listener(std::string_view address, std::uint16_t port = 0,
                       ListenOptions options = {}) {
  auto fd = bound(address, port, SOCK_STREAM, options.v6only);
  REQUIRE(::listen(fd.get(), options.backlog) == 0);
  return fd;
}

// Connects `fd` (TCP or UDP, bound or not) to address:port.
inline void connect_to(const Fd& fd, std::string_view address, std::uint16_t port) {
  SockAddress where(ip(address), port);
  REQUIRE_MESSAGE(::connect(fd.get(), where.get(), where.size()) == 0, "connect to ",
                  std::string(address), " ", port);
}

// A TCP client connected to address:port from an address the kernel picks. On loopback
// the handshake completes in connect(), so the peer's end is ready for tcp_accept.
inline Fd tcp_connect(std::string_view address, std::uint16_t port) {
  auto fd = make_socket(ip(address).family(), SOCK_STREAM);
  connect_to(fd, address, port);
  return fd;
}

// The server's end of the next connection queued on `listener`.
inline Fd tcp_accept(const Fd& listener) {
  int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(fd >= 0);
  return Fd(fd);
}

// The local port of a bound or connected socket, IPv4 or IPv6: how a test learns the
// port the kernel picked.
inline std::uint16_t local_port_of(const Fd& fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &len) == 0);
  return SockAddress(reinterpret_cast<sockaddr*>(&storage), len).port();
}

// The socket's inode: what dumps, /proc/net and /proc/<pid>/fd links name it by.
inline std::uint32_t inode_of(const Fd& fd) {
  struct stat st {};
  REQUIRE(::fstat(fd.get(), &st) == 0);
  return static_cast<std::uint32_t>(st.st_ino);
}

}  // namespace sockkit::test
