// sk-ping's tally: what a run adds up to, from the attempts' results alone.
#include "tally.hpp"

#include <cerrno>

#include <doctest/doctest.h>

using sk_ping::AttemptResult;
using sk_ping::Outcome;
using sk_ping::Tally;

namespace {

AttemptResult result(Outcome outcome, double rtt_ms = -1) {
  AttemptResult r;
  r.outcome = outcome;
  r.rtt_ms = rtt_ms;
  return r;
}

}  // namespace

TEST_CASE("sk-ping tally: counts by outcome, answered, failed, loss") {
  Tally t;
  t.add(result(Outcome::connected, 1.0));
  t.add(result(Outcome::connected, 3.0));
  t.add(result(Outcome::refused, 0.2));
  t.add(result(Outcome::timeout));
  CHECK(t.sent == 4);
  CHECK(t.count(Outcome::connected) == 2);
  CHECK(t.count(Outcome::refused) == 1);
  CHECK(t.count(Outcome::timeout) == 1);
  CHECK(t.answered() == 2);
  CHECK(t.failed() == 2);
  CHECK(t.loss_pct() == doctest::Approx(50.0));
  SUBCASE("only answered attempts are timed") {
    CHECK(t.rtt.count() == 2);
    CHECK(t.rtt.min() == 1.0);
    CHECK(t.rtt.mean() == doctest::Approx(2.0));
    CHECK(t.rtt.max() == 3.0);
    CHECK(t.rtt.mdev() == doctest::Approx(1.0));
  }
}

TEST_CASE("sk-ping tally: an empty run has no loss and no times") {
  Tally t;
  CHECK(t.sent == 0);
  CHECK(t.loss_pct() == 0.0);
  CHECK(t.syn_loss_pct() == 0.0);
  CHECK(t.rtt.count() == 0);
}

TEST_CASE("sk-ping tally: a mismatch completed its handshake and is timed, but fails") {
  Tally t;
  t.add(result(Outcome::mismatch, 2.5));
  CHECK(t.answered() == 0);
  CHECK(t.failed() == 1);
  CHECK(t.rtt.count() == 1);
  CHECK(t.cause(Outcome::mismatch).count == 1);
}

TEST_CASE("sk-ping tally: SYNs sent and retransmitted") {
  Tally t;
  auto slow = result(Outcome::connected, 1001.0);
  slow.syn_retrans = 1;
  t.add(slow);
  auto lost = result(Outcome::timeout);
  lost.syn_retrans = 2;
  t.add(lost);
  t.add(result(Outcome::connected, 1.0));
  // 2 + 3 + 1 SYNs; unanswered: 1 + 2 retransmissions and the timed-out attempt's last.
  CHECK(t.syn_sent == 6);
  CHECK(t.syn_retrans == 3);
  CHECK(t.retransmitted_attempts == 1);
  CHECK(t.syn_loss_pct() == doctest::Approx(100.0 * 4 / 6));
  SUBCASE("a connect() that failed on this host sent no SYN") {
    auto local = result(Outcome::unreachable);
    local.local = true;
    local.error = ENETUNREACH;
    t.add(local);
    CHECK(t.syn_sent == 6);
    CHECK(t.local_unreachable.count == 1);
    CHECK(t.remote_unreachable.count == 0);
  }
  SUBCASE("UDP counts no SYNs") {
    Tally udp;
    udp.udp = true;
    udp.add(result(Outcome::reply, 0.5));
    CHECK(udp.syn_sent == 0);
    CHECK(udp.answered() == 1);
  }
}

TEST_CASE("sk-ping tally: failure causes keep the first reason and see a second") {
  Tally t;
  auto a = result(Outcome::error);
  a.error = EADDRNOTAVAIL;
  t.add(a);
  t.add(a);
  CHECK(t.cause(Outcome::error).count == 2);
  CHECK(t.cause(Outcome::error).error == EADDRNOTAVAIL);
  CHECK_FALSE(t.cause(Outcome::error).mixed);
  auto b = result(Outcome::error);
  b.error = EMFILE;
  t.add(b);
  CHECK(t.cause(Outcome::error).mixed);
  CHECK(t.out_of_descriptors == 1);
}

TEST_CASE("sk-ping tally: UDP duplicates, late and reordered replies") {
  Tally t;
  t.udp = true;
  t.add(result(Outcome::reply, 0.4));
  t.add(result(Outcome::timeout));
  CHECK(t.loss_pct() == doctest::Approx(50.0));
  SUBCASE("a late reply turns its timeout into a reply, without a new attempt") {
    auto late = result(Outcome::reply, 900.0);
    late.late = true;
    late.reordered = true;
    t.add(late);
    CHECK(t.sent == 2);
    CHECK(t.count(Outcome::timeout) == 0);
    CHECK(t.count(Outcome::reply) == 2);
    CHECK(t.late == 1);
    CHECK(t.reordered == 1);
    CHECK(t.loss_pct() == 0.0);
    CHECK(t.rtt.count() == 2);
  }
  SUBCASE("a duplicate is counted apart and changes nothing else") {
    auto dup = result(Outcome::reply, 0.5);
    dup.duplicate = true;
    t.add(dup);
    CHECK(t.duplicates == 1);
    CHECK(t.sent == 2);
    CHECK(t.rtt.count() == 1);
  }
}

TEST_CASE("sk-ping tally: first byte, close and DNS times") {
  Tally t;
  auto r = result(Outcome::connected, 1.0);
  r.ttfb_ms = 2.0;
  r.close_end = sk_ping::CloseEnd::fin;
  r.close_ms = 0.5;
  r.dns_ms = 0.1;
  t.add(r);
  auto held = result(Outcome::connected, 1.0);
  held.close_end = sk_ping::CloseEnd::timeout;
  held.close_bytes = 10;
  t.add(held);
  CHECK(t.ttfb.count() == 1);
  CHECK(t.close.count() == 1);  // only a close that ended in the peer's FIN is timed
  CHECK(t.close_kept_sending == 1);
  CHECK(t.close_ends[static_cast<std::size_t>(sk_ping::CloseEnd::timeout)] == 1);
  CHECK(t.dns.count() == 1);
}
