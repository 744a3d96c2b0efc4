#include "sockkit/error.hpp"

#include <cerrno>
#include <ostream>
#include <string>
#include <system_error>

#include <doctest/doctest.h>
#include <fmt/format.h>

TEST_CASE("error: throw_errno(err - context) carries the code and the context") {
  try {
    sockkit::throw_errno(ECONNREFUSED, "cannot connect to 127.0.0.1:1");
    FAIL("throw_errno returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(ECONNREFUSED, std::system_category()));
    CHECK(std::string(e.what()) == "cannot connect to 127.0.0.1:1: Connection refused");
  }
}

TEST_CASE("error: throw_errno(context) uses the current errno") {
  errno = EACCES;
  try {
    sockkit::throw_errno("cannot open /proc/net/tcp");
    FAIL("throw_errno returned");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == EACCES);
    CHECK(&e.code().category() == &std::system_category());
    CHECK(std::string(e.what()) == "cannot open /proc/net/tcp: Permission denied");
  }
}

TEST_CASE("error: InputError and PermissionError are runtime_errors with the message") {
  try {
    throw sockkit::InputError("invalid port \"x\"");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "invalid port \"x\"");
  }
  CHECK_THROWS_AS(throw sockkit::PermissionError("needs CAP_SYS_ADMIN"), std::runtime_error);
  CHECK_THROWS_WITH_AS(throw sockkit::PermissionError("needs CAP_SYS_ADMIN"), "needs CAP_SYS_ADMIN",
                       sockkit::PermissionError);
}

TEST_CASE("error: errno_name gives the symbolic name") {
  CHECK(sockkit::errno_name(ECONNREFUSED) == "ECONNREFUSED");
  CHECK(sockkit::errno_name(ETIMEDOUT) == "ETIMEDOUT");
  CHECK(sockkit::errno_name(EHOSTUNREACH) == "EHOSTUNREACH");
  CHECK(sockkit::errno_name(EPIPE) == "EPIPE");
  CHECK(sockkit::errno_name(EACCES) == "EACCES");
}

TEST_CASE("error: errno_name of an unknown number is E<number>") {
  CHECK(sockkit::errno_name(99999) == "E99999");
  CHECK(sockkit::errno_name(-1) == "E-1");
  CHECK(sockkit::errno_name(-2147483647 - 1) == "E-2147483648");
}

TEST_CASE("error: errno_name results for unknown numbers stay valid side by side") {
  // Callers format two names in one message; the first must not change under them.
  auto first = sockkit::errno_name(99998);
  auto second = sockkit::errno_name(99999);
  CHECK(first == "E99998");
  CHECK(second == "E99999");
  CHECK(fmt::format("{} {}", sockkit::errno_name(4242), sockkit::errno_name(4343)) ==
        "E4242 E4343");
}

TEST_CASE("error: Errno formats as NAME (message)") {
  CHECK(fmt::format("{}", sockkit::Errno{ECONNREFUSED}) == "ECONNREFUSED (Connection refused)");
  CHECK(fmt::format("{}", sockkit::Errno{ETIMEDOUT}) == "ETIMEDOUT (Connection timed out)");
  CHECK(fmt::format("{}", sockkit::Errno{ENETUNREACH}) == "ENETUNREACH (Network is unreachable)");
  // The format spec applies to the whole text.
  CHECK(fmt::format("[{:>8}]", sockkit::Errno{EPIPE}) == "[EPIPE (Broken pipe)]");
  CHECK(fmt::format("[{:<22}]", sockkit::Errno{EPIPE}) == "[EPIPE (Broken pipe)   ]");
}
