// Test support: socket records built from text, for tests of code that only looks at
// records (filters, counting), so they need no real sockets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "ip_literal.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/tcp_state.hpp"

namespace sockkit::test {

// A record as a dump would report it. Both ends of a real socket are of one family, so
// a test that mixes them is stopped rather than left to build an impossible record.
inline SocketRecord record(Transport transport, std::string_view local, std::uint16_t lport,
                           std::string_view remote, std::uint16_t rport, TcpState state) {
  SocketRecord r;
  auto l = ip(local);
  auto rem = ip(remote);
  REQUIRE_MESSAGE(l.family() == rem.family(), "one family for both ends: ", std::string(local),
                  " and ", std::string(remote));
  r.transport = transport;
  r.family = static_cast<std::uint8_t>(l.family());
  r.state = static_cast<std::uint8_t>(state);
  r.local_port = lport;
  r.remote_port = rport;
  std::copy(l.bytes().begin(), l.bytes().end(), r.local_addr.begin());
  std::copy(rem.bytes().begin(), rem.bytes().end(), r.remote_addr.begin());
  return r;
}

// The common case: a TCP socket, established unless the test says otherwise.
inline SocketRecord tcp_record(std::string_view local, std::uint16_t lport, std::string_view remote,
                               std::uint16_t rport, TcpState state = TcpState::established) {
  return record(Transport::tcp, local, lport, remote, rport, state);
}

}  // namespace sockkit::test
