// What sk-ping reads from the kernel goes through the library's readers: the SYN retry
// sysctl under the /proc root the tests replay, and the TIME_WAIT left by --close
// through the socket reader's request and filter.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>

#include <doctest/doctest.h>

#include "env_guard.hpp"
#include "ip_literal.hpp"
#include "sk-ping/attempt.hpp"
#include "sk-ping/time_wait.hpp"
#include "test_files.hpp"
#include "test_sockets.hpp"

using sockkit::test::EnvGuard;
using sockkit::test::TempDir;

TEST_CASE("sk-ping: tcp_syn_linear_timeouts is read under SOCKKIT_PROC_ROOT") {
  TempDir proc("ping");
  EnvGuard env("SOCKKIT_PROC_ROOT", proc.path().c_str());
  // No file: a kernel before 6.5.
  CHECK(sk_ping::read_syn_linear_timeouts() == 0);
  proc.write("sys/net/ipv4/tcp_syn_linear_timeouts", "4\n");
  CHECK(sk_ping::read_syn_linear_timeouts() == 4);
  proc.write("sys/net/ipv4/tcp_syn_linear_timeouts", "many\n");
  CHECK(sk_ping::read_syn_linear_timeouts() == 0);
  proc.write("sys/net/ipv4/tcp_syn_linear_timeouts", "-1\n");
  CHECK(sk_ping::read_syn_linear_timeouts() == 0);
}

TEST_CASE("sk-ping: the TIME_WAIT request names one connection") {
  sockkit::SockAddress local(sockkit::test::ip("127.0.0.2"), 40000);
  sockkit::SockAddress peer(sockkit::test::ip("127.0.0.1"), 80);
  auto request = sk_ping::time_wait_request(local, peer);
  CHECK(request.tcp);
  CHECK_FALSE(request.udp);
  CHECK(request.version == sockkit::IpVersion::v4);
  CHECK(request.tcp_states == sockkit::state_bit(sockkit::TcpState::time_wait));
  CHECK(request.source == sockkit::SourceKind::netlink);

  sockkit::SocketRecord record;
  record.family = AF_INET;
  record.transport = sockkit::Transport::tcp;
  record.state = static_cast<std::uint8_t>(sockkit::TcpState::time_wait);
  auto set = [](std::array<std::uint8_t, 16>& bytes, const char* text) {
    auto address = sockkit::test::ip(text);
    bytes = {};
    std::copy_n(address.bytes().data(), 4, bytes.begin());
  };
  set(record.local_addr, "127.0.0.2");
  set(record.remote_addr, "127.0.0.1");
  record.local_port = 40000;
  record.remote_port = 80;
  CHECK(request.filter.matches(record));
  record.local_port = 40001;
  CHECK_FALSE(request.filter.matches(record));
  record.local_port = 40000;
  set(record.local_addr, "127.0.0.3");
  CHECK_FALSE(request.filter.matches(record));

  sockkit::SockAddress local6(sockkit::test::ip("::1"), 40000);
  sockkit::SockAddress peer6(sockkit::test::ip("::1"), 80);
  CHECK(sk_ping::time_wait_request(local6, peer6).version == sockkit::IpVersion::v6);
}

TEST_CASE("sk-ping: the TIME_WAIT of a connection we closed first is found") {
  auto listener = sockkit::test::tcp_listener("127.0.0.1");
  auto port = sockkit::test::local_port_of(listener);
  std::optional<std::uint16_t> client_port;
  {
    auto client = sockkit::test::tcp_connect("127.0.0.1", port);
    auto server = sockkit::test::tcp_accept(listener);
    client_port = sockkit::test::local_port_of(client);
    // The client closes first, so its end waits out TIME_WAIT once the server closes too.
    client.reset();
    server.reset();
  }
  sockkit::SockAddress local(sockkit::test::ip("127.0.0.1"), *client_port);
  sockkit::SockAddress peer(sockkit::test::ip("127.0.0.1"), port);
  sk_ping::TimeWaitLookup lookup;
  // The last ACK crosses loopback at once; a few short waits cover a busy machine.
  auto left = lookup.seconds_left(local, peer);
  for (int i = 0; i < 50 && !left; ++i) {
    ::usleep(10'000);
    left = lookup.seconds_left(local, peer);
  }
  REQUIRE(left.has_value());
  CHECK(*left > 0);
  CHECK(*left <= 60);
  sockkit::SockAddress elsewhere(sockkit::test::ip("127.0.0.1"), port == 1 ? 2 : port - 1);
  CHECK_FALSE(lookup.seconds_left(local, elsewhere).has_value());
}
