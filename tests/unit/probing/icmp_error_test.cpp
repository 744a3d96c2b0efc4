#include "sockkit/icmp_error.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "sockkit/fd.hpp"

using sockkit::IcmpError;

TEST_CASE("icmp error: type and code in words") {
  CHECK(sockkit::describe_icmp({.type = 3, .code = 13}) ==
        "administratively prohibited (ICMP type 3 code 13)");
  CHECK(sockkit::describe_icmp({.type = 1, .code = 0, .v6 = true}) ==
        "no route to destination (ICMPv6 type 1 code 0)");
  CHECK(sockkit::icmp_text({.type = 1, .code = 1, .v6 = true}) == "administratively prohibited");
  CHECK(sockkit::icmp_text({.type = 3, .code = 1}) == "host unreachable");
  CHECK(sockkit::icmp_text({.type = 11, .code = 0}) == "time to live exceeded");
  CHECK(sockkit::icmp_text({.type = 3, .code = 99}) == "destination unreachable");
  CHECK(sockkit::is_port_unreachable({.type = 3, .code = 3}));
  CHECK(sockkit::is_port_unreachable({.type = 1, .code = 4, .v6 = true}));
  CHECK_FALSE(sockkit::is_port_unreachable({.type = 3, .code = 13}));
}

TEST_CASE("icmp error: a UDP datagram to a closed loopback port comes back with its payload") {
  // A port nobody listens on: bind one, note it, close it.
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  {
    auto probe = sockkit::make_socket(AF_INET, SOCK_DGRAM);
    REQUIRE(::bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  }
  auto fd = sockkit::make_socket(AF_INET, SOCK_DGRAM);
  REQUIRE(sockkit::enable_icmp_errors(fd.get(), AF_INET));
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK_FALSE(sockkit::read_icmp_error(fd.get()));  // nothing queued yet
  REQUIRE(::send(fd.get(), "SKPGhello", 9, 0) == 9);
  std::array<std::byte, 16> payload{};
  std::optional<IcmpError> icmp;
  for (int i = 0; i < 200 && !icmp; ++i) {
    icmp = sockkit::read_icmp_error(fd.get(), payload);
    if (!icmp) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(icmp);
  CHECK(sockkit::is_port_unreachable(*icmp));
  CHECK(icmp->error == ECONNREFUSED);
  CHECK(icmp->payload_size == 9);
  CHECK(payload[0] == std::byte{'S'});
}
