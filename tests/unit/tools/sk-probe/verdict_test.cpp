#include "verdict.hpp"

#include <cerrno>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using sk_probe::State;
using sockkit::classify_failure;

namespace {

State tcp_state(int err, std::optional<sockkit::IcmpError> icmp = std::nullopt,
                bool at_once = false) {
  return sk_probe::failure_state(classify_failure(err, icmp, at_once), false);
}

State udp_state(int err, std::optional<sockkit::IcmpError> icmp = std::nullopt,
                bool at_once = false) {
  return sk_probe::failure_state(classify_failure(err, icmp, at_once), true);
}

}  // namespace

TEST_CASE("sk-probe verdict: TCP states from the failure") {
  CHECK(tcp_state(ECONNREFUSED) == State::closed);
  CHECK(tcp_state(ECONNRESET) == State::closed);
  CHECK(tcp_state(ETIMEDOUT) == State::filtered);
  CHECK(tcp_state(EHOSTUNREACH, sockkit::IcmpError{.type = 3, .code = 13}) == State::unreachable);
  CHECK(tcp_state(EHOSTUNREACH) == State::unreachable);
  CHECK(tcp_state(ENETUNREACH, std::nullopt, true) == State::unreachable);
  CHECK(tcp_state(EACCES, std::nullopt, true) == State::unreachable);
  CHECK(tcp_state(EPERM) == State::unreachable);
  CHECK(tcp_state(EADDRNOTAVAIL, std::nullopt, true) == State::error);
  CHECK(tcp_state(EMFILE) == State::error);
  CHECK(tcp_state(EINVAL, std::nullopt, true) == State::error);
}

TEST_CASE("sk-probe verdict: UDP is closed only on a port unreachable") {
  CHECK(udp_state(ECONNREFUSED, sockkit::IcmpError{.type = 3, .code = 3}) == State::closed);
  CHECK(udp_state(ECONNREFUSED, sockkit::IcmpError{.type = 1, .code = 4, .v6 = true}) ==
        State::closed);
  CHECK(udp_state(EHOSTUNREACH, sockkit::IcmpError{.type = 3, .code = 13}) == State::filtered);
  CHECK(udp_state(EPERM, std::nullopt, true) == State::filtered);
  CHECK(udp_state(ETIMEDOUT) == State::open_filtered);
  CHECK(udp_state(ENOBUFS) == State::error);
}

TEST_CASE("sk-probe verdict: silence and its retries") {
  CHECK(sk_probe::silence_state(false) == State::filtered);
  CHECK(sk_probe::silence_state(true) == State::open_filtered);
  // -r 1: the first silent attempt is sent again, the second is the verdict.
  CHECK(sk_probe::retry_after_silence(1, 1));
  CHECK_FALSE(sk_probe::retry_after_silence(2, 1));
  CHECK_FALSE(sk_probe::retry_after_silence(1, 0));
}

TEST_CASE("sk-probe verdict: only answers that crossed the network teach the round trip") {
  using K = sockkit::FailureKind;
  CHECK(sk_probe::teaches_round_trip(0, K::other));  // open: a SYN-ACK
  CHECK(sk_probe::teaches_round_trip(ECONNREFUSED, K::refused));
  CHECK(sk_probe::teaches_round_trip(EHOSTUNREACH, K::unreachable));
  CHECK_FALSE(sk_probe::teaches_round_trip(EPERM, K::local_firewall));
  CHECK_FALSE(sk_probe::teaches_round_trip(ENETUNREACH, K::no_route));
  CHECK_FALSE(sk_probe::teaches_round_trip(EADDRNOTAVAIL, K::no_local_address));
  CHECK_FALSE(sk_probe::teaches_round_trip(EMFILE, K::out_of_resources));
}

TEST_CASE("sk-probe timeouts: the ceiling until an answer came") {
  std::atomic<std::int64_t> shared{0};
  sk_probe::ProbeTimeouts timeouts(2, 1000ms, shared);
  CHECK(timeouts.timeout_for(0) == 1000ms);
  CHECK(timeouts.timeout_for(1) == 1000ms);
}

TEST_CASE("sk-probe timeouts: a host's own answers, then the path's, then other threads'") {
  std::atomic<std::int64_t> shared{0};
  sk_probe::ProbeTimeouts timeouts(2, 1000ms, shared);
  // 50 ms, steady: 3 x SRTT = 150 ms beats SRTT + 4 x RTTVAR once the variance settles;
  // the first sample sets RTTVAR to half of it, so 50 + 4 x 25 = 150 ms as well.
  timeouts.learn(0, 50ms);
  CHECK(timeouts.timeout_for(0) == 150ms);
  // Host 1 has said nothing: it gets what the path taught.
  CHECK(timeouts.timeout_for(1) == 150ms);
  // What this thread learnt was published for the others.
  CHECK(shared.load() == std::chrono::nanoseconds(150ms).count());
  std::atomic<std::int64_t> other_shared{0};
  sk_probe::ProbeTimeouts quiet(1, 1000ms, shared);
  CHECK(quiet.timeout_for(0) == 150ms);
  sk_probe::ProbeTimeouts alone(1, 1000ms, other_shared);
  CHECK(alone.timeout_for(0) == 1000ms);
}

TEST_CASE("sk-probe timeouts: within the floor and the ceiling") {
  std::atomic<std::int64_t> shared{0};
  sk_probe::ProbeTimeouts fast(1, 1000ms, shared);
  fast.learn(0, 1ms);  // loopback: a few ms would call late answers lost
  CHECK(fast.timeout_for(0) == sk_probe::ProbeTimeouts::kFloor);
  sk_probe::ProbeTimeouts slow(1, 1000ms, shared);
  slow.learn(0, 800ms);
  CHECK(slow.timeout_for(0) == 1000ms);
  // A ceiling below the floor wins: --timeout 50ms means 50 ms.
  sk_probe::ProbeTimeouts tight(1, 50ms, shared);
  tight.learn(0, 1ms);
  CHECK(tight.timeout_for(0) == 50ms);
}
