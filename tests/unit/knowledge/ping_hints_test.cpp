#include "sockkit/ping_hints.hpp"

#include <set>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

using sockkit::PingCounts;

namespace {

PingCounts tcp_run(std::uint64_t sent) {
  PingCounts c;
  c.port = 8080;
  c.sent = sent;
  return c;
}

}  // namespace

TEST_CASE("ping_hints: every note has a key, a condition and text that formats") {
  std::set<std::string_view> keys;
  PingCounts everything = tcp_run(5);
  for (const auto& hint : sockkit::ping_hints()) {
    CHECK_MESSAGE(keys.insert(hint.key).second, "repeated key ", hint.key);
    CHECK_FALSE(hint.when.empty());
    CHECK((hint.applies != nullptr));
    CHECK_FALSE(hint.text.empty());
  }
  // Every field a text names is one ping_notes fills: a note that applies never throws.
  everything.refused = everything.timeouts = everything.retransmitted = 1;
  everything.local_unreachable = everything.remote_unreachable = 1;
  everything.out_of_descriptors = everything.mismatched = everything.close_timeouts = 1;
  CHECK_NOTHROW((void)sockkit::ping_notes(everything));
  everything.udp = true;
  everything.duplicates = 1;
  CHECK_NOTHROW((void)sockkit::ping_notes(everything));
}

TEST_CASE("ping_hints: a healthy run gets no note") {
  auto c = tcp_run(3);
  c.connected = c.answered = 3;
  CHECK(sockkit::ping_notes(c).empty());
  c.udp = true;
  CHECK(sockkit::ping_notes(c).empty());
}

TEST_CASE("ping_hints: TCP notes, worded as sk-ping prints them") {
  auto c = tcp_run(4);
  c.refused = 4;
  CHECK(sockkit::ping_notes(c) ==
        std::vector<std::string>{
            "every answer was a reset: nothing listens on port 8080, or a firewall rejects with "
            "a TCP reset; on the server, sk-states --listening shows what listens"});

  c = tcp_run(10);
  c.connected = c.answered = 7;
  c.timeouts = 3;
  c.retransmitted = 1;
  auto notes = sockkit::ping_notes(c);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].starts_with("3 of 10 attempts got no answer in time while others connected"));
  CHECK(notes[1].starts_with("1 handshake needed a retransmitted SYN, each costing"));
  c.retransmitted = 2;
  CHECK(sockkit::ping_notes(c)[1].starts_with("2 handshakes needed a retransmitted SYN"));

  c = tcp_run(2);
  c.local_unreachable = 1;
  c.local_cause = "ENETUNREACH: no route on this host";
  c.remote_unreachable = 1;
  c.remote_icmp = true;
  c.remote_cause = "network unreachable, ICMP type 3 code 0";
  CHECK(sockkit::ping_notes(c) ==
        std::vector<std::string>{
            "nothing left this host for 1 of 2 attempts: connect() failed at once (ENETUNREACH: "
            "no route on this host), so no SYN was sent; ip route get ADDRESS shows how this "
            "host routes it",
            "ICMP errors stopped 1 of 2 attempts before the server (network unreachable, ICMP "
            "type 3 code 0): a router without a route, or a firewall's reject rule"});
}

TEST_CASE("ping_hints: the close notes tell a streaming peer from a silent one") {
  auto c = tcp_run(2);
  c.connected = c.answered = 2;
  c.close_timeouts = 1;
  c.close_kept_sending = 1;
  auto notes = sockkit::ping_notes(c);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].starts_with("the peer kept sending after our FIN"));
  c.close_timeouts = 2;
  notes = sockkit::ping_notes(c);
  REQUIRE(notes.size() == 2);
  CHECK(notes[1].starts_with("the peer acknowledged our FIN but did not send its own"));
}

TEST_CASE("ping_hints: UDP notes") {
  PingCounts c;
  c.udp = true;
  c.sent = 40;
  c.timeouts = 40;
  CHECK(sockkit::ping_notes(c) ==
        std::vector<std::string>{
            "no datagram came back: nothing echoes on that port, a firewall drops UDP, or the "
            "replies leave from another address; UDP gives no error when nothing answers"});
  c.answered = 36;
  c.timeouts = 4;
  c.reordered = 1;
  auto notes = sockkit::ping_notes(c);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0] ==
        "4 of 40 datagrams were lost: UDP does not resend, so this is the path's (or the echo "
        "service's receive buffer's) loss rate");
  CHECK(notes[1].starts_with("UDP neither removes duplicates nor keeps order"));
}
