#include "sockkit/outcome.hpp"

#include <cerrno>

#include <doctest/doctest.h>

using sockkit::classify_failure;
using sockkit::FailureKind;
using sockkit::IcmpError;

namespace {

constexpr IcmpError kPortUnreachable{.type = 3, .code = 3, .error = ECONNREFUSED};
constexpr IcmpError kAdminProhibited{.type = 3, .code = 13, .error = EHOSTUNREACH};
constexpr IcmpError kAdminProhibited6{.type = 1, .code = 1, .v6 = true, .error = EACCES};

FailureKind kind_of(int err, std::optional<IcmpError> icmp = std::nullopt, bool at_once = false) {
  return classify_failure(err, icmp, at_once).kind;
}

}  // namespace

TEST_CASE("outcome: a reset to the SYN, and an ICMP port unreachable, are refusals") {
  CHECK(kind_of(ECONNREFUSED) == FailureKind::refused);
  CHECK(kind_of(ECONNREFUSED, kPortUnreachable) == FailureKind::refused);
  CHECK(kind_of(ECONNREFUSED, IcmpError{.type = 1, .code = 4, .v6 = true}) == FailureKind::refused);
  CHECK(sockkit::failure_reason(classify_failure(ECONNREFUSED)) == "reset");
  CHECK(sockkit::failure_reason(classify_failure(ECONNREFUSED, kPortUnreachable)) ==
        "port unreachable (ICMP type 3 code 3)");
}

TEST_CASE("outcome: an established connection aborted by the peer is a reset") {
  CHECK(kind_of(ECONNRESET) == FailureKind::reset);
  CHECK(kind_of(EPIPE) == FailureKind::reset);
  CHECK(sockkit::failure_reason(classify_failure(ECONNRESET)) ==
        "ECONNRESET (Connection reset by peer)");
}

TEST_CASE("outcome: ETIMEDOUT is a timeout, whatever the queue held") {
  CHECK(kind_of(ETIMEDOUT) == FailureKind::timeout);
  CHECK(kind_of(ETIMEDOUT, kAdminProhibited) == FailureKind::timeout);
  CHECK(sockkit::failure_reason(classify_failure(ETIMEDOUT)) == "no answer in time (ETIMEDOUT)");
}

TEST_CASE("outcome: an ICMP error other than port unreachable is unreachable, named") {
  auto f = classify_failure(EHOSTUNREACH, kAdminProhibited);
  CHECK(f.kind == FailureKind::unreachable);
  REQUIRE(f.icmp.has_value());
  CHECK(f.icmp->code == 13);
  CHECK(sockkit::failure_reason(f) == "administratively prohibited (ICMP type 3 code 13)");
  CHECK(sockkit::failure_brief(f) == "administratively prohibited, ICMP type 3 code 13");
  // The ICMP error decides even when the call failed at once or with a local errno.
  CHECK(kind_of(EACCES, kAdminProhibited6, true) == FailureKind::unreachable);
  CHECK(sockkit::failure_brief(classify_failure(EACCES, kAdminProhibited6)) ==
        "administratively prohibited, ICMPv6 type 1 code 1");
  // A refusal carrying another ICMP error is that error, not a refusal.
  CHECK(kind_of(ECONNREFUSED, kAdminProhibited) == FailureKind::unreachable);
}

TEST_CASE("outcome: the errnos ICMP errors map to are unreachable without the queue too") {
  for (int err : {EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENONET, EPROTO, ENOPROTOOPT}) {
    CAPTURE(err);
    CHECK(kind_of(err) == FailureKind::unreachable);
  }
  CHECK(sockkit::failure_reason(classify_failure(EHOSTUNREACH)) ==
        "EHOSTUNREACH (No route to host)");
}

TEST_CASE("outcome: no route is a connect() that failed at once on this host") {
  CHECK(kind_of(ENETUNREACH, std::nullopt, true) == FailureKind::no_route);
  CHECK(kind_of(EHOSTUNREACH, std::nullopt, true) == FailureKind::no_route);
  auto f = classify_failure(ENETUNREACH, std::nullopt, true);
  CHECK(sockkit::failure_reason(f) == "no route on this host (ENETUNREACH)");
  CHECK(sockkit::failure_brief(f) == "ENETUNREACH: no route on this host");
}

TEST_CASE("outcome: EPERM and EACCES are this host's own rules") {
  CHECK(kind_of(EPERM) == FailureKind::local_firewall);
  CHECK(kind_of(EACCES, std::nullopt, true) == FailureKind::local_firewall);
  CHECK(sockkit::failure_reason(classify_failure(EPERM)) == "refused by a local firewall (EPERM)");
  CHECK(sockkit::failure_brief(classify_failure(EACCES)) == "EACCES: refused by a local firewall");
}

TEST_CASE("outcome: no local address") {
  auto f = classify_failure(EADDRNOTAVAIL, std::nullopt, true);
  CHECK(f.kind == FailureKind::no_local_address);
  CHECK(sockkit::failure_reason(f) == "no local address (EADDRNOTAVAIL)");
  CHECK(sockkit::failure_brief(f) == "EADDRNOTAVAIL: no local address");
}

TEST_CASE("outcome: out of descriptors or memory") {
  for (int err : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) {
    CAPTURE(err);
    CHECK(kind_of(err) == FailureKind::out_of_resources);
  }
  CHECK(sockkit::failure_reason(classify_failure(EMFILE)) ==
        "out of descriptors or memory (EMFILE)");
  CHECK(sockkit::failure_brief(classify_failure(ENOBUFS)) ==
        "ENOBUFS: out of descriptors or memory");
}

TEST_CASE("outcome: any other errno is other, with its name, never unreachable") {
  // A blackhole route makes connect() fail with EINVAL.
  auto f = classify_failure(EINVAL, std::nullopt, true);
  CHECK(f.kind == FailureKind::other);
  CHECK(f.error == EINVAL);
  CHECK(sockkit::failure_reason(f) == "EINVAL (Invalid argument)");
  CHECK(sockkit::failure_brief(f) == "EINVAL (Invalid argument)");
  CHECK(kind_of(EADDRINUSE) == FailureKind::other);
  CHECK(kind_of(0) == FailureKind::other);
}

TEST_CASE("outcome: kind names, and which failures never left this host") {
  using K = FailureKind;
  CHECK(sockkit::failure_kind_name(K::refused) == "refused");
  CHECK(sockkit::failure_kind_name(K::reset) == "reset");
  CHECK(sockkit::failure_kind_name(K::timeout) == "timeout");
  CHECK(sockkit::failure_kind_name(K::unreachable) == "unreachable");
  CHECK(sockkit::failure_kind_name(K::local_firewall) == "local_firewall");
  CHECK(sockkit::failure_kind_name(K::no_route) == "no_route");
  CHECK(sockkit::failure_kind_name(K::no_local_address) == "no_local_address");
  CHECK(sockkit::failure_kind_name(K::out_of_resources) == "out_of_resources");
  CHECK(sockkit::failure_kind_name(K::other) == "other");
  for (auto k : {K::refused, K::reset, K::timeout, K::unreachable}) {
    CHECK_FALSE(sockkit::is_local_failure(k));
  }
  for (auto k :
       {K::local_firewall, K::no_route, K::no_local_address, K::out_of_resources, K::other}) {
    CHECK(sockkit::is_local_failure(k));
  }
}
