#include "sockkit/table.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

using sockkit::Align;
using sockkit::Painter;
using sockkit::Style;
using sockkit::TextTable;

TEST_CASE("table: words left - numbers right - two spaces between - no trailing spaces") {
  TextTable table({{"STATE", Align::left}, {"COUNT", Align::right}, {"NOTE", Align::left}});
  table.add_row({"ESTABLISHED", "27,900", "busy"});
  table.add_row({"LISTEN", "3", ""});
  table.add_row({"TIME-WAIT", "120", "x"});
  CHECK(table.rows() == 3);
  CHECK(table.render() ==
        "STATE         COUNT  NOTE\n"
        "ESTABLISHED  27,900  busy\n"
        "LISTEN            3\n"
        "TIME-WAIT       120  x\n");
}

TEST_CASE("table: without a header the widths come from the rows only") {
  TextTable table({{"A LONG HEADER", Align::left}, {"N", Align::right}});
  table.add_row({"x", "10"});
  table.add_row({"yy", "5"});
  CHECK(table.render(Painter(), false) ==
        "x   10\n"
        "yy   5\n");
}

TEST_CASE("table: an empty table renders the header only") {
  TextTable table({{"PORT", Align::right}, {"SERVICE", Align::left}});
  CHECK(table.rows() == 0);
  CHECK(table.render() == "PORT  SERVICE\n");
  CHECK(table.render(Painter(), false).empty());
}

TEST_CASE("table: the header is bold only when the painter is enabled") {
  TextTable table({{"NAME", Align::left}, {"N", Align::right}});
  table.add_row({"abc", "1"});
  CHECK(table.render(Painter(false)) ==
        "NAME  N\n"
        "abc   1\n");
  CHECK(table.render(Painter(true)) ==
        "\x1b[1mNAME\x1b[0m  \x1b[1mN\x1b[0m\n"
        "abc   1\n");
}

TEST_CASE("table: styled cells keep their alignment") {
  TextTable table({{"STATE", Align::left}, {"N", Align::right}});
  table.add_row({sockkit::Cell("OK", Style::green), sockkit::Cell("7", Style::red)});
  table.add_row({"LISTEN", "12"});
  CHECK(table.render(Painter(true), false) ==
        "\x1b[32mOK\x1b[0m       \x1b[31m7\x1b[0m\n"
        "LISTEN  12\n");
  // Disabled painting drops the style entirely.
  CHECK(table.render(Painter(false), false) ==
        "OK       7\n"
        "LISTEN  12\n");
}

TEST_CASE("table: rows with too few cells are padded - too many throw") {
  TextTable table({{"A", Align::left}, {"B", Align::left}, {"C", Align::right}});
  table.add_row({"1"});
  table.add_row({});
  table.add_row({"x", "yy", "zzz"});
  CHECK(table.rows() == 3);
  CHECK(table.render() ==
        "A  B     C\n"
        "1\n"
        "\n"
        "x  yy  zzz\n");
  CHECK_THROWS_AS(table.add_row({"1", "2", "3", "4"}), std::invalid_argument);
  CHECK(table.rows() == 3);
}

TEST_CASE("table: UTF-8 cells align by characters - not bytes") {
  TextTable table({{"NAME", Align::left}, {"N", Align::right}});
  table.add_row({"café", "1"});
  table.add_row({"naïveté", "22"});
  CHECK(table.render() ==
        "NAME      N\n"
        "café      1\n"
        "naïveté  22\n");
}

TEST_CASE("table: display_width") {
  CHECK(sockkit::display_width("") == 0);
  CHECK(sockkit::display_width("abc") == 3);
  CHECK(sockkit::display_width("café") == 4);
  CHECK(sockkit::display_width("→") == 1);
  CHECK(sockkit::display_width("✓ ok") == 4);
  CHECK(sockkit::display_width("\xf0\x9f\x98\x80") == 1);  // one 4-byte code point
  CHECK(sockkit::display_width("\x1b[1mbold\x1b[0m") == 4);
  CHECK(sockkit::display_width("\x1b[38;5;196mred\x1b[0m!") == 4);
  CHECK(sockkit::display_width("a\x1b[0m") == 1);
  CHECK(sockkit::display_width("\x1b[") == 0);  // an unfinished escape adds nothing
}

TEST_CASE("table: group_thousands") {
  CHECK(sockkit::group_thousands(0) == "0");
  CHECK(sockkit::group_thousands(7) == "7");
  CHECK(sockkit::group_thousands(999) == "999");
  CHECK(sockkit::group_thousands(1000) == "1,000");
  CHECK(sockkit::group_thousands(27900) == "27,900");
  CHECK(sockkit::group_thousands(100000) == "100,000");
  CHECK(sockkit::group_thousands(1234567) == "1,234,567");
  CHECK(sockkit::group_thousands(std::numeric_limits<std::uint64_t>::max()) ==
        "18,446,744,073,709,551,615");
}

TEST_CASE("table: format_ms has three decimals") {
  CHECK(sockkit::format_ms(1.23456) == "1.235");
  CHECK(sockkit::format_ms(0) == "0.000");
  CHECK(sockkit::format_ms(0.0004) == "0.000");
  CHECK(sockkit::format_ms(12) == "12.000");
  CHECK(sockkit::format_ms(1234.5) == "1234.500");
  CHECK(sockkit::format_ms(0.0996) == "0.100");
}

TEST_CASE("table: wrap_text") {
  SUBCASE("greedy fill to the width") {
    CHECK(sockkit::wrap_text("the quick brown fox jumps over the lazy dog", 15) ==
          "the quick brown\n"
          "fox jumps over\n"
          "the lazy dog\n");
  }
  SUBCASE("a line may be exactly the width") {
    CHECK(sockkit::wrap_text("aaaa bbbb", 9) == "aaaa bbbb\n");
    CHECK(sockkit::wrap_text("aaaa bbbb", 8) == "aaaa\nbbbb\n");
  }
  SUBCASE("indent counts against the width") {
    CHECK(sockkit::wrap_text("one two three four", 12, 4) ==
          "    one two\n"
          "    three\n"
          "    four\n");
  }
  SUBCASE("long words stay whole on a line of their own") {
    CHECK(sockkit::wrap_text("a supercalifragilistic b", 10) ==
          "a\n"
          "supercalifragilistic\n"
          "b\n");
    CHECK(sockkit::wrap_text("abcdefghij", 4, 2) == "  abcdefghij\n");
  }
  SUBCASE("runs of spaces and newlines collapse") {
    CHECK(sockkit::wrap_text("  one   two\n\nthree  ", 80) == "one two three\n");
  }
  SUBCASE("empty text gives no lines") {
    CHECK(sockkit::wrap_text("", 80).empty());
    CHECK(sockkit::wrap_text("   \n ", 80, 4).empty());
  }
  SUBCASE("width is measured in characters") {
    CHECK(sockkit::wrap_text("café café café", 9) == "café café\ncafé\n");
  }
  SUBCASE("an indent at least the width puts one word per line") {
    CHECK(sockkit::wrap_text("a b", 2, 4) == "    a\n    b\n");
  }
}
