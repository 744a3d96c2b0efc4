#include <cerrno>

#include <doctest/doctest.h>

#include "client.hpp"

using sk_echo::Outcome;
using sk_echo::outcome_of_errno;

TEST_CASE("sk-echo outcome: the library's kinds in the client's terms") {
  CHECK(outcome_of_errno(ECONNREFUSED) == Outcome::refused);
  CHECK(outcome_of_errno(ECONNRESET) == Outcome::reset);
  CHECK(outcome_of_errno(EPIPE) == Outcome::reset);
  CHECK(outcome_of_errno(ETIMEDOUT) == Outcome::timeout);
  CHECK(outcome_of_errno(EHOSTUNREACH) == Outcome::unreachable);
  CHECK(outcome_of_errno(ENETUNREACH, true) == Outcome::unreachable);
  CHECK(outcome_of_errno(EPERM) == Outcome::unreachable);
  CHECK(outcome_of_errno(EMFILE) == Outcome::local);
  CHECK(outcome_of_errno(ENOBUFS) == Outcome::local);
  CHECK(outcome_of_errno(EADDRNOTAVAIL, true) == Outcome::local);
}

TEST_CASE("sk-echo outcome: an errno of no known kind is other, never unreachable") {
  CHECK(outcome_of_errno(EINVAL, true) == Outcome::other);
  CHECK(outcome_of_errno(EADDRINUSE) == Outcome::other);
  CHECK(sk_echo::outcome_name(Outcome::other) == "other");
  sk_echo::EchoResult r;
  sk_echo::set_failure(r, EINVAL, std::nullopt, true);
  CHECK(r.outcome == Outcome::other);
  CHECK(r.error == EINVAL);
  CHECK(r.failure.kind == sockkit::FailureKind::other);
}

TEST_CASE("sk-echo outcome: a UDP refusal carries its ICMP error") {
  sk_echo::EchoResult r;
  sk_echo::set_failure(r, ECONNREFUSED, sockkit::IcmpError{.type = 3, .code = 3});
  CHECK(r.outcome == Outcome::refused);
  CHECK(sockkit::failure_reason(r.failure) == "port unreachable (ICMP type 3 code 3)");
}
