#include "sockkit/csv.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

using sockkit::csv_field;
using sockkit::csv_row;

TEST_CASE("csv: plain fields are written as they are") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("in the middle") == "in the middle");
  CHECK(csv_field("127.0.0.1:80") == "127.0.0.1:80");
  CHECK(csv_field("tab\there") == "tab\there");
  CHECK(csv_field("semi;colon") == "semi;colon");
}

TEST_CASE("csv: fields that need quoting are quoted") {
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field(",") == "\",\"");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
  CHECK(csv_field("carriage\rreturn") == "\"carriage\rreturn\"");
  CHECK(csv_field("\r\n") == "\"\r\n\"");
  CHECK(csv_field(" leading") == "\" leading\"");
  CHECK(csv_field("trailing ") == "\"trailing \"");
  CHECK(csv_field(" ") == "\" \"");
}

TEST_CASE("csv: inner quotes are doubled") {
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("\"") == "\"\"\"\"");
  CHECK(csv_field("\"\"") == "\"\"\"\"\"\"");
  CHECK(csv_field("a\"b,c") == "\"a\"\"b,c\"");
}

TEST_CASE("csv: csv_row joins with commas and ends with a newline") {
  CHECK(csv_row({"state", "count"}) == "state,count\n");
  CHECK(csv_row({"ESTABLISHED", "27900", "a,b"}) == "ESTABLISHED,27900,\"a,b\"\n");
  CHECK(csv_row({"", "", ""}) == ",,\n");
  CHECK(csv_row({"only"}) == "only\n");
  CHECK(csv_row({"x\ny", " z"}) == "\"x\ny\",\" z\"\n");

  std::vector<std::string> fields{"host", "say \"hi\"", "1,2"};
  CHECK(csv_row(fields) == "host,\"say \"\"hi\"\"\",\"1,2\"\n");
  std::vector<std::string> none;
  CHECK(csv_row(none) == "\n");
  std::vector<std::string> one_empty{""};
  CHECK(csv_row(one_empty) == "\n");
}
