#include "sockkit/census.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"
#include "sockkit/address.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_records.hpp"

using sockkit::Census;
using sockkit::GroupCounter;
using sockkit::GroupKey;
using sockkit::IpAddress;
using sockkit::parse_state_list;
using sockkit::SocketRecord;
using sockkit::state_bit;
using sockkit::StateCounts;
using sockkit::TcpState;
using sockkit::Transport;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

constexpr std::uint32_t bits(std::initializer_list<TcpState> states) {
  std::uint32_t mask = 0;
  for (auto s : states) mask |= state_bit(s);
  return mask;
}

std::string list_error(std::string_view text) {
  return input_error_of([&] { (void)parse_state_list(text); });
}

std::string keys_error(std::string_view text) {
  return input_error_of([&] { (void)sockkit::parse_group_keys(text); });
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string swap_separators(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c == '-') {
      c = '_';
    } else if (c == '_') {
      c = '-';
    }
  }
  return out;
}

std::string row_text(const GroupCounter::Row& row) {
  return fmt::format("{} st={} l={}:{} r={}:{} x{}",
                     row.value.transport == Transport::tcp ? "tcp" : "udp", row.value.state,
                     row.value.laddr, row.value.lport, row.value.raddr, row.value.rport, row.count);
}

// One row a line, so a failing check prints both tables.
std::string rows_text(const GroupCounter& counter, std::size_t top = 0) {
  std::string out;
  for (const auto& row : counter.rows(top)) out += row_text(row) + "\n";
  return out;
}

}  // namespace

TEST_CASE("census: StateCounts add and index and total and +=") {
  StateCounts counts;
  CHECK(counts.total() == 0);
  counts.add(static_cast<std::uint8_t>(TcpState::established));
  counts.add(static_cast<std::uint8_t>(TcpState::established));
  counts.add(static_cast<std::uint8_t>(TcpState::time_wait));
  counts.add(static_cast<std::uint8_t>(TcpState::listen));
  CHECK(counts[TcpState::established] == 2);
  CHECK(counts[TcpState::time_wait] == 1);
  CHECK(counts[TcpState::listen] == 1);
  CHECK(counts[TcpState::close_wait] == 0);
  CHECK(counts.by_state[1] == 2);
  CHECK(counts.total() == 4);

  StateCounts more;
  more.add(static_cast<std::uint8_t>(TcpState::time_wait));
  more.add(static_cast<std::uint8_t>(TcpState::new_syn_recv));
  counts += more;
  CHECK(counts[TcpState::time_wait] == 2);
  CHECK(counts[TcpState::new_syn_recv] == 1);
  CHECK(counts.total() == 6);
  CHECK(more.total() == 2);

  // Out-of-range state numbers never write outside the array.
  StateCounts wild;
  wild.add(255);
  wild.add(16);
  CHECK(wild.total() == 2);
}

TEST_CASE("census: FamilyCounts::both and Census add/total/clear") {
  Census census;
  census.add(tcp_record("127.0.0.1", 80, "127.0.0.1", 40000));
  census.add(tcp_record("127.0.0.1", 80, "127.0.0.1", 40001));
  census.add(tcp_record("0.0.0.0", 80, "0.0.0.0", 0, TcpState::listen));
  census.add(tcp_record("::1", 443, "::1", 50000, TcpState::time_wait));
  census.add(tcp_record("::ffff:127.0.0.1", 443, "::ffff:127.0.0.1", 50001));  // counted as IPv6
  census.add(record(Transport::udp, "127.0.0.1", 53, "0.0.0.0", 0, TcpState::close));
  census.add(record(Transport::udp, "::1", 53, "::", 0, TcpState::close));
  census.add(record(Transport::udp, "::1", 5353, "::1", 9, TcpState::established));

  CHECK(census.tcp.ipv4[TcpState::established] == 2);
  CHECK(census.tcp.ipv4[TcpState::listen] == 1);
  CHECK(census.tcp.ipv4.total() == 3);
  CHECK(census.tcp.ipv6[TcpState::time_wait] == 1);
  CHECK(census.tcp.ipv6[TcpState::established] == 1);
  CHECK(census.tcp.ipv6.total() == 2);
  CHECK(census.udp.ipv4[TcpState::close] == 1);
  CHECK(census.udp.ipv4.total() == 1);
  CHECK(census.udp.ipv6[TcpState::close] == 1);
  CHECK(census.udp.ipv6[TcpState::established] == 1);

  auto both = census.tcp.both();
  CHECK(both[TcpState::established] == 3);
  CHECK(both[TcpState::listen] == 1);
  CHECK(both[TcpState::time_wait] == 1);
  CHECK(both.total() == 5);
  CHECK(census.udp.both().total() == 3);
  CHECK(census.total() == 8);

  census.clear();
  CHECK(census.total() == 0);
  CHECK(census.tcp.both().total() == 0);
  CHECK(census.udp.ipv6[TcpState::close] == 0);
}

TEST_CASE("census: state_bit and kAllTcpStates") {
  CHECK(state_bit(TcpState::established) == 0x2U);
  CHECK(state_bit(TcpState::listen) == 0x400U);
  CHECK(state_bit(TcpState::new_syn_recv) == 0x1000U);
  CHECK(sockkit::kAllTcpStates == 0x1ffeU);
}

TEST_CASE("census: parse_state_list accepts every spelling of every state") {
  for (const auto& info : sockkit::tcp_states()) {
    std::uint32_t expected = state_bit(info.state);
    if (info.state == TcpState::syn_recv || info.state == TcpState::new_syn_recv) {
      expected = bits({TcpState::syn_recv, TcpState::new_syn_recv});
    }
    std::vector<std::string> spellings{std::string(info.name), std::string(info.key)};
    if (!info.rfc_name.empty()) spellings.emplace_back(info.rfc_name);
    for (auto alias : info.aliases) spellings.emplace_back(alias);
    for (const auto& spelling : spellings) {
      for (const auto& variant : {spelling, upper(spelling), swap_separators(spelling)}) {
        CAPTURE(variant);
        CHECK(parse_state_list(variant) == expected);
      }
    }
  }
  // A few spellings users type.
  CHECK(parse_state_list("time-wait") == state_bit(TcpState::time_wait));
  CHECK(parse_state_list("timewait") == state_bit(TcpState::time_wait));
  CHECK(parse_state_list("TIME_WAIT") == state_bit(TcpState::time_wait));
  CHECK(parse_state_list("estab") == state_bit(TcpState::established));
  CHECK(parse_state_list("ESTABLISHED") == state_bit(TcpState::established));
  CHECK(parse_state_list("syn-rcvd") == bits({TcpState::syn_recv, TcpState::new_syn_recv}));
  CHECK(parse_state_list("SYN-RECEIVED") == bits({TcpState::syn_recv, TcpState::new_syn_recv}));
  CHECK(parse_state_list("new-syn-recv") == bits({TcpState::syn_recv, TcpState::new_syn_recv}));
  CHECK(parse_state_list("closed") == state_bit(TcpState::close));
  CHECK(parse_state_list("unconn") == state_bit(TcpState::close));
  CHECK(parse_state_list("listening") == state_bit(TcpState::listen));
  CHECK(parse_state_list("fin-wait-1") == state_bit(TcpState::fin_wait1));
  CHECK(parse_state_list("fin_wait2") == state_bit(TcpState::fin_wait2));
}

TEST_CASE("census: parse_state_list groups have exact masks") {
  CHECK(parse_state_list("all") == 0x1ffeU);
  CHECK(parse_state_list("connected") ==
        bits({TcpState::established, TcpState::syn_sent, TcpState::syn_recv, TcpState::fin_wait1,
              TcpState::fin_wait2, TcpState::time_wait, TcpState::close_wait, TcpState::last_ack,
              TcpState::closing, TcpState::new_syn_recv}));
  CHECK((parse_state_list("connected") & bits({TcpState::listen, TcpState::close})) == 0);
  CHECK(parse_state_list("synchronized") ==
        bits({TcpState::established, TcpState::syn_recv, TcpState::fin_wait1, TcpState::fin_wait2,
              TcpState::time_wait, TcpState::close_wait, TcpState::last_ack, TcpState::closing,
              TcpState::new_syn_recv}));
  // As in ss(8), "closing" is the CLOSING state; the states after a FIN are "teardown".
  CHECK(parse_state_list("closing") == state_bit(TcpState::closing));
  CHECK(parse_state_list("teardown") ==
        bits({TcpState::fin_wait1, TcpState::fin_wait2, TcpState::closing, TcpState::time_wait,
              TcpState::close_wait, TcpState::last_ack}));
  CHECK(parse_state_list("bucket") ==
        bits({TcpState::syn_recv, TcpState::time_wait, TcpState::new_syn_recv}));
  CHECK(parse_state_list("big") ==
        bits({TcpState::established, TcpState::syn_sent, TcpState::fin_wait1, TcpState::fin_wait2,
              TcpState::close, TcpState::close_wait, TcpState::last_ack, TcpState::listen,
              TcpState::closing}));
  CHECK((parse_state_list("big") | parse_state_list("bucket")) == parse_state_list("all"));
  CHECK((parse_state_list("big") & parse_state_list("bucket")) == 0);
  CHECK(parse_state_list("syn-recv") ==
        (state_bit(TcpState::syn_recv) | state_bit(TcpState::new_syn_recv)));

  // Group names in any case; lists combine.
  CHECK(parse_state_list("ALL") == 0x1ffeU);
  CHECK(parse_state_list("Connected") == parse_state_list("connected"));
  CHECK(parse_state_list("CLOSING") == state_bit(TcpState::closing));
  CHECK(parse_state_list("TearDown") == parse_state_list("teardown"));
  CHECK(parse_state_list("listen,established") == bits({TcpState::listen, TcpState::established}));
  CHECK(parse_state_list("time-wait,close-wait") ==
        bits({TcpState::time_wait, TcpState::close_wait}));
  CHECK(parse_state_list("listen,listen") == state_bit(TcpState::listen));
  CHECK(parse_state_list("listen,connected") == 0x1ffeU - state_bit(TcpState::close));
  CHECK(parse_state_list("closing,listen") == bits({TcpState::closing, TcpState::listen}));
  CHECK(parse_state_list("teardown,closing") == parse_state_list("teardown"));
}

TEST_CASE("census: parse_state_list errors") {
  const std::string expected_words =
      "expected a TCP state (e.g. time-wait, close-wait) or a group: all, connected, "
      "synchronized, teardown, bucket, big";
  CHECK(list_error("") == "invalid state list \"\": expected states such as time-wait");
  CHECK(list_error("bogus") == "invalid state \"bogus\": " + expected_words);
  CHECK(list_error("a,,b") == "invalid state \"a\": " + expected_words);
  CHECK(list_error("listen,,time-wait") ==
        "invalid state list \"listen,,time-wait\": an entry is empty");
  CHECK(list_error("listen,") == "invalid state list \"listen,\": an entry is empty");
  CHECK(list_error(",listen") == "invalid state list \",listen\": an entry is empty");
  CHECK(list_error(",") == "invalid state list \",\": an entry is empty");
  CHECK(list_error("listen,bogus") == "invalid state \"bogus\": " + expected_words);
  CHECK(list_error("listen ") == "invalid state \"listen \": " + expected_words);
  CHECK(list_error("all-states") == "invalid state \"all-states\": " + expected_words);
  // The old spelling of the lone state is refused with the word that replaced it.
  const std::string renamed =
      ": the CLOSING state is spelled closing (the group of states "
      "after a FIN is teardown)";
  CHECK(list_error("closing-state") == "invalid state \"closing-state\"" + renamed);
  CHECK(list_error("CLOSING_STATE") == "invalid state \"CLOSING_STATE\"" + renamed);
  CHECK(list_error("listen,closing-state") == "invalid state \"closing-state\"" + renamed);
  CHECK(list_error("-") == "invalid state \"-\": " + expected_words);
}

TEST_CASE("census: state_keys in kernel order") {
  CHECK(sockkit::state_keys(0).empty());
  CHECK(sockkit::state_keys(bits({TcpState::close_wait, TcpState::time_wait})) ==
        std::vector<std::string_view>{"time_wait", "close_wait"});
  CHECK(sockkit::state_keys(sockkit::kAllTcpStates) ==
        std::vector<std::string_view>{"established", "syn_sent", "syn_recv", "fin_wait1",
                                      "fin_wait2", "time_wait", "close", "close_wait", "last_ack",
                                      "listen", "closing"});
  // SYN_RECV and NEW_SYN_RECV are one key.
  CHECK(sockkit::state_keys(parse_state_list("syn-recv")) ==
        std::vector<std::string_view>{"syn_recv"});
  CHECK(sockkit::state_keys(parse_state_list("closing")) ==
        std::vector<std::string_view>{"closing"});
  CHECK(sockkit::state_keys(parse_state_list("teardown")) ==
        std::vector<std::string_view>{"fin_wait1", "fin_wait2", "time_wait", "close_wait",
                                      "last_ack", "closing"});
}

TEST_CASE("census: parse_group_keys and group_key_name") {
  CHECK(sockkit::parse_group_keys("state") == std::vector<GroupKey>{GroupKey::state});
  CHECK(sockkit::parse_group_keys("state,raddr") ==
        std::vector<GroupKey>{GroupKey::state, GroupKey::raddr});
  CHECK(sockkit::parse_group_keys("raddr,lport,state,rport,laddr") ==
        std::vector<GroupKey>{GroupKey::raddr, GroupKey::lport, GroupKey::state, GroupKey::rport,
                              GroupKey::laddr});
  const std::string allowed = "expected state, lport, rport, laddr, raddr, process or netns";
  CHECK(keys_error("") == "invalid grouping key \"\": " + allowed);
  CHECK(keys_error("bogus") == "invalid grouping key \"bogus\": " + allowed);
  CHECK(keys_error("State") == "invalid grouping key \"State\": " + allowed);
  CHECK(keys_error("state,") == "invalid grouping key \"\": " + allowed);
  CHECK(keys_error("state,,lport") == "invalid grouping key \"\": " + allowed);
  CHECK(keys_error("state,state") == "grouping key \"state\" is given twice");
  CHECK(keys_error("lport,raddr,lport") == "grouping key \"lport\" is given twice");

  for (auto key :
       {GroupKey::state, GroupKey::lport, GroupKey::rport, GroupKey::laddr, GroupKey::raddr}) {
    auto name = sockkit::group_key_name(key);
    CHECK(sockkit::parse_group_keys(name) == std::vector<GroupKey>{key});
  }
  CHECK(sockkit::group_key_name(GroupKey::laddr) == "laddr");
  CHECK(sockkit::group_key_name(static_cast<GroupKey>(99)) == "?");
}

TEST_CASE("census: GroupCounter counts by the keys asked for with the largest first") {
  GroupCounter by_peer({GroupKey::raddr});
  CHECK(by_peer.keys() == std::vector<GroupKey>{GroupKey::raddr});
  CHECK(by_peer.rows().empty());
  for (std::uint16_t i = 0; i < 3; ++i) {
    by_peer.add(tcp_record("10.0.0.9", 80, "10.0.0.1", 40000 + i));
  }
  // A dual-stack socket's IPv4 peer is the same peer.
  for (std::uint16_t i = 0; i < 2; ++i) {
    by_peer.add(tcp_record("::ffff:10.0.0.9", 80, "::ffff:10.0.0.1", 50000 + i));
  }
  by_peer.add(tcp_record("::1", 80, "::1", 1));
  for (std::uint16_t i = 0; i < 4; ++i) {
    by_peer.add(tcp_record("10.0.0.9", 443, "192.168.1.5", 1000 + i, TcpState::time_wait));
  }

  auto rows = by_peer.rows();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].count == 5);
  CHECK(rows[0].value.raddr == ip("10.0.0.1"));
  CHECK(rows[0].value.raddr.is_v4());
  CHECK(rows[1].count == 4);
  CHECK(rows[1].value.raddr == ip("192.168.1.5"));
  CHECK(rows[2].count == 1);
  CHECK(rows[2].value.raddr == ip("::1"));
  // The keys not asked for stay zero.
  for (const auto& row : rows) {
    CHECK(row.value.state == 0);
    CHECK(row.value.lport == 0);
    CHECK(row.value.rport == 0);
    CHECK(row.value.laddr == IpAddress{});
    CHECK(row.value.transport == Transport::tcp);
  }

  auto top = by_peer.rows(1);
  REQUIRE(top.size() == 1);
  CHECK(top[0].count == 5);
  CHECK(by_peer.rows(2).size() == 2);
  CHECK(by_peer.rows(10).size() == 3);

  by_peer.clear();
  CHECK(by_peer.rows().empty());
}

TEST_CASE("census: GroupCounter with several keys orders ties by value") {
  GroupCounter counter({GroupKey::state, GroupKey::lport, GroupKey::laddr});
  counter.add(tcp_record("10.0.0.9", 443, "10.0.0.1", 1));
  counter.add(tcp_record("10.0.0.9", 443, "10.0.0.2", 2));
  counter.add(tcp_record("10.0.0.9", 80, "10.0.0.1", 3));
  counter.add(tcp_record("10.0.0.9", 80, "10.0.0.1", 4, TcpState::time_wait));
  counter.add(tcp_record("::ffff:10.0.0.9", 22, "::ffff:10.0.0.1", 5));
  counter.add(tcp_record("10.0.0.8", 22, "10.0.0.1", 6));
  counter.add(record(Transport::udp, "10.0.0.9", 53, "0.0.0.0", 0, TcpState::close));

  CHECK(rows_text(counter) ==
        "tcp st=1 l=10.0.0.9:443 r=0.0.0.0:0 x2\n"
        "tcp st=1 l=10.0.0.8:22 r=0.0.0.0:0 x1\n"
        "tcp st=1 l=10.0.0.9:22 r=0.0.0.0:0 x1\n"
        "tcp st=1 l=10.0.0.9:80 r=0.0.0.0:0 x1\n"
        "tcp st=6 l=10.0.0.9:80 r=0.0.0.0:0 x1\n"
        "udp st=7 l=10.0.0.9:53 r=0.0.0.0:0 x1\n");
  CHECK(rows_text(counter, 2) ==
        "tcp st=1 l=10.0.0.9:443 r=0.0.0.0:0 x2\n"
        "tcp st=1 l=10.0.0.8:22 r=0.0.0.0:0 x1\n");

  // The same sockets added in another order give the same rows.
  GroupCounter reversed({GroupKey::state, GroupKey::lport, GroupKey::laddr});
  reversed.add(record(Transport::udp, "10.0.0.9", 53, "0.0.0.0", 0, TcpState::close));
  reversed.add(tcp_record("10.0.0.8", 22, "10.0.0.1", 6));
  reversed.add(tcp_record("::ffff:10.0.0.9", 22, "::ffff:10.0.0.1", 5));
  reversed.add(tcp_record("10.0.0.9", 80, "10.0.0.1", 4, TcpState::time_wait));
  reversed.add(tcp_record("10.0.0.9", 80, "10.0.0.1", 3));
  reversed.add(tcp_record("10.0.0.9", 443, "10.0.0.2", 2));
  reversed.add(tcp_record("10.0.0.9", 443, "10.0.0.1", 1));
  CHECK(rows_text(reversed) == rows_text(counter));
}

// TCP and UDP rows with the same count and keyed values are ordered by transport,
// so the same sockets added in another order print in the same order.
TEST_CASE("census: GroupCounter ties between TCP and UDP rows") {
  GroupCounter first({GroupKey::lport});
  first.add(tcp_record("10.0.0.9", 53, "10.0.0.1", 1));
  first.add(record(Transport::udp, "10.0.0.9", 53, "0.0.0.0", 0, TcpState::close));
  GroupCounter second({GroupKey::lport});
  second.add(record(Transport::udp, "10.0.0.9", 53, "0.0.0.0", 0, TcpState::close));
  second.add(tcp_record("10.0.0.9", 53, "10.0.0.1", 1));
  CHECK(rows_text(first) == rows_text(second));
}

TEST_CASE("census: the netns key groups by the namespace each counter was read in") {
  // One counter per namespace, merged after the walk: the same port in two namespaces
  // is two groups, the same namespace's sockets add up.
  GroupCounter blue({GroupKey::netns, GroupKey::lport});
  GroupCounter green({GroupKey::netns, GroupKey::lport});
  for (std::uint16_t i = 0; i < 3; ++i) {
    blue.add(tcp_record("10.0.0.9", 8080, "10.0.0.1", 40000 + i, TcpState::close_wait), 0,
             4026532301);
  }
  green.add(tcp_record("10.0.0.9", 8080, "10.0.0.1", 40000, TcpState::close_wait), 0, 4026532400);
  GroupCounter merged({GroupKey::netns, GroupKey::lport});
  merged.merge(blue);
  merged.merge(green);
  merged.merge(blue);
  auto rows = merged.rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].value.netns == 4026532301);
  CHECK(rows[0].value.lport == 8080);
  CHECK(rows[0].count == 6);
  CHECK(rows[1].value.netns == 4026532400);
  CHECK(rows[1].count == 1);
  // Without the key the namespace is not part of the group.
  GroupCounter by_port({GroupKey::lport});
  by_port.add(tcp_record("10.0.0.9", 8080, "10.0.0.1", 1), 0, 4026532301);
  by_port.add(tcp_record("10.0.0.9", 8080, "10.0.0.1", 2), 0, 4026532400);
  REQUIRE(by_port.rows().size() == 1);
  CHECK(by_port.rows()[0].value.netns == 0);
  CHECK(sockkit::parse_group_keys("netns,lport") ==
        std::vector<GroupKey>{GroupKey::netns, GroupKey::lport});
  CHECK(sockkit::group_key_name(GroupKey::netns) == "netns");
}
