#include "sockkit/observations.hpp"

#include <linux/sock_diag.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sockkit/address.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_records.hpp"

using sockkit::Listener;
using sockkit::Observations;
using sockkit::PortRange;
using sockkit::SocketRecord;
using sockkit::StateProfile;
using sockkit::TcpState;
using sockkit::Transport;
using sockkit::TupleUse;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

// An INET_DIAG_SKMEMINFO payload as the kernel sends it: SK_MEMINFO_VARS u32 values.
struct MemInfo {
  std::array<std::uint32_t, SK_MEMINFO_VARS> values{};
  explicit MemInfo(std::uint32_t drops) {
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<std::uint32_t>(1000 + i);  // noise
    values[SK_MEMINFO_DROPS] = drops;
  }
  [[nodiscard]] std::span<const std::byte> bytes(std::size_t size = sizeof values) const {
    return std::as_bytes(std::span(values)).first(size);
  }
};

SocketRecord with_inode(SocketRecord r, std::uint32_t inode) {
  r.inode = inode;
  return r;
}

SocketRecord listener(std::string_view address, std::uint16_t port, std::uint32_t queue,
                      std::uint32_t backlog, std::uint32_t inode = 0) {
  auto any = ip(address).is_v4() ? "0.0.0.0" : "::";
  auto r = tcp_record(address, port, any, 0, TcpState::listen);
  r.rqueue = queue;
  r.wqueue = backlog;
  r.inode = inode;
  return r;
}

// "port:count" sorted by port, so a failing check shows the whole table.
std::string ports_text(const StateProfile& profile) {
  std::vector<std::pair<std::uint16_t, std::uint64_t>> rows(profile.local_ports.begin(),
                                                            profile.local_ports.end());
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& [port, n] : rows) out += fmt::format("{}{}:{}", out.empty() ? "" : " ", port, n);
  return out;
}

// "address[:port] count" sorted as text.
std::string peers_text(const StateProfile& profile) {
  std::vector<std::string> rows;
  for (const auto& [key, n] : profile.peers) {
    auto address = key.ip().to_string();
    rows.push_back(key.port != 0 ? fmt::format("{}:{} {}", address, key.port, n)
                                 : fmt::format("{} {}", address, n));
  }
  std::sort(rows.begin(), rows.end());
  return fmt::format("{}", fmt::join(rows, ", "));
}

std::string inodes_text(const StateProfile& profile) {
  return fmt::format("{}", fmt::join(profile.inodes, " "));
}

std::string listener_text(const Listener& row) {
  return fmt::format("{}:{} q={} b={} drops={} inode={}", row.address.to_string(), row.port,
                     row.queue, row.backlog, row.drops ? std::to_string(*row.drops) : "-",
                     row.inode);
}

std::string listeners_text(const Observations& observed) {
  std::vector<std::string> rows;
  for (const auto& row : observed.listeners()) rows.push_back(listener_text(row));
  return fmt::format("{}", fmt::join(rows, "; "));
}

std::string tuple_text(const TupleUse& t) {
  return fmt::format("{}->{}:{} used={} tw={} inode={}", t.local_address.to_string(),
                     t.address.to_string(), t.port, t.used, t.time_wait, t.sample_inode);
}

std::string tuples_text(const std::vector<TupleUse>& tuples) {
  std::vector<std::string> rows;
  for (const auto& t : tuples) rows.push_back(tuple_text(t));
  return fmt::format("{}", fmt::join(rows, "; "));
}

constexpr TcpState kProfiled[] = {TcpState::close_wait, TcpState::fin_wait1, TcpState::fin_wait2,
                                  TcpState::last_ack,   TcpState::closing,   TcpState::syn_sent,
                                  TcpState::syn_recv};

}  // namespace

// --- meminfo_drops ----------------------------------------------------------------------

TEST_CASE("observations: meminfo_drops reads SK_MEMINFO_DROPS") {
  MemInfo info(42);
  CHECK(sockkit::meminfo_drops(info.bytes()) == 42U);
  MemInfo none(0);
  CHECK(sockkit::meminfo_drops(none.bytes()) == 0U);
  MemInfo most(4294967295U);
  CHECK(sockkit::meminfo_drops(most.bytes()) == 4294967295U);
}

TEST_CASE("observations: meminfo_drops of a too short payload is nullopt") {
  MemInfo info(7);
  constexpr std::size_t needed = (SK_MEMINFO_DROPS + 1) * sizeof(std::uint32_t);
  CHECK(sockkit::meminfo_drops(info.bytes(needed)) == 7U);  // older kernels stop here
  CHECK_FALSE(sockkit::meminfo_drops(info.bytes(needed - 1)).has_value());
  CHECK_FALSE(sockkit::meminfo_drops(info.bytes(needed - 4)).has_value());
  CHECK_FALSE(sockkit::meminfo_drops(info.bytes(0)).has_value());
  CHECK_FALSE(sockkit::meminfo_drops({}).has_value());
}

// --- state profiles -------------------------------------------------------------------

TEST_CASE("observations: a CLOSE_WAIT profile counts sockets and local ports and peers") {
  Observations observed;
  observed.add(
      with_inode(tcp_record("127.0.0.1", 8080, "127.0.0.2", 40001, TcpState::close_wait), 501));
  observed.add(
      with_inode(tcp_record("127.0.0.1", 8080, "127.0.0.2", 40002, TcpState::close_wait), 502));
  observed.add(tcp_record("127.0.0.1", 8080, "127.0.0.3", 40001, TcpState::close_wait));
  observed.add(with_inode(tcp_record("::1", 9090, "::1", 50000, TcpState::close_wait), 503));

  const auto& profile = observed.profile(TcpState::close_wait);
  CHECK(profile.sockets == 4);
  CHECK(ports_text(profile) == "8080:3 9090:1");
  // The peer's port is ephemeral for a CLOSE_WAIT socket: peers are addresses only.
  CHECK(peers_text(profile) == "127.0.0.2 2, 127.0.0.3 1, ::1 1");
  // Only non-zero inodes, in arrival order.
  CHECK(inodes_text(profile) == "501 502 503");
  CHECK(profile.retransmitting == 0);
}

TEST_CASE("observations: SYN_SENT peers keep the port they connect to") {
  Observations observed;
  observed.add(tcp_record("10.0.0.1", 41000, "192.0.2.7", 5432, TcpState::syn_sent));
  observed.add(tcp_record("10.0.0.1", 41001, "192.0.2.7", 5432, TcpState::syn_sent));
  observed.add(tcp_record("10.0.0.1", 41002, "192.0.2.7", 6432, TcpState::syn_sent));
  observed.add(tcp_record("2001:db8::1", 41003, "2001:db8::7", 443, TcpState::syn_sent));
  const auto& profile = observed.profile(TcpState::syn_sent);
  CHECK(profile.sockets == 4);
  CHECK(peers_text(profile) == "192.0.2.7:5432 2, 192.0.2.7:6432 1, 2001:db8::7:443 1");
  CHECK(ports_text(profile) == "41000:1 41001:1 41002:1 41003:1");
  CHECK(profile.inodes.empty());
}

TEST_CASE("observations: other profiled states drop the peer port") {
  for (auto state : {TcpState::fin_wait1, TcpState::fin_wait2, TcpState::last_ack,
                     TcpState::closing, TcpState::syn_recv}) {
    CAPTURE(state);
    Observations observed;
    observed.add(tcp_record("127.0.0.1", 80, "127.0.0.9", 33000, state));
    observed.add(tcp_record("127.0.0.1", 80, "127.0.0.9", 33001, state));
    const auto& profile = observed.profile(state);
    CHECK(profile.sockets == 2);
    CHECK(peers_text(profile) == "127.0.0.9 2");
    CHECK(ports_text(profile) == "80:2");
  }
}

TEST_CASE("observations: retransmitting needs the retransmit timer and a retry") {
  Observations observed;
  auto r = tcp_record("127.0.0.1", 41000, "127.0.0.2", 80, TcpState::fin_wait1);
  r.timer = 1;
  r.retrans = 2;
  observed.add(r);  // counts
  r.retrans = 0;
  observed.add(r);  // timer armed, nothing resent yet
  r.timer = 2;      // keepalive
  r.retrans = 3;
  observed.add(r);
  r.timer = 4;  // zero-window probe
  observed.add(r);
  r.timer = 1;
  r.retrans = 1;
  observed.add(r);  // counts
  CHECK(observed.profile(TcpState::fin_wait1).sockets == 5);
  CHECK(observed.profile(TcpState::fin_wait1).retransmitting == 2);
}

TEST_CASE("observations: NEW_SYN_RECV counts in the SYN_RECV profile") {
  Observations observed;
  observed.add(with_inode(tcp_record("127.0.0.1", 80, "127.0.0.5", 40000, TcpState::syn_recv), 9));
  observed.add(tcp_record("127.0.0.1", 80, "127.0.0.5", 40001, TcpState::new_syn_recv));
  observed.add(tcp_record("127.0.0.1", 80, "127.0.0.6", 40002, TcpState::new_syn_recv));
  CHECK(observed.profile(TcpState::syn_recv).sockets == 3);
  CHECK(observed.profile(TcpState::new_syn_recv).sockets == 3);
  CHECK(&observed.profile(TcpState::new_syn_recv) == &observed.profile(TcpState::syn_recv));
  CHECK(peers_text(observed.profile(TcpState::syn_recv)) == "127.0.0.5 2, 127.0.0.6 1");
  CHECK(inodes_text(observed.profile(TcpState::syn_recv)) == "9");
}

TEST_CASE("observations: each profiled state has its own profile") {
  Observations observed;
  std::uint16_t port = 1000;
  for (std::size_t i = 0; i < std::size(kProfiled); ++i) {
    for (std::size_t n = 0; n <= i; ++n) {
      observed.add(tcp_record("127.0.0.1", port++, "127.0.0.2", 80, kProfiled[i]));
    }
  }
  for (std::size_t i = 0; i < std::size(kProfiled); ++i) {
    CAPTURE(kProfiled[i]);
    CHECK(observed.profile(kProfiled[i]).sockets == i + 1);
  }
}

TEST_CASE("observations: states without a profile and UDP sockets leave the profiles empty") {
  Observations observed;
  for (auto state : {TcpState::established, TcpState::time_wait, TcpState::close}) {
    observed.add(with_inode(tcp_record("127.0.0.1", 80, "127.0.0.2", 40000, state), 77));
  }
  observed.add(record(Transport::udp, "127.0.0.1", 53, "127.0.0.2", 40000, TcpState::close_wait));
  observed.add(record(Transport::udp, "127.0.0.1", 53, "0.0.0.0", 0, TcpState::listen));
  for (auto state : {TcpState::established, TcpState::time_wait, TcpState::close, TcpState::listen,
                     TcpState::close_wait, TcpState::syn_sent}) {
    CAPTURE(state);
    const auto& profile = observed.profile(state);
    CHECK(profile.sockets == 0);
    CHECK(profile.local_ports.empty());
    CHECK(profile.peers.empty());
    CHECK(profile.inodes.empty());
  }
  CHECK(observed.listener_count() == 0);  // the UDP "listen" is not a TCP listener
  CHECK(observed.listeners().empty());
}

TEST_CASE("observations: PeerKey::ip gives back the address of either family") {
  Observations observed;
  observed.add(tcp_record("127.0.0.1", 80, "203.0.113.9", 40000, TcpState::close_wait));
  observed.add(tcp_record("::1", 80, "2001:db8::9", 40000, TcpState::close_wait));
  std::vector<std::string> seen;
  for (const auto& [key, n] : observed.profile(TcpState::close_wait).peers) {
    seen.push_back(key.ip().to_string());
    CHECK(key.ip().family() == key.family);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(fmt::format("{}", fmt::join(seen, " ")) == "2001:db8::9 203.0.113.9");
}

// --- listeners --------------------------------------------------------------------------

TEST_CASE("observations: listeners are kept only with a queue or drops") {
  Observations observed;
  MemInfo no_drops(0);
  MemInfo drops(5);
  observed.add(listener("0.0.0.0", 22, 0, 128, 11));  // idle, no meminfo
  auto idle_meminfo = listener("0.0.0.0", 23, 0, 128, 12);
  idle_meminfo.skmeminfo = no_drops.bytes();
  observed.add(idle_meminfo);                            // idle, no drops
  observed.add(listener("127.0.0.1", 8080, 3, 10, 13));  // connections waiting
  auto dropped = listener("::", 8443, 0, 4096, 14);
  dropped.skmeminfo = drops.bytes();
  observed.add(dropped);  // nothing waiting, but dropped some
  auto both = listener("127.0.0.1", 9090, 1, 5, 15);
  both.skmeminfo = drops.bytes();
  observed.add(both);

  CHECK(observed.listener_count() == 5);
  CHECK(listeners_text(observed) ==
        "127.0.0.1:8080 q=3 b=10 drops=- inode=13; :::8443 q=0 b=4096 drops=5 inode=14; "
        "127.0.0.1:9090 q=1 b=5 drops=5 inode=15");
}

TEST_CASE("observations: a listener with a too short meminfo has unknown drops") {
  Observations observed;
  MemInfo info(9);
  auto short_info = listener("127.0.0.1", 8080, 0, 10);
  short_info.skmeminfo = info.bytes(SK_MEMINFO_DROPS * sizeof(std::uint32_t));
  observed.add(short_info);  // drops unknown and nothing waiting: left out
  auto queued = listener("127.0.0.1", 8081, 2, 10);
  queued.skmeminfo = info.bytes(SK_MEMINFO_DROPS * sizeof(std::uint32_t));
  observed.add(queued);
  CHECK(observed.listener_count() == 2);
  CHECK(listeners_text(observed) == "127.0.0.1:8081 q=2 b=10 drops=- inode=0");
}

TEST_CASE("observations: listeners are not port use and not profiles") {
  Observations observed(PortRange{1000, 2000});
  observed.add(listener("127.0.0.1", 1500, 4, 8));
  CHECK(observed.busiest_tuples(10).empty());
  for (auto state : kProfiled) CHECK(observed.profile(state).sockets == 0);
}

// --- ephemeral port use -------------------------------------------------------------------

TEST_CASE("observations: port use counts only local ports inside the ephemeral range") {
  Observations observed(PortRange{40000, 40009});
  REQUIRE(observed.ephemeral_range() == PortRange{40000, 40009});
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 8080));  // first port of the range
  observed.add(tcp_record("127.0.0.1", 40009, "127.0.0.2", 8080));  // last port
  observed.add(tcp_record("127.0.0.1", 40005, "127.0.0.2", 8080, TcpState::syn_sent));
  observed.add(tcp_record("127.0.0.1", 40006, "127.0.0.2", 8080, TcpState::close_wait));
  observed.add(tcp_record("127.0.0.1", 39999, "127.0.0.2", 8080));  // below
  observed.add(tcp_record("127.0.0.1", 40010, "127.0.0.2", 8080));  // above
  observed.add(tcp_record("127.0.0.1", 8080, "127.0.0.2", 40001));  // server side of a peer's
  CHECK(tuples_text(observed.busiest_tuples(10)) ==
        "127.0.0.1->127.0.0.2:8080 used=4 tw=0 inode=0");
}

TEST_CASE("observations: TIME_WAIT counts as port use and in time_wait") {
  Observations observed(PortRange{40000, 40099});
  for (std::uint16_t p = 40000; p < 40075; ++p) {
    observed.add(tcp_record("127.0.0.1", p, "127.0.0.1", 8080, TcpState::time_wait));
  }
  for (std::uint16_t p = 40075; p < 40080; ++p) {
    observed.add(with_inode(tcp_record("127.0.0.1", p, "127.0.0.1", 8080), 700U + p - 40075U));
  }
  CHECK(tuples_text(observed.busiest_tuples(1)) ==
        "127.0.0.1->127.0.0.1:8080 used=80 tw=75 inode=700");
}

TEST_CASE("observations: SYN_RECV is not port use of ours") {
  Observations observed(PortRange{40000, 40099});
  // A listener inside the range: its half-open connections have our port in range.
  observed.add(tcp_record("127.0.0.1", 40050, "127.0.0.2", 50000, TcpState::syn_recv));
  observed.add(tcp_record("127.0.0.1", 40050, "127.0.0.2", 50001, TcpState::new_syn_recv));
  CHECK(observed.busiest_tuples(5).empty());
  observed.add(tcp_record("127.0.0.1", 40050, "127.0.0.2", 50002));
  CHECK(tuples_text(observed.busiest_tuples(5)) ==
        "127.0.0.1->127.0.0.2:50002 used=1 tw=0 inode=0");
}

TEST_CASE("observations: without an ephemeral range port use is not counted") {
  Observations observed;
  CHECK_FALSE(observed.ephemeral_range().has_value());
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 8080));
  observed.add(tcp_record("127.0.0.1", 40001, "127.0.0.2", 8080, TcpState::time_wait));
  CHECK(observed.busiest_tuples(5).empty());
}

TEST_CASE("observations: the sample inode is the first non-zero one of the tuple") {
  Observations observed(PortRange{40000, 40099});
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 80, TcpState::time_wait));
  observed.add(with_inode(tcp_record("127.0.0.1", 40001, "127.0.0.2", 80), 31));
  observed.add(with_inode(tcp_record("127.0.0.1", 40002, "127.0.0.2", 80), 32));
  CHECK(tuples_text(observed.busiest_tuples(1)) == "127.0.0.1->127.0.0.2:80 used=3 tw=1 inode=31");
}

TEST_CASE("observations: a tuple is local address and peer address and peer port") {
  Observations observed(PortRange{40000, 40099});
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 80));
  observed.add(tcp_record("127.0.0.1", 40001, "127.0.0.2", 80));
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 81));  // another peer port
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.3", 80));  // another peer address
  observed.add(tcp_record("127.0.0.9", 40000, "127.0.0.2", 80));  // another local address
  observed.add(tcp_record("::1", 40000, "::1", 80));              // another family
  observed.add(tcp_record("::1", 40001, "::1", 80));
  observed.add(tcp_record("::1", 40002, "::1", 80, TcpState::time_wait));
  CHECK(tuples_text(observed.busiest_tuples(10)) ==
        "::1->::1:80 used=3 tw=1 inode=0; "
        "127.0.0.1->127.0.0.2:80 used=2 tw=0 inode=0; "
        "127.0.0.9->127.0.0.2:80 used=1 tw=0 inode=0; "
        "127.0.0.1->127.0.0.3:80 used=1 tw=0 inode=0; "
        "127.0.0.1->127.0.0.2:81 used=1 tw=0 inode=0");
}

TEST_CASE("observations: busiest_tuples sorts by use and keeps n") {
  Observations observed(PortRange{40000, 40999});
  std::uint16_t port = 40000;
  auto connect = [&](std::string_view peer, std::uint16_t peer_port, int n) {
    for (int i = 0; i < n; ++i) observed.add(tcp_record("10.0.0.1", port++, peer, peer_port));
  };
  connect("10.0.0.5", 443, 3);
  connect("10.0.0.2", 80, 7);
  connect("10.0.0.3", 5432, 5);
  connect("10.0.0.4", 53, 5);  // ties with 10.0.0.3:5432: the lower port first
  connect("10.0.0.1", 53, 5);  // and then the lower address
  connect("10.0.0.9", 9000, 1);

  CHECK(tuples_text(observed.busiest_tuples(10)) ==
        "10.0.0.1->10.0.0.2:80 used=7 tw=0 inode=0; "
        "10.0.0.1->10.0.0.1:53 used=5 tw=0 inode=0; "
        "10.0.0.1->10.0.0.4:53 used=5 tw=0 inode=0; "
        "10.0.0.1->10.0.0.3:5432 used=5 tw=0 inode=0; "
        "10.0.0.1->10.0.0.5:443 used=3 tw=0 inode=0; "
        "10.0.0.1->10.0.0.9:9000 used=1 tw=0 inode=0");
  CHECK(tuples_text(observed.busiest_tuples(2)) ==
        "10.0.0.1->10.0.0.2:80 used=7 tw=0 inode=0; "
        "10.0.0.1->10.0.0.1:53 used=5 tw=0 inode=0");
  CHECK(observed.busiest_tuples(1).size() == 1);
  CHECK(observed.busiest_tuples(0).empty());
  CHECK(observed.busiest_tuples(6).size() == 6);
  CHECK(observed.busiest_tuples(100).size() == 6);
}

// --- clearing ---------------------------------------------------------------------------

TEST_CASE("observations: clear_connections forgets profiles and port use and keeps listeners") {
  Observations observed(PortRange{40000, 40099});
  observed.add(
      with_inode(tcp_record("127.0.0.1", 40000, "127.0.0.2", 80, TcpState::close_wait), 5));
  observed.add(tcp_record("127.0.0.1", 40001, "127.0.0.2", 80, TcpState::syn_sent));
  observed.add(listener("127.0.0.1", 8080, 2, 4));
  observed.add(listener("127.0.0.1", 8081, 0, 4));
  REQUIRE(observed.profile(TcpState::close_wait).sockets == 1);
  REQUIRE(observed.busiest_tuples(5).size() == 1);

  observed.clear_connections();
  for (auto state : kProfiled) {
    CAPTURE(state);
    CHECK(observed.profile(state).sockets == 0);
    CHECK(observed.profile(state).local_ports.empty());
    CHECK(observed.profile(state).peers.empty());
    CHECK(observed.profile(state).inodes.empty());
  }
  CHECK(observed.busiest_tuples(5).empty());
  CHECK(observed.listener_count() == 2);
  CHECK(listeners_text(observed) == "127.0.0.1:8080 q=2 b=4 drops=- inode=0");
  CHECK(observed.ephemeral_range() == PortRange{40000, 40099});

  // Counting starts again from zero.
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 80, TcpState::close_wait));
  CHECK(observed.profile(TcpState::close_wait).sockets == 1);
  CHECK(tuples_text(observed.busiest_tuples(5)) == "127.0.0.1->127.0.0.2:80 used=1 tw=0 inode=0");
}

TEST_CASE("observations: clear_listeners forgets listeners and keeps connections") {
  Observations observed(PortRange{40000, 40099});
  observed.add(tcp_record("127.0.0.1", 40000, "127.0.0.2", 80, TcpState::close_wait));
  observed.add(listener("127.0.0.1", 8080, 2, 4));
  observed.add(listener("127.0.0.1", 8081, 0, 4));
  observed.clear_listeners();
  CHECK(observed.listener_count() == 0);
  CHECK(observed.listeners().empty());
  CHECK(observed.profile(TcpState::close_wait).sockets == 1);
  CHECK(observed.busiest_tuples(5).size() == 1);

  observed.add(listener("127.0.0.1", 8082, 7, 8));
  CHECK(observed.listener_count() == 1);
  CHECK(listeners_text(observed) == "127.0.0.1:8082 q=7 b=8 drops=- inode=0");
}
