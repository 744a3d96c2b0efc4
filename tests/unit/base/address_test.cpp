#include "sockkit/address.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"
#include "ip_literal.hpp"

using sockkit::Cidr;
using sockkit::IpAddress;
using sockkit::SockAddress;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string cidr_error(std::string_view text) {
  return input_error_of([&] { (void)Cidr::parse(text); });
}

}  // namespace

TEST_CASE("address: IpAddress::parse accepts IPv4 and IPv6 literals") {
  auto v4 = ip("192.0.2.1");
  CHECK(v4.is_v4());
  CHECK(v4.family() == AF_INET);
  REQUIRE(v4.bytes().size() == 4);
  CHECK(v4.bytes()[0] == 192);
  CHECK(v4.bytes()[1] == 0);
  CHECK(v4.bytes()[2] == 2);
  CHECK(v4.bytes()[3] == 1);

  auto v6 = ip("2001:db8::1");
  CHECK_FALSE(v6.is_v4());
  CHECK(v6.family() == AF_INET6);
  REQUIRE(v6.bytes().size() == 16);
  CHECK(v6.bytes()[0] == 0x20);
  CHECK(v6.bytes()[1] == 0x01);
  CHECK(v6.bytes()[2] == 0x0d);
  CHECK(v6.bytes()[3] == 0xb8);
  CHECK(v6.bytes()[15] == 0x01);

  CHECK(ip("0.0.0.0").to_string() == "0.0.0.0");
  CHECK(ip("255.255.255.255").to_string() == "255.255.255.255");
  CHECK(ip("::").to_string() == "::");
  CHECK(ip("::1").to_string() == "::1");
  // The longest IPv6 text form (45 characters) still parses.
  CHECK(ip("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").to_string() ==
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST_CASE("address: IpAddress::parse rejects everything that is not a literal") {
  for (std::string_view bad :
       {"", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "01.2.3.4x",
        "::1%lo", "[::1]", "::1::2", "1:2:3:4:5:6:7:8:9", "2001:db8::g", "localhost", "0x7f.0.0.1",
        "1.2.3.4/8", ":::"}) {
    CAPTURE(bad);
    CHECK_FALSE(IpAddress::parse(bad).has_value());
  }
  // Longer than any address text, but starts like one.
  std::string long_text = "1.2.3.4" + std::string(100, ' ');
  CHECK_FALSE(IpAddress::parse(long_text).has_value());
  CHECK_FALSE(IpAddress::parse(std::string(47, '1')).has_value());
  CHECK_FALSE(IpAddress::parse(std::string(1000, ':')).has_value());
}

TEST_CASE("address: IpAddress::parse rejects text with an embedded NUL") {
  // inet_pton stops at the NUL; the view is longer than the address it holds.
  CHECK_FALSE(IpAddress::parse(std::string_view("1.2.3.4\0junk", 12)).has_value());
  CHECK_FALSE(IpAddress::parse(std::string_view("::1\0", 4)).has_value());
}

TEST_CASE("address: to_string round trips and uses the canonical form") {
  for (std::string_view text :
       {"127.0.0.1", "10.20.30.40", "::1", "2001:db8::1", "fe80::1:2", "::ffff:10.0.0.1"}) {
    CAPTURE(text);
    CHECK(ip(text).to_string() == text);
    CHECK(ip(ip(text).to_string()) == ip(text));
  }
  CHECK(ip("2001:0db8:0000:0000:0000:0000:0000:0001").to_string() == "2001:db8::1");
  CHECK(ip("2001:DB8::A").to_string() == "2001:db8::a");
  CHECK(fmt::format("{}", ip("::1")) == "::1");
  CHECK(fmt::format("{:>5}", ip("::1")) == "  ::1");
}

TEST_CASE("address: equality compares family and bytes") {
  CHECK(ip("10.0.0.1") == ip("10.0.0.1"));
  CHECK(ip("10.0.0.1") != ip("10.0.0.2"));
  CHECK(ip("::") != ip("0.0.0.0"));
  CHECK(ip("::ffff:10.0.0.1") != ip("10.0.0.1"));
}

TEST_CASE("address: v4-mapped addresses and unmapped()") {
  auto mapped = ip("::ffff:192.0.2.7");
  CHECK(mapped.is_v4_mapped());
  CHECK(mapped.unmapped() == ip("192.0.2.7"));
  CHECK(mapped.unmapped().is_v4());

  CHECK_FALSE(ip("192.0.2.7").is_v4_mapped());
  CHECK(ip("192.0.2.7").unmapped() == ip("192.0.2.7"));
  CHECK_FALSE(ip("::1").is_v4_mapped());
  CHECK(ip("::1").unmapped() == ip("::1"));
  CHECK_FALSE(ip("::192.0.2.7").is_v4_mapped());  // deprecated v4-compatible form
  CHECK_FALSE(ip("1::ffff:192.0.2.7").is_v4_mapped());
  CHECK_FALSE(ip("::fffe:192.0.2.7").is_v4_mapped());
}

TEST_CASE("address: IpAddress factories") {
  std::array<std::uint8_t, 4> raw4{10, 1, 2, 3};
  CHECK(IpAddress::v4(raw4) == ip("10.1.2.3"));
  std::array<std::uint8_t, 16> raw6{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
  CHECK(IpAddress::v6(raw6) == ip("fe80::9"));
  in_addr a4{};
  REQUIRE(::inet_pton(AF_INET, "172.16.0.1", &a4) == 1);
  CHECK(IpAddress::from(a4) == ip("172.16.0.1"));
  in6_addr a6{};
  REQUIRE(::inet_pton(AF_INET6, "2001:db8::2", &a6) == 1);
  CHECK(IpAddress::from(a6) == ip("2001:db8::2"));
  // The default is 0.0.0.0.
  CHECK(IpAddress() == ip("0.0.0.0"));
}

TEST_CASE("address: SockAddress from IP and port") {
  SockAddress v4(ip("127.0.0.1"), 80);
  CHECK(v4.family() == AF_INET);
  CHECK(v4.size() == sizeof(sockaddr_in));
  CHECK(v4.port() == 80);
  CHECK(v4.ip() == ip("127.0.0.1"));
  CHECK(v4.to_string() == "127.0.0.1:80");
  const auto* sin = reinterpret_cast<const sockaddr_in*>(v4.get());
  CHECK(ntohs(sin->sin_port) == 80);
  CHECK(sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK));

  SockAddress v6(ip("::1"), 80);
  CHECK(v6.family() == AF_INET6);
  CHECK(v6.size() == sizeof(sockaddr_in6));
  CHECK(v6.port() == 80);
  CHECK(v6.ip() == ip("::1"));
  CHECK(v6.to_string() == "[::1]:80");
  CHECK(fmt::format("{}", v6) == "[::1]:80");

  CHECK(SockAddress(ip("10.0.0.1"), 65535).to_string() == "10.0.0.1:65535");
  CHECK(SockAddress(ip("10.0.0.1"), 0).to_string() == "10.0.0.1:0");
  CHECK(SockAddress(ip("::ffff:10.0.0.1"), 443).to_string() == "[::ffff:10.0.0.1]:443");
}

TEST_CASE("address: one address:port printer, brackets for IPv6 only") {
  CHECK(sockkit::address_port_text(ip("192.0.2.7"), 22) == "192.0.2.7:22");
  CHECK(sockkit::address_port_text(ip("2001:db8::1"), 443) == "[2001:db8::1]:443");
  CHECK(sockkit::address_port_text(ip("::ffff:10.0.0.1"), 80) == "[::ffff:10.0.0.1]:80");
  CHECK(sockkit::address_port_text(ip("::ffff:10.0.0.1").unmapped(), 80) == "10.0.0.1:80");
  CHECK(sockkit::host_port_text("db.example", 5432) == "db.example:5432");
  CHECK(sockkit::host_port_text("10.0.0.1", 5432) == "10.0.0.1:5432");
  CHECK(sockkit::host_port_text("fe80::1", 53) == "[fe80::1]:53");
  CHECK(fmt::format("{}", SockAddress(ip("::1"), 7)) == sockkit::address_port_text(ip("::1"), 7));
}

TEST_CASE("address: SockAddress from a sockaddr") {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(8443);
  REQUIRE(::inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr) == 1);
  SockAddress addr(reinterpret_cast<const sockaddr*>(&sin6), sizeof sin6);
  CHECK(addr.to_string() == "[2001:db8::5]:8443");
  CHECK(addr.size() == sizeof sin6);

  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(53);
  sin.sin_addr.s_addr = htonl(0x0a000001);
  CHECK(SockAddress(reinterpret_cast<const sockaddr*>(&sin), sizeof sin).to_string() ==
        "10.0.0.1:53");

  // Too short for its family, or another family altogether.
  CHECK_THROWS_AS(SockAddress(reinterpret_cast<const sockaddr*>(&sin), sizeof sin - 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(SockAddress(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sockaddr_in)),
                  std::invalid_argument);
  sockaddr_storage unix_addr{};
  unix_addr.ss_family = AF_UNIX;
  CHECK_THROWS_WITH_AS(SockAddress(reinterpret_cast<const sockaddr*>(&unix_addr), sizeof unix_addr),
                       "SockAddress takes IPv4 and IPv6 addresses only", std::invalid_argument);
}

TEST_CASE("address: Cidr::parse accepts blocks and clears host bits") {
  auto c8 = Cidr::parse("10.0.0.0/8");
  CHECK(c8.network() == ip("10.0.0.0"));
  CHECK(c8.prefix() == 8);
  CHECK(c8.family() == AF_INET);
  CHECK(c8.to_string() == "10.0.0.0/8");

  auto host_bits = Cidr::parse("192.168.1.10/24");
  CHECK(host_bits.network() == ip("192.168.1.0"));
  CHECK(host_bits.prefix() == 24);
  CHECK(host_bits.to_string() == "192.168.1.0/24");

  CHECK(Cidr::parse("10.255.255.255/9").to_string() == "10.128.0.0/9");
  CHECK(Cidr::parse("0.0.0.0/0").to_string() == "0.0.0.0/0");
  CHECK(Cidr::parse("1.2.3.4/0").to_string() == "0.0.0.0/0");

  auto v6 = Cidr::parse("2001:db8::/32");
  CHECK(v6.family() == AF_INET6);
  CHECK(v6.prefix() == 32);
  CHECK(v6.to_string() == "2001:db8::/32");
  CHECK(Cidr::parse("2001:db8:ffff::1/33").to_string() == "2001:db8:8000::/33");
  CHECK(Cidr::parse("::/0").to_string() == "::/0");
  CHECK(fmt::format("{}", Cidr::parse("fe80::1/10")) == "fe80::/10");

  CHECK(Cidr::parse("10.1.2.3") == Cidr::parse("10.1.2.3/32"));
  CHECK(Cidr::parse("10.1.2.3").prefix() == 32);
  CHECK(Cidr::parse("10.1.2.3").to_string() == "10.1.2.3/32");
  CHECK(Cidr::parse("2001:db8::7").prefix() == 128);
  CHECK(Cidr::parse("2001:db8::7").to_string() == "2001:db8::7/128");
}

TEST_CASE("address: Cidr::parse error messages") {
  CHECK(cidr_error("10.0.0.0/33") ==
        "invalid CIDR block \"10.0.0.0/33\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/") ==
        "invalid CIDR block \"10.0.0.0/\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/-1") ==
        "invalid CIDR block \"10.0.0.0/-1\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/8x") ==
        "invalid CIDR block \"10.0.0.0/8x\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/+8") ==
        "invalid CIDR block \"10.0.0.0/+8\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/ 8") ==
        "invalid CIDR block \"10.0.0.0/ 8\": the prefix length must be 0-32");
  CHECK(cidr_error("10.0.0.0/8/8") ==
        "invalid CIDR block \"10.0.0.0/8/8\": the prefix length must be 0-32");
  CHECK(cidr_error("::/129") == "invalid CIDR block \"::/129\": the prefix length must be 0-128");
  CHECK(cidr_error("foo/8") ==
        "invalid CIDR block \"foo/8\": \"foo\" is not an IPv4 or IPv6 address");
  CHECK(cidr_error("/8") == "invalid CIDR block \"/8\": \"\" is not an IPv4 or IPv6 address");
  CHECK(cidr_error("") == "invalid CIDR block \"\": \"\" is not an IPv4 or IPv6 address");
  CHECK(cidr_error("10.0.0/8") ==
        "invalid CIDR block \"10.0.0/8\": \"10.0.0\" is not an IPv4 or IPv6 address");
  CHECK(cidr_error("[::1]/128") ==
        "invalid CIDR block \"[::1]/128\": \"[::1]\" is not an IPv4 or IPv6 address");
}

TEST_CASE("address: Cidr constructor checks the prefix and masks") {
  CHECK(Cidr(ip("10.9.8.7"), 16).to_string() == "10.9.0.0/16");
  CHECK_THROWS_AS(Cidr(ip("10.0.0.0"), 33), std::invalid_argument);
  CHECK_THROWS_AS(Cidr(ip("10.0.0.0"), -1), std::invalid_argument);
  CHECK_THROWS_AS(Cidr(ip("::"), 129), std::invalid_argument);
  CHECK_NOTHROW((void)Cidr(ip("::"), 128));
}

TEST_CASE("address: Cidr::contains") {
  auto c = Cidr::parse("10.0.0.0/8");
  CHECK(c.contains(ip("10.0.0.0")));
  CHECK(c.contains(ip("10.1.2.3")));
  CHECK(c.contains(ip("10.255.255.255")));
  CHECK_FALSE(c.contains(ip("11.0.0.0")));
  CHECK_FALSE(c.contains(ip("9.255.255.255")));

  SUBCASE("an IPv4 block matches v4-mapped IPv6 addresses") {
    CHECK(c.contains(ip("::ffff:10.1.2.3")));
    CHECK_FALSE(c.contains(ip("::ffff:11.1.2.3")));
    // But not other IPv6 addresses whose low bytes happen to match.
    CHECK_FALSE(c.contains(ip("::10.1.2.3")));
    CHECK_FALSE(c.contains(ip("2001:db8::a01:203")));
  }
  SUBCASE("families do not mix otherwise") {
    auto v6 = Cidr::parse("::/0");
    CHECK(v6.contains(ip("2001:db8::1")));
    CHECK_FALSE(v6.contains(ip("10.0.0.1")));
    CHECK_FALSE(Cidr::parse("0.0.0.0/0").contains(ip("::1")));
    CHECK(Cidr::parse("0.0.0.0/0").contains(ip("255.255.255.255")));
  }
  SUBCASE("IPv6 blocks and single addresses") {
    auto doc = Cidr::parse("2001:db8::/32");
    CHECK(doc.contains(ip("2001:db8:ffff:ffff::1")));
    CHECK_FALSE(doc.contains(ip("2001:db9::")));
    auto one = Cidr::parse("192.168.1.10");
    CHECK(one.contains(ip("192.168.1.10")));
    CHECK_FALSE(one.contains(ip("192.168.1.11")));
    auto odd = Cidr::parse("192.168.1.0/25");
    CHECK(odd.contains(ip("192.168.1.127")));
    CHECK_FALSE(odd.contains(ip("192.168.1.128")));
  }
}

TEST_CASE("address: Cidr::size") {
  CHECK(Cidr::parse("10.0.0.1").size() == 1);
  CHECK(Cidr::parse("10.0.0.0/31").size() == 2);
  CHECK(Cidr::parse("10.0.0.0/24").size() == 256);
  CHECK(Cidr::parse("10.0.0.0/8").size() == 16777216);
  CHECK(Cidr::parse("0.0.0.0/0").size() == 4294967296ULL);
  CHECK(Cidr::parse("::1").size() == 1);
  CHECK(Cidr::parse("2001:db8::/120").size() == 256);
  CHECK(Cidr::parse("2001:db8::/65").size() == (std::uint64_t{1} << 63U));
  CHECK(Cidr::parse("2001:db8::/64").size() == std::numeric_limits<std::uint64_t>::max());
  CHECK(Cidr::parse("2001:db8::/32").size() == std::numeric_limits<std::uint64_t>::max());
  CHECK(Cidr::parse("::/0").size() == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("address: Cidr::at adds with carries") {
  auto c = Cidr::parse("10.0.0.0/8");
  CHECK(c.at(0) == ip("10.0.0.0"));
  CHECK(c.at(1) == ip("10.0.0.1"));
  CHECK(c.at(255) == ip("10.0.0.255"));
  CHECK(c.at(256) == ip("10.0.1.0"));
  CHECK(c.at(65535) == ip("10.0.255.255"));
  CHECK(c.at(65536) == ip("10.1.0.0"));
  CHECK(c.at(16777215) == ip("10.255.255.255"));
  CHECK(Cidr::parse("10.0.0.255/32").at(0) == ip("10.0.0.255"));
  CHECK(Cidr::parse("10.0.0.128/25").at(127) == ip("10.0.0.255"));
  CHECK(Cidr::parse("10.0.0.0/23").at(256) == ip("10.0.1.0"));
  CHECK(Cidr::parse("0.0.0.0/0").at(0xffffffffULL) == ip("255.255.255.255"));
  CHECK(Cidr::parse("0.0.0.0/0").at(0x01020304ULL) == ip("1.2.3.4"));

  auto v6 = Cidr::parse("2001:db8::/32");
  CHECK(v6.at(0) == ip("2001:db8::"));
  CHECK(v6.at(1) == ip("2001:db8::1"));
  CHECK(v6.at(0xffff) == ip("2001:db8::ffff"));
  CHECK(v6.at(0x10000) == ip("2001:db8::1:0"));
  CHECK(v6.at(0xffffffffffffffffULL) == ip("2001:db8::ffff:ffff:ffff:ffff"));
  CHECK(Cidr::parse("2001:db8::ff00/120").at(255) == ip("2001:db8::ffff"));
  CHECK(Cidr::parse("2001:db8::ffff:ffff:ff00/120").at(0x100) == ip("2001:db8:0:0:1::"));
  CHECK(Cidr::parse("2001:db8::ffff:ffff:ffff:0/112").at(0x10000) == ip("2001:db8:0:1::"));
  CHECK_FALSE(v6.at(5).is_v4());
  CHECK(c.at(5).is_v4());
}
