#include "sockkit/endpoint.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"

using sockkit::HostPort;
using sockkit::IpVersion;
using sockkit::parse_host_port;
using sockkit::resolve;
using sockkit::ResolveError;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string parse_error(std::string_view text) {
  return input_error_of([&] { (void)parse_host_port(text); });
}

void check_parse(std::string_view text, std::string_view host, std::optional<std::uint16_t> port) {
  CAPTURE(text);
  auto parsed = parse_host_port(text);
  CHECK(parsed.host == host);
  CHECK(parsed.port == port);
}

}  // namespace

TEST_CASE("endpoint: parse_host_port accepts what users type") {
  check_parse("db", "db", std::nullopt);
  check_parse("db:5432", "db", 5432);
  check_parse("db.example.com:1", "db.example.com", 1);
  check_parse("10.0.0.1:80", "10.0.0.1", 80);
  check_parse("10.0.0.1", "10.0.0.1", std::nullopt);
  check_parse("[2001:db8::1]:443", "2001:db8::1", 443);
  check_parse("[::1]", "::1", std::nullopt);
  check_parse("::1", "::1", std::nullopt);
  check_parse("2001:db8::1", "2001:db8::1", std::nullopt);
  check_parse("fe80::1%eth0", "fe80::1%eth0", std::nullopt);
  check_parse("[fe80::1%eth0]:22", "fe80::1%eth0", 22);
  check_parse("localhost.", "localhost.", std::nullopt);
  check_parse("localhost.:8080", "localhost.", 8080);
  check_parse("my_host", "my_host", std::nullopt);
  check_parse("xn--bcher-kva.example:65535", "xn--bcher-kva.example", 65535);
  check_parse("host-1:22", "host-1", 22);
  check_parse("1host", "1host", std::nullopt);
  check_parse(std::string(63, 'a') + ".com", std::string(63, 'a') + ".com", std::nullopt);
}

TEST_CASE("endpoint: parse_host_port error messages") {
  CHECK(parse_error("") == "invalid address \"\": the host is empty");
  CHECK(parse_error(":80") == "invalid address \":80\": the host is empty");
  CHECK(parse_error("host:") == "invalid address \"host:\": the port after ':' is empty");
  CHECK(parse_error("host:0") == "invalid address \"host:0\": port 0 is out of range 1-65535");
  CHECK(parse_error("host:70000") ==
        "invalid address \"host:70000\": port 70000 is out of range 1-65535");
  CHECK(parse_error("host:ssh") ==
        "invalid address \"host:ssh\": invalid port \"ssh\": expected a number 1-65535");
  CHECK(parse_error("[::1") == "invalid address \"[::1\": missing ']' after the IPv6 address");
  CHECK(parse_error("[::1]x") == "invalid address \"[::1]x\": expected ':PORT' after ']'");
  CHECK(parse_error("[::1]:") == "invalid address \"[::1]:\": the port after ':' is empty");
  CHECK(parse_error("[::1]:0") == "invalid address \"[::1]:0\": port 0 is out of range 1-65535");
  CHECK(parse_error("[1.2.3.4]:80") ==
        "invalid address \"[1.2.3.4]:80\": brackets are for IPv6 addresses only");
  CHECK(parse_error("[db]:80") == "invalid address \"[db]:80\": \"db\" is not an IPv6 address");
  CHECK(parse_error("[]") == "invalid address \"[]\": \"\" is not an IPv6 address");
  CHECK(parse_error("a b:80") ==
        "invalid address \"a b:80\": \"a b\" is not a host name or IP address");
  CHECK(parse_error("1.2.3.999") ==
        "invalid address \"1.2.3.999\": \"1.2.3.999\" is not a host name or IP address");
  CHECK(parse_error("300") == "invalid address \"300\": \"300\" is not a host name or IP address");
  CHECK(parse_error("-db") == "invalid address \"-db\": \"-db\" is not a host name or IP address");
  CHECK(parse_error("db-") == "invalid address \"db-\": \"db-\" is not a host name or IP address");
  CHECK(parse_error("a..b") ==
        "invalid address \"a..b\": \"a..b\" is not a host name or IP address");
  CHECK(parse_error(".") == "invalid address \".\": \".\" is not a host name or IP address");
  CHECK(parse_error("a:b:c") ==
        "invalid address \"a:b:c\": write an IPv6 address with a port as [ADDRESS]:PORT");
  CHECK(parse_error("2001:db8::1:443:x") ==
        "invalid address \"2001:db8::1:443:x\": write an IPv6 address with a port as "
        "[ADDRESS]:PORT");
  CHECK(parse_error("host:+80") ==
        "invalid address \"host:+80\": invalid port \"+80\": expected a number 1-65535");
}

TEST_CASE("endpoint: length limits of names") {
  auto label64 = std::string(64, 'a');
  CHECK(parse_error(label64) ==
        fmt::format("invalid address \"{}\": \"{}\" is not a host name or IP address", label64,
                    label64));
  // 4 labels of 63 plus 3 dots is 255 characters: longer than the 253 allowed.
  std::string label63(63, 'b');
  std::string too_long = label63 + "." + label63 + "." + label63 + "." + label63;
  CHECK_FALSE(sockkit::is_valid_host(too_long));
  std::string longest = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'c');
  REQUIRE(longest.size() == 253);
  CHECK(sockkit::is_valid_host(longest));
  CHECK(sockkit::is_valid_host(longest + "."));
}

TEST_CASE("endpoint: is_valid_host") {
  CHECK(sockkit::is_valid_host("db"));
  CHECK(sockkit::is_valid_host("10.0.0.1"));
  CHECK(sockkit::is_valid_host("::1"));
  CHECK(sockkit::is_valid_host("fe80::1%eth0"));
  CHECK(sockkit::is_valid_host("a1.b2"));
  CHECK_FALSE(sockkit::is_valid_host(""));
  CHECK_FALSE(sockkit::is_valid_host("fe80::1%"));
  CHECK_FALSE(sockkit::is_valid_host("fe80::1%eth 0"));
  CHECK_FALSE(sockkit::is_valid_host("10.0.0.1%eth0"));
  CHECK_FALSE(sockkit::is_valid_host("a b"));
  CHECK_FALSE(sockkit::is_valid_host("1.2.3"));
  CHECK_FALSE(sockkit::is_valid_host("host:80"));
}

TEST_CASE("endpoint: HostPort formats back to the text users type") {
  CHECK(fmt::format("{}", HostPort{"db", 5432}) == "db:5432");
  CHECK(fmt::format("{}", HostPort{"db", std::nullopt}) == "db");
  CHECK(fmt::format("{}", HostPort{"::1", 443}) == "[::1]:443");
  CHECK(fmt::format("{}", HostPort{"::1", std::nullopt}) == "::1");
  CHECK(fmt::format("{}", parse_host_port("[2001:db8::1]:443")) == "[2001:db8::1]:443");
}

TEST_CASE("endpoint: resolve of literals never touches DNS") {
  auto v4 = resolve("127.0.0.1", 80);
  REQUIRE(v4.size() == 1);
  CHECK(v4[0].family() == AF_INET);
  CHECK(v4[0].port() == 80);
  CHECK(v4[0].to_string() == "127.0.0.1:80");

  auto v6 = resolve("::1", 443, IpVersion::v6);
  REQUIRE(v6.size() == 1);
  CHECK(v6[0].to_string() == "[::1]:443");

  auto udp = resolve("127.0.0.2", 53, IpVersion::v4, SOCK_DGRAM);
  REQUIRE(udp.size() == 1);
  CHECK(udp[0].to_string() == "127.0.0.2:53");
}

TEST_CASE("endpoint: resolve refuses a literal of the other IP version") {
  try {
    (void)resolve("::1", 80, IpVersion::v4);
    FAIL("resolve(::1, -4) did not throw");
  } catch (const ResolveError& e) {
    CHECK(std::string(e.what()) == "::1 is an IPv6 address, but -4 was given");
    CHECK(e.code() == EAI_ADDRFAMILY);
  }
  try {
    (void)resolve("127.0.0.1", 80, IpVersion::v6);
    FAIL("resolve(127.0.0.1, -6) did not throw");
  } catch (const ResolveError& e) {
    CHECK(std::string(e.what()) == "127.0.0.1 is an IPv4 address, but -6 was given");
  }
}

TEST_CASE("endpoint: resolve localhost restricted to IPv4") {
  auto addrs = resolve("localhost", 22, IpVersion::v4);
  REQUIRE_FALSE(addrs.empty());
  bool has_loopback = false;
  for (const auto& addr : addrs) {
    CAPTURE(addr.to_string());
    CHECK(addr.family() == AF_INET);
    CHECK(addr.port() == 22);
    has_loopback = has_loopback || addr.to_string() == "127.0.0.1:22";
  }
  CHECK(has_loopback);
  // Duplicates are removed.
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    for (std::size_t j = i + 1; j < addrs.size(); ++j) {
      CHECK(addrs[i].to_string() != addrs[j].to_string());
    }
  }
}

TEST_CASE("endpoint: a name under .invalid does not resolve") {
  auto start = std::chrono::steady_clock::now();
  try {
    (void)resolve("nonexistent.invalid", 80);
    FAIL("nonexistent.invalid resolved");
  } catch (const ResolveError& e) {
    std::string what = e.what();
    CAPTURE(what);
    CHECK(what.starts_with("cannot resolve \"nonexistent.invalid\": "));
    CHECK(e.code() != 0);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("endpoint: --source takes an address literal with an optional port") {
  CHECK_FALSE(sockkit::parse_bind_address(""));
  auto v4 = sockkit::parse_bind_address("127.0.0.2");
  REQUIRE(v4);
  CHECK(v4->to_string() == "127.0.0.2:0");
  auto v6 = sockkit::parse_bind_address("[::1]:4000");
  REQUIRE(v6);
  CHECK(v6->to_string() == "[::1]:4000");
  CHECK_THROWS_WITH_AS((void)sockkit::parse_bind_address("localhost"),
                       doctest::Contains("expected an address literal"), sockkit::InputError);
  CHECK_THROWS_AS((void)sockkit::parse_bind_address("1.2.3.4:99999"), sockkit::InputError);
}

TEST_CASE("endpoint: a source of the other family is refused naming the fix") {
  auto v4 = *sockkit::parse_bind_address("127.0.0.1");
  auto v6 = *sockkit::parse_bind_address("::1");
  CHECK_NOTHROW(sockkit::check_source_family(v4, v4, "db"));
  CHECK_THROWS_WITH_AS(sockkit::check_source_family(v6, v4, "db:5432"),
                       "--source ::1 is IPv6, but db:5432 is IPv4: give -6 or a source of the same "
                       "family",
                       sockkit::InputError);
}
