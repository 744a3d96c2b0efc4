#include "sockkit/tcp_info.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <doctest/doctest.h>

#include "sockkit/fd.hpp"

TEST_CASE("tcp info: a connected loopback socket reads ESTABLISHED then FIN_WAIT after shutdown") {
  auto listener = sockkit::make_socket(AF_INET, SOCK_STREAM);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener.get(), 4) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  auto client = sockkit::make_socket(AF_INET, SOCK_STREAM);
  REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  auto info = sockkit::read_tcp_info(client.get());
  REQUIRE(info);
  CHECK(info->state == sockkit::TcpState::established);
  CHECK(info->total_retrans == 0);
  CHECK(info->rtt_us > 0);
  REQUIRE(::shutdown(client.get(), SHUT_WR) == 0);
  info = sockkit::read_tcp_info(client.get());
  REQUIRE(info);
  // Nobody accepted, but the kernel acknowledges our FIN at once on loopback.
  CHECK(
      (info->state == sockkit::TcpState::fin_wait1 || info->state == sockkit::TcpState::fin_wait2));
}

TEST_CASE("tcp info: not a TCP socket") {
  auto udp = sockkit::make_socket(AF_INET, SOCK_DGRAM);
  CHECK_FALSE(sockkit::read_tcp_info(udp.get()));
  CHECK_FALSE(sockkit::read_tcp_info(-1));
}
