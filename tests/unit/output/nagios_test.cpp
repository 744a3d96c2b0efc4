#include "sockkit/nagios.hpp"

#include <string>

#include <doctest/doctest.h>

using sockkit::cli::NagiosCode;
using sockkit::nagios::PerfItem;
using sockkit::nagios::Unit;

TEST_CASE("nagios: status names follow the exit codes") {
  using sockkit::nagios::status_name;
  CHECK(status_name(sockkit::cli::nagios_ok) == "OK");
  CHECK(status_name(sockkit::cli::nagios_warning) == "WARNING");
  CHECK(status_name(sockkit::cli::nagios_critical) == "CRITICAL");
  CHECK(status_name(sockkit::cli::nagios_unknown) == "UNKNOWN");
}

TEST_CASE("nagios: numbers are plain decimals at the unit's resolution") {
  using sockkit::nagios::perf_number;
  CHECK(perf_number(0.00005, Unit::seconds) == "0.00005");
  CHECK(perf_number(0.000191234567891, Unit::seconds) == "0.000191235");
  CHECK(perf_number(2, Unit::seconds) == "2");
  CHECK(perf_number(0, Unit::percent) == "0");
  CHECK(perf_number(100, Unit::percent) == "100");
  CHECK(perf_number(12.25, Unit::percent) == "12.3");
  CHECK(perf_number(66.6666, Unit::percent) == "66.7");
  CHECK(perf_number(27900, Unit::none) == "27900");
  CHECK(perf_number(1.5, Unit::none) == "1.5");
  CHECK(perf_number(1e12, Unit::bytes) == "1000000000000");
  CHECK(perf_number(-3.25, Unit::milliseconds) == "-3.25");
  CHECK(perf_number(-0.00001, Unit::percent) == "0");  // never "-0"
}

TEST_CASE("nagios: labels with a space, '=' or a quote are quoted") {
  using sockkit::nagios::perf_label;
  CHECK(perf_label("close_wait") == "close_wait");
  CHECK(perf_label("first byte") == "'first byte'");
  CHECK(perf_label("a=b") == "'a=b'");
  CHECK(perf_label("it's") == "'it''s'");
}

TEST_CASE("nagios: a performance data item") {
  using sockkit::nagios::perf_item;
  CHECK(perf_item({"close_wait", 60, Unit::none, 50, 500, {}, {}}) == "close_wait=60;50;500");
  SUBCASE("trailing empty fields are dropped, inner ones kept") {
    CHECK(perf_item({"established", 13, Unit::none, {}, {}, {}, {}}) == "established=13");
    CHECK(perf_item({"time", 0.000191, Unit::seconds, {}, 0.2, 0, {}}) == "time=0.000191s;;0.2;0");
    CHECK(perf_item({"loss", 0, Unit::percent, {}, 50, 0, 100}) == "loss=0%;;50;0;100");
  }
  SUBCASE("an unknown value is U, without its unit, and keeps the levels") {
    CHECK(perf_item({"time", {}, Unit::seconds, 0.05, 0.2, 0, {}}) == "time=U;0.05;0.2;0");
  }
  SUBCASE("units") {
    CHECK(perf_item({"x", 1.5, Unit::milliseconds, {}, {}, {}, {}}) == "x=1.5ms");
    CHECK(perf_item({"x", 2048, Unit::bytes, {}, {}, {}, {}}) == "x=2048B");
    CHECK(perf_item({"x", 7, Unit::counter, {}, {}, {}, {}}) == "x=7c");
    CHECK(perf_item({"x", 6.25, Unit::percent, 50, 90, {}, {}}) == "x=6.3%;50;90");
  }
  SUBCASE("levels use the unit's resolution too") {
    CHECK(perf_item({"tcp_memory", 0.1, Unit::percent, 66.6666, 90, {}, {}}) ==
          "tcp_memory=0.1%;66.7;90");
  }
}

TEST_CASE("nagios: the status line") {
  using sockkit::nagios::status_line;
  std::vector<PerfItem> perf = {{"a", 1, Unit::none, {}, {}, {}, {}},
                                {"b", 0.5, Unit::seconds, {}, {}, {}, {}}};
  CHECK(status_line("SK-PING", sockkit::cli::nagios_ok, "fine", perf) ==
        "SK-PING OK - fine | a=1 b=0.5s\n");
  CHECK(status_line("SK-STATES", sockkit::cli::nagios_unknown, "no such namespace") ==
        "SK-STATES UNKNOWN - no such namespace\n");
  SUBCASE("a '|' or a line break in the text cannot break the line") {
    CHECK(status_line("X", sockkit::cli::nagios_warning, "a|b\nc", perf) ==
          "X WARNING - a/b c | a=1 b=0.5s\n");
  }
}

TEST_CASE("nagios: grading a measure against its levels") {
  using sockkit::nagios::grade;
  CHECK(grade(10, 20, 50) == sockkit::cli::nagios_ok);
  CHECK(grade(20, 20, 50) == sockkit::cli::nagios_warning);
  CHECK(grade(50, 20, 50) == sockkit::cli::nagios_critical);
  CHECK(grade(60, {}, 50) == sockkit::cli::nagios_critical);
  CHECK(grade(60, 20, {}) == sockkit::cli::nagios_warning);
  CHECK(grade(60, {}, {}) == sockkit::cli::nagios_ok);
  CHECK(grade({}, 0, 0) == sockkit::cli::nagios_ok);
}
