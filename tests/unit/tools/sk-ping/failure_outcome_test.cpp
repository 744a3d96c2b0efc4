#include <cerrno>

#include <doctest/doctest.h>

#include "attempt.hpp"

using sk_ping::failure_outcome;
using sk_ping::Outcome;

TEST_CASE("sk-ping failure_outcome: the library's kinds in ping's terms") {
  CHECK(failure_outcome(ETIMEDOUT, std::nullopt) == Outcome::timeout);
  CHECK(failure_outcome(ECONNREFUSED, std::nullopt) == Outcome::refused);
  CHECK(failure_outcome(ECONNREFUSED, sockkit::IcmpError{.type = 3, .code = 3}) ==
        Outcome::refused);
  CHECK(failure_outcome(EHOSTUNREACH, sockkit::IcmpError{.type = 3, .code = 13}) ==
        Outcome::unreachable);
  CHECK(failure_outcome(ENETUNREACH, std::nullopt, true) == Outcome::unreachable);
  CHECK(failure_outcome(EPERM, std::nullopt, true) == Outcome::unreachable);
  CHECK(failure_outcome(EADDRNOTAVAIL, std::nullopt) == Outcome::error);
  CHECK(failure_outcome(EMFILE, std::nullopt) == Outcome::error);
  CHECK(failure_outcome(EINVAL, std::nullopt, true) == Outcome::error);
}

TEST_CASE("sk-ping failure: an attempt's reason in the shared words") {
  sk_ping::AttemptResult r;
  r.error = ENETUNREACH;
  r.local = true;
  CHECK(r.failure().kind == sockkit::FailureKind::no_route);
  CHECK(sockkit::failure_reason(r.failure()) == "no route on this host (ENETUNREACH)");
  r.local = false;
  CHECK(r.failure().kind == sockkit::FailureKind::unreachable);
}
