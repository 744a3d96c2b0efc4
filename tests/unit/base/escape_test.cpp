#include "sockkit/escape.hpp"

#include <doctest/doctest.h>

#include "sockkit/error.hpp"

TEST_CASE("escape: network bytes print on one line") {
  CHECK(sockkit::escape_bytes("SSH-2.0-OpenSSH_9.2\r\n") == "SSH-2.0-OpenSSH_9.2");
  CHECK(sockkit::escape_bytes(std::string("a\tb\\c\x1b\x80", 7)) == "a\\tb\\\\c\\x1b\\x80");
  CHECK(sockkit::escape_bytes("a\nb") == "a\\nb");
  CHECK(sockkit::escape_bytes("") == "");
}

TEST_CASE("base64: RFC 4648 with padding") {
  CHECK(sockkit::base64("") == "");
  CHECK(sockkit::base64("f") == "Zg==");
  CHECK(sockkit::base64("fo") == "Zm8=");
  CHECK(sockkit::base64("foo") == "Zm9v");
  CHECK(sockkit::base64("foobar") == "Zm9vYmFy");
  CHECK(sockkit::base64(std::string("\0\xff\xfe\r\n", 5)) == "AP/+DQo=");
}

TEST_CASE("unescape: the escapes a request needs") {
  CHECK(sockkit::unescape("HEAD / HTTP/1.0\\r\\n\\r\\n", "--send") == "HEAD / HTTP/1.0\r\n\r\n");
  CHECK(sockkit::unescape("\\x00\\xfF\\t\\\\\\\"", "--send") == std::string("\0\xff\t\\\"", 5));
  CHECK(sockkit::unescape("plain", "--send") == "plain");
}

TEST_CASE("unescape: bad escapes are refused naming the option") {
  CHECK_THROWS_WITH_AS(sockkit::unescape("abc\\", "--send"), doctest::Contains("--send"),
                       sockkit::InputError);
  CHECK_THROWS_WITH_AS(sockkit::unescape("\\q", "--expect"),
                       doctest::Contains("unknown escape \\q"), sockkit::InputError);
  CHECK_THROWS_WITH_AS(sockkit::unescape("\\x4", "--send"), doctest::Contains("two hex digits"),
                       sockkit::InputError);
  CHECK_THROWS_AS(sockkit::unescape("\\xg0", "--send"), sockkit::InputError);
}
