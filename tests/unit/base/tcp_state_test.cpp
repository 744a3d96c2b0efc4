#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sockkit/tcp_state.hpp"
#include "text_checks.hpp"

using sockkit::TcpState;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

struct Expected {
  TcpState state;
  int number;
  std::string_view name;
  std::string_view rfc_name;
  std::string_view key;
};

// Written out by hand rather than derived, so a change to the table has to be deliberate:
// the keys are Prometheus label values and the names are what ss prints.
constexpr std::array<Expected, 12> kExpected{{
    {TcpState::established, 1, "ESTABLISHED", "ESTABLISHED", "established"},
    {TcpState::syn_sent, 2, "SYN_SENT", "SYN-SENT", "syn_sent"},
    {TcpState::syn_recv, 3, "SYN_RECV", "SYN-RECEIVED", "syn_recv"},
    {TcpState::fin_wait1, 4, "FIN_WAIT1", "FIN-WAIT-1", "fin_wait1"},
    {TcpState::fin_wait2, 5, "FIN_WAIT2", "FIN-WAIT-2", "fin_wait2"},
    {TcpState::time_wait, 6, "TIME_WAIT", "TIME-WAIT", "time_wait"},
    {TcpState::close, 7, "CLOSE", "CLOSED", "close"},
    {TcpState::close_wait, 8, "CLOSE_WAIT", "CLOSE-WAIT", "close_wait"},
    {TcpState::last_ack, 9, "LAST_ACK", "LAST-ACK", "last_ack"},
    {TcpState::listen, 10, "LISTEN", "LISTEN", "listen"},
    {TcpState::closing, 11, "CLOSING", "CLOSING", "closing"},
    {TcpState::new_syn_recv, 12, "NEW_SYN_RECV", "", "new_syn_recv"},
}};

std::string normalised(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != '-' && c != '_') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string all_text(const sockkit::TcpStateInfo& info) {
  std::string text{info.meaning};
  text += ' ';
  text += info.pileup;
  for (const std::string_view check : info.checks) {
    text += ' ';
    text += check;
  }
  return text;
}

std::vector<std::pair<TcpState, TcpState>> edges() {
  std::vector<std::pair<TcpState, TcpState>> out;
  for (const sockkit::TcpTransition& t : sockkit::tcp_transitions()) {
    out.emplace_back(t.from, t.to);
  }
  return out;
}

const sockkit::TcpTransition* find_edge(TcpState from, TcpState to) {
  for (const sockkit::TcpTransition& t : sockkit::tcp_transitions()) {
    if (t.from == from && t.to == to) {
      return &t;
    }
  }
  return nullptr;
}

std::set<TcpState> reachable(TcpState start, bool forward) {
  std::set<TcpState> seen{start};
  std::vector<TcpState> todo{start};
  while (!todo.empty()) {
    const TcpState here = todo.back();
    todo.pop_back();
    for (const auto& [from, to] : edges()) {
      const TcpState source = forward ? from : to;
      const TcpState target = forward ? to : from;
      if (source == here && seen.insert(target).second) {
        todo.push_back(target);
      }
    }
  }
  return seen;
}

}  // namespace

TEST_CASE("tcp_states lists the twelve states in kernel-number order") {
  const auto states = sockkit::tcp_states();
  REQUIRE(states.size() == 12);
  CHECK(sockkit::kMinTcpStateNumber == 1);
  CHECK(sockkit::kMaxTcpStateNumber == 12);
  for (std::size_t i = 0; i < states.size(); ++i) {
    const Expected& want = kExpected[i];
    const sockkit::TcpStateInfo& got = states[i];
    CAPTURE(want.name);
    CHECK(got.state == want.state);
    CHECK(static_cast<int>(got.state) == want.number);
    CHECK(got.name == want.name);
    CHECK(got.rfc_name == want.rfc_name);
    CHECK(got.key == want.key);
    CHECK(got.in_rfc9293 == (want.state != TcpState::new_syn_recv));
    CHECK(&sockkit::tcp_state_info(want.state) == &got);
  }
}

TEST_CASE("tcp_state_from_number accepts 1..12 only") {
  for (const Expected& want : kExpected) {
    CHECK(sockkit::tcp_state_from_number(want.number) == want.state);
  }
  CHECK_FALSE(sockkit::tcp_state_from_number(0).has_value());
  CHECK_FALSE(sockkit::tcp_state_from_number(13).has_value());
  CHECK_FALSE(sockkit::tcp_state_from_number(-1).has_value());
  CHECK_FALSE(sockkit::tcp_state_from_number(255).has_value());
}

TEST_CASE("every name - rfc_name - key and alias parses back to its state") {
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    CAPTURE(info.name);
    CHECK(sockkit::parse_tcp_state(info.name) == info.state);
    CHECK(sockkit::parse_tcp_state(info.key) == info.state);
    if (!info.rfc_name.empty()) {
      CHECK(sockkit::parse_tcp_state(info.rfc_name) == info.state);
    }
    for (const std::string_view alias : info.aliases) {
      CAPTURE(alias);
      CHECK(sockkit::parse_tcp_state(alias) == info.state);
    }
  }
}

TEST_CASE("aliases are stored normalised and add something new") {
  std::set<std::string> spellings;
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    std::set<std::string> own{normalised(info.name), normalised(info.key)};
    if (!info.rfc_name.empty()) {
      own.insert(normalised(info.rfc_name));
    }
    for (const std::string_view alias : info.aliases) {
      CAPTURE(alias);
      CHECK(normalised(alias) == alias);
      CHECK(own.count(std::string{alias}) == 0);
      own.insert(std::string{alias});
    }
    // No spelling may belong to two states, or parsing would depend on table order.
    for (const std::string& spelling : own) {
      CAPTURE(spelling);
      CHECK(spellings.insert(spelling).second);
    }
  }
}

TEST_CASE("the spellings people type all parse") {
  const std::map<std::string_view, TcpState> cases{
      {"TIME_WAIT", TcpState::time_wait},
      {"TIME-WAIT", TcpState::time_wait},
      {"time-wait", TcpState::time_wait},
      {"timewait", TcpState::time_wait},
      {"Time_Wait", TcpState::time_wait},
      {"SYN_RECV", TcpState::syn_recv},
      {"SYN_RCVD", TcpState::syn_recv},
      {"SYN-RECEIVED", TcpState::syn_recv},
      {"syn-recv", TcpState::syn_recv},
      {"synreceived", TcpState::syn_recv},
      {"FIN_WAIT1", TcpState::fin_wait1},
      {"FIN-WAIT-1", TcpState::fin_wait1},
      {"fin_wait_1", TcpState::fin_wait1},
      {"finwait1", TcpState::fin_wait1},
      {"FIN-WAIT-2", TcpState::fin_wait2},
      {"fin_wait_2", TcpState::fin_wait2},
      {"ESTAB", TcpState::established},
      {"established", TcpState::established},
      {"CLOSED", TcpState::close},
      {"CLOSE", TcpState::close},
      {"closed", TcpState::close},
      {"UNCONN", TcpState::close},
      {"LAST-ACK", TcpState::last_ack},
      {"CLOSE-WAIT", TcpState::close_wait},
      {"close_wait", TcpState::close_wait},
      {"SYN-SENT", TcpState::syn_sent},
      {"LISTEN", TcpState::listen},
      {"listening", TcpState::listen},
      {"closing", TcpState::closing},
      {"NEW_SYN_RECV", TcpState::new_syn_recv},
      {"new-syn-recv", TcpState::new_syn_recv},
      {"--time__wait--", TcpState::time_wait},
  };
  for (const auto& [text, state] : cases) {
    CAPTURE(text);
    CHECK(sockkit::parse_tcp_state(text) == state);
  }
}

TEST_CASE("the names of ss's state groups and teardown are no state's spelling") {
  // sk-states --state takes states and groups in one list; a group word that also
  // spelled a state would make one of the two unreachable.
  for (const std::string_view group :
       {"all", "connected", "synchronized", "bucket", "big", "teardown"}) {
    CAPTURE(group);
    CHECK_FALSE(sockkit::parse_tcp_state(group).has_value());
  }
  // The old word for the lone CLOSING state is not a spelling of it.
  CHECK_FALSE(sockkit::parse_tcp_state("closing-state").has_value());
}

TEST_CASE("junk is rejected") {
  // Spaces are not separators: "TIME WAIT" is more likely a paste of two words than a state.
  const std::vector<std::string_view> junk{"",
                                           "foo",
                                           "time_wait2",
                                           "-",
                                           "--",
                                           "_",
                                           "-_-",
                                           "TIME WAIT",
                                           " TIME_WAIT",
                                           "TIME_WAIT ",
                                           "time.wait",
                                           "time_wait\n",
                                           "3",
                                           "06",
                                           "fin_wait",
                                           "fin_wait3",
                                           "finwait12",
                                           "established!",
                                           "estab lished",
                                           "closedd",
                                           "clos",
                                           "syn",
                                           "syn_rcv",
                                           "new_syn",
                                           "time\xc3\xa9wait"};
  for (const std::string_view text : junk) {
    CAPTURE(text);
    CHECK_FALSE(sockkit::parse_tcp_state(text).has_value());
  }
  CHECK_FALSE(sockkit::parse_tcp_state(std::string_view{"listen\0", 7}).has_value());
}

TEST_CASE("names and fmt formatting use the kernel spelling") {
  CHECK(fmt::format("{}", TcpState::time_wait) == "TIME_WAIT");
  CHECK(fmt::format("{}", TcpState::new_syn_recv) == "NEW_SYN_RECV");
  CHECK(fmt::format("[{:>12}]", TcpState::close) == "[       CLOSE]");
  for (const Expected& want : kExpected) {
    CHECK(sockkit::tcp_state_name(want.state) == want.name);
  }
  CHECK(sockkit::tcp_state_name(static_cast<TcpState>(0)) == "UNKNOWN");
  CHECK(sockkit::tcp_state_name(static_cast<TcpState>(13)) == "UNKNOWN");
  CHECK(fmt::format("{}", static_cast<TcpState>(99)) == "UNKNOWN");
}

TEST_CASE("tcp_state_info rejects values outside the table") {
  CHECK_THROWS_AS((void)sockkit::tcp_state_info(static_cast<TcpState>(0)), std::out_of_range);
  CHECK_THROWS_AS((void)sockkit::tcp_state_info(static_cast<TcpState>(13)), std::out_of_range);
  CHECK(sockkit::tcp_state_info(TcpState::listen).key == "listen");
}

TEST_CASE("roles") {
  CHECK(sockkit::tcp_role_name(sockkit::role_active_opener) == "active opener");
  CHECK(sockkit::tcp_role_name(sockkit::role_passive_opener) == "passive opener");
  CHECK(sockkit::tcp_role_name(sockkit::role_active_closer) == "active closer");
  CHECK(sockkit::tcp_role_name(sockkit::role_passive_closer) == "passive closer");
  CHECK(sockkit::tcp_role_name(static_cast<sockkit::TcpRole>(0)).empty());
  CHECK(sockkit::tcp_role_name(static_cast<sockkit::TcpRole>(3)).empty());

  const auto roles = [](TcpState s) { return sockkit::tcp_state_info(s).roles; };
  CHECK(roles(TcpState::syn_sent) == sockkit::role_active_opener);
  CHECK(roles(TcpState::listen) == sockkit::role_passive_opener);
  CHECK(roles(TcpState::syn_recv) == sockkit::role_passive_opener);
  CHECK(roles(TcpState::new_syn_recv) == sockkit::role_passive_opener);
  CHECK(roles(TcpState::established) ==
        (sockkit::role_active_opener | sockkit::role_passive_opener));
  for (const TcpState s :
       {TcpState::fin_wait1, TcpState::fin_wait2, TcpState::closing, TcpState::time_wait}) {
    CHECK(roles(s) == sockkit::role_active_closer);
  }
  CHECK(roles(TcpState::close_wait) == sockkit::role_passive_closer);
  CHECK(roles(TcpState::last_ack) == sockkit::role_passive_closer);
  CHECK(roles(TcpState::close) == 0x0F);
}

TEST_CASE("text fields follow the house rules") {
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    CAPTURE(info.name);
    CHECK_FALSE(info.summary.empty());
    CHECK(info.summary.size() <= 80);
    CHECK(is_printable_ascii(info.summary));
    CHECK(info.summary.back() != '.');
    CHECK(info.summary.back() != ' ');

    CHECK(info.meaning.size() > 100);
    CHECK(is_printable_ascii(info.meaning));
    CHECK(info.meaning.back() == '.');
    CHECK_FALSE(contains(info.meaning, "  "));

    // A crowd of listeners is the only one that says nothing about the host's health.
    CHECK(info.pileup.empty() == (info.state == TcpState::listen));
    CHECK(is_printable_ascii(info.pileup));
    CHECK_FALSE(contains(info.pileup, "  "));
    if (!info.pileup.empty()) {
      CHECK(info.pileup.back() == '.');
    }

    CHECK(info.checks.size() >= 3);
    CHECK(info.checks.size() <= 6);
    for (const std::string_view check : info.checks) {
      CAPTURE(check);
      CHECK_FALSE(check.empty());
      CHECK(check.size() <= 100);
      CHECK(is_printable_ascii(check));
      CHECK(check.back() != '.');
      // Only standard tools: sockkit's own commands are documented elsewhere.
      CHECK_FALSE(contains(check, "sk-"));
    }
    CHECK_FALSE(contains(all_text(info), "sk-"));
  }
}

TEST_CASE("ss state filters in the checks are names ss accepts") {
  const std::set<std::string_view> ss_filters{"established", "syn-sent",  "syn-recv", "fin-wait-1",
                                              "fin-wait-2",  "time-wait", "closed",   "close-wait",
                                              "last-ack",    "listening", "closing"};
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    for (const std::string_view check : info.checks) {
      const auto at = check.find(" state ");
      if (at == std::string_view::npos || !check.starts_with("ss ")) {
        continue;
      }
      auto rest = check.substr(at + 7);
      rest = rest.substr(0, rest.find_first_of(" |"));
      CAPTURE(check);
      CHECK(ss_filters.count(rest) == 1);
    }
  }
}

TEST_CASE("the facts an operator relies on are there") {
  const auto text = [](TcpState s) { return all_text(sockkit::tcp_state_info(s)); };

  const std::string established = text(TcpState::established);
  CHECK(contains(established, "leak"));
  CHECK(contains(established, "pool"));
  CHECK(contains(established, "keepalive"));

  const std::string syn_sent = text(TcpState::syn_sent);
  for (const std::string_view fact :
       {"net.ipv4.tcp_syn_retries", "ETIMEDOUT", "127 s", "ECONNREFUSED", "RST"}) {
    CAPTURE(fact);
    CHECK(contains(syn_sent, fact));
  }

  const std::string syn_recv = text(TcpState::syn_recv);
  for (const std::string_view fact :
       {"net.ipv4.tcp_max_syn_backlog", "net.core.somaxconn", "net.ipv4.tcp_syncookies",
        "tcp_synack_retries", "SyncookiesSent", "TCPReqQFullDrop", "ListenOverflows",
        "NEW_SYN_RECV"}) {
    CAPTURE(fact);
    CHECK(contains(syn_recv, fact));
  }

  const std::string fin_wait1 = text(TcpState::fin_wait1);
  CHECK(contains(fin_wait1, "network"));
  CHECK(contains(fin_wait1, "net.ipv4.tcp_orphan_retries"));
  CHECK(contains(fin_wait1, "net.ipv4.tcp_max_orphans"));

  const std::string fin_wait2 = text(TcpState::fin_wait2);
  CHECK(contains(fin_wait2, "net.ipv4.tcp_fin_timeout"));
  CHECK(contains(fin_wait2, "shutdown(SHUT_WR)"));
  CHECK(contains(fin_wait2, "either side"));
  CHECK(contains(fin_wait2, "no timer"));

  const std::string time_wait = text(TcpState::time_wait);
  for (const std::string_view fact :
       {"60 s", "TCP_TIMEWAIT_LEN", "2MSL", "net.ipv4.tcp_max_tw_buckets", "TCPTimeWaitOverflow",
        "net.ipv4.ip_local_port_range", "(source address, destination address, destination port)",
        "net.ipv4.tcp_tw_reuse", "timestamps", "outgoing", "net.ipv4.tcp_tw_recycle", "4.12", "NAT",
        "EADDRNOTAVAIL", "descriptor", "memory"}) {
    CAPTURE(fact);
    CHECK(contains(time_wait, fact));
  }

  const std::string close = text(TcpState::close);
  CHECK(contains(close, "CLOSED"));
  CHECK(contains(close, "reset"));
  CHECK(contains(close, "created"));

  const std::string close_wait = text(TcpState::close_wait);
  CHECK(contains(close_wait, "close()"));
  CHECK(contains(close_wait, "never time out"));
  CHECK(contains(close_wait, "error path"));
  CHECK(contains(close_wait, "ss -tnp state close-wait"));

  const std::string last_ack = text(TcpState::last_ack);
  CHECK(contains(last_ack, "net.ipv4.tcp_orphan_retries"));

  const std::string closing = text(TcpState::closing);
  CHECK(contains(closing, "simultaneous close"));
  CHECK(contains(closing, "net.ipv4.tcp_orphan_retries"));

  const std::string listen = text(TcpState::listen);
  for (const std::string_view fact :
       {"Recv-Q", "Send-Q", "backlog", "ListenOverflows", "ListenDrops", "net.core.somaxconn"}) {
    CAPTURE(fact);
    CHECK(contains(listen, fact));
  }

  const std::string new_syn_recv = text(TcpState::new_syn_recv);
  CHECK(contains(new_syn_recv, "4.4"));
  CHECK(contains(new_syn_recv, "SYN_RECV"));
  CHECK(contains(new_syn_recv, "/proc/net/tcp"));
  CHECK(contains(new_syn_recv, "sock_diag"));
}

TEST_CASE("tcp_tw_recycle is only ever mentioned as removed") {
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    for (const std::string_view text : {info.meaning, info.pileup}) {
      if (contains(text, "tcp_tw_recycle")) {
        CAPTURE(info.name);
        CHECK(contains(text, "removed"));
        CHECK(contains(text, "Never"));
      }
    }
    for (const std::string_view check : info.checks) {
      CHECK_FALSE(contains(check, "tcp_tw_recycle"));
    }
  }
}

TEST_CASE("every transition joins valid states - once per pair") {
  const auto transitions = sockkit::tcp_transitions();
  CHECK(transitions.size() >= 25);
  std::set<std::pair<TcpState, TcpState>> pairs;
  for (const sockkit::TcpTransition& t : transitions) {
    CAPTURE(t.event);
    CHECK(sockkit::tcp_state_from_number(static_cast<int>(t.from)).has_value());
    CHECK(sockkit::tcp_state_from_number(static_cast<int>(t.to)).has_value());
    CHECK(t.from != t.to);
    CHECK(pairs.insert({t.from, t.to}).second);
    CHECK_FALSE(t.event.empty());
    CHECK(is_printable_ascii(t.event));
    CHECK(is_printable_ascii(t.action));
    CHECK(t.event.back() != '.');
  }
}

TEST_CASE("every state has a way in and a way out - and the graph hangs together") {
  // The rule is strict: all twelve states, CLOSE and NEW_SYN_RECV included, have both.
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    CAPTURE(info.name);
    bool in = false;
    bool out = false;
    for (const auto& [from, to] : edges()) {
      in = in || to == info.state;
      out = out || from == info.state;
    }
    CHECK(in);
    CHECK(out);
  }
  CHECK(reachable(TcpState::close, true).size() == 12);   // every state can be reached
  CHECK(reachable(TcpState::close, false).size() == 12);  // and every state can end
}

TEST_CASE("the transitions RFC 9293 and Linux define are present") {
  struct Edge {
    TcpState from;
    TcpState to;
    std::string_view event_mentions;
    std::string_view action;
  };
  const std::vector<Edge> required{
      {TcpState::close, TcpState::listen, "listen()", ""},
      {TcpState::close, TcpState::syn_sent, "connect()", "send SYN"},
      {TcpState::listen, TcpState::close, "close()", "send RST to connections not yet accepted"},
      {TcpState::listen, TcpState::syn_recv, "receive SYN", "send SYN+ACK"},
      {TcpState::listen, TcpState::syn_sent, "RFC 9293 only", "send SYN"},
      {TcpState::listen, TcpState::new_syn_recv, "Linux", "send SYN+ACK"},
      {TcpState::syn_sent, TcpState::syn_recv, "simultaneous open", "send SYN+ACK"},
      {TcpState::syn_sent, TcpState::established, "SYN+ACK", "send ACK"},
      {TcpState::syn_sent, TcpState::close, "RST", ""},
      {TcpState::syn_recv, TcpState::established, "ACK of our SYN", ""},
      {TcpState::syn_recv, TcpState::listen, "RST", ""},
      {TcpState::syn_recv, TcpState::fin_wait1, "close()", "send FIN"},
      {TcpState::syn_recv, TcpState::close, "RST", ""},
      {TcpState::new_syn_recv, TcpState::established, "Linux", ""},
      {TcpState::new_syn_recv, TcpState::close, "tcp_synack_retries", ""},
      {TcpState::established, TcpState::fin_wait1, "close()", "send FIN"},
      {TcpState::established, TcpState::close_wait, "receive FIN", "send ACK"},
      {TcpState::established, TcpState::close, "RST", "send RST when the application aborts"},
      {TcpState::fin_wait1, TcpState::fin_wait2, "ACK of our FIN", ""},
      {TcpState::fin_wait1, TcpState::closing, "receive FIN", "send ACK"},
      {TcpState::fin_wait1, TcpState::time_wait, "also acknowledges ours", "send ACK"},
      {TcpState::fin_wait1, TcpState::close, "tcp_orphan_retries", ""},
      {TcpState::fin_wait2, TcpState::time_wait, "receive FIN", "send ACK"},
      {TcpState::fin_wait2, TcpState::close, "net.ipv4.tcp_fin_timeout", ""},
      {TcpState::close_wait, TcpState::last_ack, "close()", "send FIN"},
      {TcpState::close_wait, TcpState::close, "RST", ""},
      {TcpState::last_ack, TcpState::close, "ACK of our FIN", ""},
      {TcpState::closing, TcpState::time_wait, "ACK of our FIN", ""},
      {TcpState::closing, TcpState::close, "RST", ""},
      {TcpState::time_wait, TcpState::close, "2MSL", ""},
  };
  for (const Edge& want : required) {
    CAPTURE(sockkit::tcp_state_name(want.from));
    CAPTURE(sockkit::tcp_state_name(want.to));
    const sockkit::TcpTransition* got = find_edge(want.from, want.to);
    REQUIRE(got != nullptr);
    CHECK(contains(got->event, want.event_mentions));
    if (!want.action.empty()) {
      CHECK(got->action == want.action);
    }
  }
  CHECK(required.size() == sockkit::tcp_transitions().size());
}

TEST_CASE("Linux-only edges say so - and every state but LISTEN and CLOSE can be reset") {
  for (const sockkit::TcpTransition& t : sockkit::tcp_transitions()) {
    if (t.from == TcpState::new_syn_recv || t.to == TcpState::new_syn_recv) {
      CAPTURE(t.event);
      CHECK(contains(t.event, "Linux"));
    }
  }
  CHECK(contains(find_edge(TcpState::fin_wait2, TcpState::close)->event, "Linux"));
  CHECK(contains(find_edge(TcpState::fin_wait2, TcpState::close)->event, "orphan"));
  CHECK(contains(find_edge(TcpState::time_wait, TcpState::close)->event, "60 s"));

  // An RST ends a connection from any state that has one; this table writes that as an
  // edge to CLOSE per state rather than as a footnote.
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    if (info.state == TcpState::listen || info.state == TcpState::close) {
      continue;
    }
    CAPTURE(info.name);
    const sockkit::TcpTransition* reset = find_edge(info.state, TcpState::close);
    REQUIRE(reset != nullptr);
    CHECK(contains(reset->event, "RST"));
  }
}
