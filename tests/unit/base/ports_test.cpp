#include "sockkit/ports.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"

using sockkit::parse_port;
using sockkit::PortRange;
using sockkit::PortSet;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string port_error(std::string_view text, bool allow_zero = false) {
  return input_error_of([&] { (void)parse_port(text, allow_zero); });
}

std::string set_error(std::string_view spec) {
  return input_error_of([&] { (void)PortSet::parse(spec); });
}

std::vector<PortRange> ranges_of(const PortSet& set) {
  return {set.ranges().begin(), set.ranges().end()};
}

}  // namespace

TEST_CASE("ports: parse_port accepts 1-65535") {
  CHECK(parse_port("1") == 1);
  CHECK(parse_port("22") == 22);
  CHECK(parse_port("65535") == 65535);
  CHECK(parse_port("080") == 80);
}

TEST_CASE("ports: parse_port zero only when allowed") {
  CHECK(port_error("0") == "port 0 is out of range 1-65535");
  CHECK(parse_port("0", true) == 0);
  CHECK(parse_port("65535", true) == 65535);
  CHECK(port_error("65536", true) == "port 65536 is out of range 0-65535");
}

TEST_CASE("ports: parse_port error messages") {
  CHECK(port_error("65536") == "port 65536 is out of range 1-65535");
  CHECK(port_error("70000") == "port 70000 is out of range 1-65535");
  CHECK(port_error("99999999999999999999999") ==
        "port 99999999999999999999999 is out of range 1-65535");
  CHECK(port_error("+80") == "invalid port \"+80\": expected a number 1-65535");
  CHECK(port_error("-80") == "invalid port \"-80\": expected a number 1-65535");
  CHECK(port_error(" 80") == "invalid port \" 80\": expected a number 1-65535");
  CHECK(port_error("80 ") == "invalid port \"80 \": expected a number 1-65535");
  CHECK(port_error("0x50") == "invalid port \"0x50\": expected a number 1-65535");
  CHECK(port_error("8.0") == "invalid port \"8.0\": expected a number 1-65535");
  CHECK(port_error("") == "invalid port \"\": expected a number 1-65535");
  CHECK(port_error("ssh") == "invalid port \"ssh\": expected a number 1-65535");
  CHECK(port_error("ssh", true) == "invalid port \"ssh\": expected a number 0-65535");
}

TEST_CASE("ports: PortSet::parse of a list with a range") {
  auto set = PortSet::parse("22,80,8000-8100");
  CHECK(set.count() == 103);
  CHECK_FALSE(set.empty());
  const std::vector<PortRange> expected{{22, 22}, {80, 80}, {8000, 8100}};
  CHECK(ranges_of(set) == expected);
  CHECK(set.to_string() == "22,80,8000-8100");
  CHECK(fmt::format("{}", set) == "22,80,8000-8100");
}

TEST_CASE("ports: PortSet sorts and merges overlapping and adjacent ranges") {
  CHECK(PortSet::parse("80,22,21-23,24").to_string() == "21-24,80");
  CHECK(PortSet::parse("80,22,21-23,24").count() == 5);
  CHECK(PortSet::parse("22,22,22").to_string() == "22");
  CHECK(PortSet::parse("22,22,22").count() == 1);
  CHECK(PortSet::parse("100-200,150-250,1-99").to_string() == "1-250");
  CHECK(PortSet::parse("10-20,30-40,15-35").to_string() == "10-40");
  CHECK(PortSet::parse("10-20,22-30").to_string() == "10-20,22-30");
  CHECK(PortSet::parse("5,3,1").to_string() == "1,3,5");
  CHECK(PortSet::parse("65535,1").to_string() == "1,65535");
  CHECK(PortSet::parse("65534-65535,65535").to_string() == "65534-65535");
  CHECK(PortSet::parse("1-65535,80").count() == 65535);
}

TEST_CASE("ports: PortSet::add merges") {
  PortSet set;
  CHECK(set.empty());
  CHECK(set.count() == 0);
  CHECK(set.to_string().empty());
  set.add({100, 200});
  set.add({1, 10});
  set.add({201, 300});
  CHECK(set.to_string() == "1-10,100-300");
  set.add({11, 99});
  CHECK(set.to_string() == "1-300");
  CHECK(set.ranges().size() == 1);
}

TEST_CASE("ports: all ports and open-ended ranges") {
  auto all = PortSet::parse("-");
  CHECK(all.count() == 65535);
  CHECK(all.to_string() == "1-65535");
  CHECK(ranges_of(all) == ranges_of(PortSet::all()));
  CHECK_FALSE(all.contains(0));
  CHECK(all.contains(1));
  CHECK(all.contains(65535));

  auto low = PortSet::parse("-1024");
  CHECK(low.to_string() == "1-1024");
  CHECK(low.count() == 1024);
  auto high = PortSet::parse("1024-");
  CHECK(high.to_string() == "1024-65535");
  CHECK(high.count() == 64512);
  CHECK(PortSet::parse("22,-10").to_string() == "1-10,22");
  CHECK(PortSet::parse("65535-").to_string() == "65535");
}

TEST_CASE("ports: PortSet::parse error messages") {
  CHECK(set_error("") == "invalid port list \"\": expected ports such as 22,80,8000-8100");
  CHECK(set_error("100-50") == "invalid port range \"100-50\": 100 is greater than 50");
  CHECK(set_error("22,100-50") == "invalid port range \"100-50\": 100 is greater than 50");
  CHECK(set_error("70000-80") == "invalid port range \"70000-80\": ports are 1-65535");
  CHECK(set_error("0-80") == "invalid port range \"0-80\": ports are 1-65535");
  CHECK(set_error("80-x") == "invalid port range \"80-x\": ports are 1-65535");
  CHECK(set_error("1-2-3") == "invalid port range \"1-2-3\": ports are 1-65535");
  CHECK(set_error("22,,80") == "invalid port list \"22,,80\": an entry is empty");
  CHECK(set_error(",22") == "invalid port list \",22\": an entry is empty");
  CHECK(set_error("22,") == "invalid port list \"22,\": an entry is empty");
  CHECK(set_error(",") == "invalid port list \",\": an entry is empty");
  CHECK(set_error("22,-") == "invalid port list \"22,-\": \"-\" means all ports and stands alone");
  CHECK(set_error("22,ssh") == "invalid port list \"22,ssh\": \"ssh\" is not a number 1-65535");
  CHECK(set_error("22, 80") == "invalid port list \"22, 80\": \" 80\" is not a number 1-65535");
  CHECK(set_error("0") == "invalid port list \"0\": port 0 is out of range 1-65535");
  CHECK(set_error("70000") == "invalid port list \"70000\": port 70000 is out of range 1-65535");
}

TEST_CASE("ports: contains") {
  auto set = PortSet::parse("22,80,8000-8100");
  for (std::uint16_t port : std::initializer_list<std::uint16_t>{22, 80, 8000, 8050, 8100}) {
    CAPTURE(port);
    CHECK(set.contains(port));
  }
  for (std::uint16_t port :
       std::initializer_list<std::uint16_t>{0, 1, 21, 23, 79, 81, 7999, 8101, 65535}) {
    CAPTURE(port);
    CHECK_FALSE(set.contains(port));
  }
  CHECK_FALSE(PortSet().contains(22));
}

TEST_CASE("ports: for_each visits every port in ascending order") {
  std::vector<std::uint16_t> seen;
  PortSet::parse("9,3-5,1").for_each([&](std::uint16_t port) { seen.push_back(port); });
  const std::vector<std::uint16_t> expected{1, 3, 4, 5, 9};
  CHECK(seen == expected);

  std::size_t visits = 0;
  unsigned last = 0;
  bool ascending = true;
  PortSet::all().for_each([&](std::uint16_t port) {
    ascending = ascending && port > last;
    last = port;
    ++visits;
  });
  CHECK(visits == 65535);
  CHECK(ascending);
  CHECK(last == 65535);

  std::vector<std::uint16_t> top;
  PortSet::parse("65534-").for_each([&](std::uint16_t port) { top.push_back(port); });
  const std::vector<std::uint16_t> expected_top{65534, 65535};
  CHECK(top == expected_top);
}

TEST_CASE("ports: PortRange::count") {
  CHECK(PortRange{1, 1}.count() == 1);
  CHECK(PortRange{1, 65535}.count() == 65535);
  CHECK(PortRange{8000, 8100}.count() == 101);
}
