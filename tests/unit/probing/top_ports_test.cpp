#include "sockkit/top_ports.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"

using sockkit::service_name;
using sockkit::top_ports;
using sockkit::top_tcp_ports;
using sockkit::top_udp_ports;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

void check_list(std::span<const std::uint16_t> list) {
  std::set<std::uint16_t> seen;
  for (auto port : list) {
    CAPTURE(port);
    CHECK(port >= 1);                 // 65535 at most by type
    CHECK(seen.insert(port).second);  // no duplicates
  }
}

bool has_services_file() {
  return ::access("/etc/services", R_OK) == 0;
}

}  // namespace

TEST_CASE("top_ports: the TCP list") {
  auto list = top_tcp_ports();
  CHECK(list.size() >= 300);
  CHECK(list.size() <= 400);
  check_list(list);
  CHECK(std::vector<std::uint16_t>(list.begin(), list.begin() + 6) ==
        std::vector<std::uint16_t>{80, 443, 22, 21, 23, 25});
  for (int port : {53, 110, 143, 445, 3306, 3389, 5432, 6379, 27017, 9200, 6443, 5672}) {
    CAPTURE(port);
    CHECK(std::find(list.begin(), list.end(), port) != list.end());
  }
}

TEST_CASE("top_ports: the UDP list") {
  auto list = top_udp_ports();
  CHECK(list.size() >= 50);
  CHECK(list.size() <= 100);
  check_list(list);
  CHECK(std::vector<std::uint16_t>(list.begin(), list.begin() + 3) ==
        std::vector<std::uint16_t>{53, 123, 161});
  for (int port : {67, 69, 500, 1900, 5353, 11211, 1812, 51820}) {
    CAPTURE(port);
    CHECK(std::find(list.begin(), list.end(), port) != list.end());
  }
}

TEST_CASE("top_ports: the first n ports as a set") {
  CHECK(top_ports(1, false).to_string() == "80");
  CHECK(top_ports(6, false).to_string() == "21-23,25,80,443");
  CHECK(top_ports(3, true).to_string() == "53,123,161");
  for (bool udp : {false, true}) {
    auto list = udp ? top_udp_ports() : top_tcp_ports();
    for (std::size_t n = 1; n <= list.size(); ++n) {
      auto set = top_ports(n, udp);
      CAPTURE(n);
      CHECK(set.count() == n);
      CHECK(set.contains(list[n - 1]));
    }
  }
}

TEST_CASE("top_ports: n out of range") {
  auto tcp = top_tcp_ports().size();
  auto udp = top_udp_ports().size();
  CHECK(input_error_of([] { (void)top_ports(0, false); }) ==
        fmt::format("--top-ports 0: expected a number from 1 to {} (TCP ports)", tcp));
  CHECK(input_error_of([] { (void)top_ports(5000, false); }) ==
        fmt::format("--top-ports 5000: the built-in list has {} TCP ports", tcp));
  CHECK(input_error_of([&] { (void)top_ports(udp + 1, true); }) ==
        fmt::format("--top-ports {}: the built-in list has {} UDP ports", udp + 1, udp));
  CHECK(input_error_of([&] { (void)top_ports(tcp, false); }) == "(no error)");
}

TEST_CASE("top_ports: service names from the services database") {
  if (!has_services_file()) {
    MESSAGE("skipped: no /etc/services");
    return;
  }
  CHECK(service_name(22, false) == "ssh");
  CHECK(service_name(80, false) == "http");
  CHECK(service_name(443, false) == "https");
  CHECK(service_name(53, true) == "domain");
  CHECK(service_name(123, true) == "ntp");
  CHECK(service_name(161, true) == "snmp");
  CHECK(service_name(65000, false).empty());
  CHECK(service_name(0, true).empty());
}

TEST_CASE("top_ports: the service table agrees with getservbyport") {
  for (int port : {1, 7, 21, 22, 25, 53, 80, 110, 123, 161, 443, 3306, 5432, 8080}) {
    for (bool udp : {false, true}) {
      auto* entry = ::getservbyport(htons(static_cast<std::uint16_t>(port)), udp ? "udp" : "tcp");
      std::string want = entry != nullptr ? entry->s_name : "";
      CHECK(std::string(service_name(static_cast<std::uint16_t>(port), udp)) == want);
    }
  }
}

TEST_CASE("top_ports: 1000 service name lookups are cheap") {
  auto start = std::chrono::steady_clock::now();
  std::size_t named = 0;
  for (int round = 0; round < 4; ++round) {
    for (auto port : top_tcp_ports().first(250)) named += service_name(port, false).empty() ? 0 : 1;
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  MESSAGE("1000 service_name calls: ",
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(), " us, ", named,
          " named");
  CHECK(elapsed < std::chrono::seconds(1));
  if (has_services_file()) CHECK(named > 0);
}
