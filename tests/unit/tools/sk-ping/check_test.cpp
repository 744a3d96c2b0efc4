// sk-ping --check: the status line and its code from a tally, through the Nagios layer.
#include <cerrno>

#include <doctest/doctest.h>

#include "report.hpp"

using sk_ping::AttemptResult;
using sk_ping::Outcome;

namespace {

sk_ping::Settings check_settings() {
  sk_ping::Settings s;
  s.plan.target = "db:5432";
  s.check = true;
  return s;
}

void add(sk_ping::Tally& t, Outcome outcome, double rtt_ms = -1, double dns_ms = -1) {
  AttemptResult r;
  r.outcome = outcome;
  r.rtt_ms = rtt_ms;
  r.dns_ms = dns_ms;
  t.add(r);
}

}  // namespace

TEST_CASE("sk-ping check: OK, with the average in seconds and the loss") {
  auto settings = check_settings();
  sk_ping::Tally t;
  add(t, Outcome::connected, 1.0, 0.05);
  add(t, Outcome::connected, 3.0);
  auto [line, code] = sk_ping::check_line(settings, t);
  CHECK(code == 0);
  CHECK(line ==
        "SK-PING OK - db:5432: 2/2 connected, handshake avg 2.000 ms, 0.0% loss | "
        "time=0.002s;;;0 loss=0%;;;0;100 dns=0.00005s\n");
}

TEST_CASE("sk-ping check: levels decide WARNING and CRITICAL") {
  auto settings = check_settings();
  settings.warn.rtt_ms = 1.5;
  settings.crit = {5.0, 40.0};
  sk_ping::Tally t;
  add(t, Outcome::connected, 2.0);
  add(t, Outcome::connected, 2.0);
  add(t, Outcome::timeout);
  auto [line, code] = sk_ping::check_line(settings, t);
  CHECK(code == 1);
  CHECK(line ==
        "SK-PING WARNING - db:5432: 2/3 connected, handshake avg 2.000 ms, 33.3% loss | "
        "time=0.002s;0.0015;0.005;0 loss=33.3%;;40;0;100 dns=U\n");
  add(t, Outcome::timeout);
  auto [line2, code2] = sk_ping::check_line(settings, t);
  CHECK(code2 == 2);  // 50% loss is past the critical 40%
}

TEST_CASE("sk-ping check: nothing answered is CRITICAL with an unknown time") {
  auto settings = check_settings();
  settings.warn.rtt_ms = 50;
  sk_ping::Tally t;
  add(t, Outcome::refused, 0.1);
  add(t, Outcome::refused, 0.1);
  auto [line, code] = sk_ping::check_line(settings, t);
  CHECK(code == 2);
  CHECK(line ==
        "SK-PING CRITICAL - db:5432: refused (2 of 2) | time=U;0.05;;0 loss=100%;;;0;100 dns=U\n");
}
