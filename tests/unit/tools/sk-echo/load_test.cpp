// sk-echo's load accounting: each event counted in one place, and the counts of a whole
// run adding up, against a refusing port and a small echo server on loopback.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <thread>

#include <doctest/doctest.h>

#include "load.hpp"
#include "test_sockets.hpp"

using sk_echo::LoadStats;
using sk_echo::Outcome;

TEST_CASE("sk-echo load: counting intact requests and failures by kind") {
  LoadStats s;
  s.count_intact(0.5);
  s.count_intact(1.5);
  s.count_failure(Outcome::refused, ECONNREFUSED);
  s.count_failure(Outcome::refused, ECONNREFUSED);
  s.count_failure(Outcome::timeout, 0);
  s.count_failure(Outcome::reset, ECONNRESET);
  CHECK(s.completed == 2);
  CHECK(s.latency.count() == 2);
  CHECK(s.latency.mean() == doctest::Approx(1.0));
  CHECK(s.failed == 4);
  CHECK(s.error_total() == s.failed);
  CHECK(s.errors[static_cast<std::size_t>(Outcome::refused)] == 2);
  CHECK(s.errors[static_cast<std::size_t>(Outcome::timeout)] == 1);
  CHECK(s.errors[static_cast<std::size_t>(Outcome::reset)] == 1);
  CHECK(s.errors[static_cast<std::size_t>(Outcome::intact)] == 0);
  CHECK(s.first_errno[static_cast<std::size_t>(Outcome::refused)] == ECONNREFUSED);
  CHECK(s.first_errno[static_cast<std::size_t>(Outcome::timeout)] == 0);
  SUBCASE("the first errno of a kind stays") {
    s.count_failure(Outcome::reset, EPIPE);
    CHECK(s.first_errno[static_cast<std::size_t>(Outcome::reset)] == ECONNRESET);
  }
}

TEST_CASE("sk-echo load: connections opened and handshakes timed") {
  LoadStats s;
  s.count_connect(0, 0.2);
  s.count_connect(ECONNRESET, 0.3);  // established, then aborted by the peer
  s.count_connect(EPIPE, 0.3);
  s.count_connect(ECONNREFUSED, 0.1);
  s.count_connect(ETIMEDOUT, 0.1);
  CHECK(s.opened == 3);
  CHECK(s.handshake.count() == 1);
  CHECK(s.handshake.min() == 0.2);
}

TEST_CASE("sk-echo load: requests behind an open loop's schedule") {
  using sk_echo::requests_behind;
  CHECK(requests_behind(1.0, 0, 0, 0) == 0);      // closed loop: never behind
  CHECK(requests_behind(1.0, 100, 0, 101) == 0);  // 101 due (0 s to 1 s), all started
  CHECK(requests_behind(1.0, 100, 0, 90) == 11);
  CHECK(requests_behind(1.0, 100, 50, 40) == 10);  // -n 50: no more than 50 are ever due
  CHECK(requests_behind(0.0, 100, 0, 0) == 1);     // the first is due at once
}

namespace {

sk_echo::ClientConfig load_config(unsigned connections, std::uint64_t requests) {
  sk_echo::ClientConfig config;
  config.payload = "0123456789abcdef";
  config.timeout = std::chrono::milliseconds(2000);
  config.load = sk_echo::LoadConfig{};
  config.load->connections = connections;
  config.load->requests = requests;
  return config;
}

// Echoes what one connection sends until it closes, each wait bounded.
void echo_one(const sockkit::Fd& listener) {
  pollfd p{listener.get(), POLLIN, 0};
  if (::poll(&p, 1, 3000) != 1) return;
  sockkit::Fd conn(::accept(listener.get(), nullptr, nullptr));
  if (!conn) return;
  timeval wait{3, 0};
  ::setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char buffer[4096];
  for (int rounds = 0; rounds < 10000; ++rounds) {
    auto n = ::recv(conn.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return;
    if (::send(conn.get(), buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) return;
  }
}

}  // namespace

TEST_CASE("sk-echo load: a run against an echo adds up: intact + failed = n") {
  auto listener = sockkit::test::tcp_listener("127.0.0.1");
  auto port = sockkit::test::local_port_of(listener);
  std::thread server([&] { echo_one(listener); });
  auto config = load_config(1, 50);
  auto stats =
      sk_echo::run_load(config, sockkit::SockAddress(sockkit::test::ip("127.0.0.1"), port));
  server.join();
  CHECK(stats.completed == 50);
  CHECK(stats.failed == 0);
  CHECK(stats.unfinished == 0);
  CHECK(stats.completed + stats.failed == 50);
  CHECK(stats.error_total() == 0);
  CHECK(stats.bytes == 50 * config.payload.size());
  CHECK(stats.latency.count() == 50);
  CHECK(stats.opened == 1);
  CHECK(stats.handshake.count() == 1);
}

TEST_CASE("sk-echo load: a run against a refusing port counts every failure as refused") {
  // Bound but not listening: each connect() is answered with a reset. One connection,
  // so that failures come one at a time and the count is exact.
  auto closed = sockkit::test::bound("127.0.0.1", 0, SOCK_STREAM);
  auto port = sockkit::test::local_port_of(closed);
  auto stats = sk_echo::run_load(load_config(1, 5),
                                 sockkit::SockAddress(sockkit::test::ip("127.0.0.1"), port));
  CHECK(stats.completed == 0);
  CHECK(stats.failed == 5);
  CHECK(stats.completed + stats.failed == 5);
  CHECK(stats.errors[static_cast<std::size_t>(Outcome::refused)] == 5);
  CHECK(stats.error_total() == 5);
  CHECK(stats.first_errno[static_cast<std::size_t>(Outcome::refused)] == ECONNREFUSED);
  CHECK(stats.opened == 0);
  CHECK(stats.latency.count() == 0);
}
