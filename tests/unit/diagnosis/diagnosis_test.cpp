#include "sockkit/diagnosis.hpp"

#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "sockkit/census.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/kernel_counters.hpp"
#include "sockkit/observations.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/process_map.hpp"
#include "test_files.hpp"
#include "test_records.hpp"
#include "test_sockets.hpp"
#include "text_checks.hpp"

using sockkit::Census;
using sockkit::CounterSet;
using sockkit::Diagnosis;
using sockkit::DiagnosisInput;
using sockkit::Fd;
using sockkit::Finding;
using sockkit::KernelReadings;
using sockkit::Levels;
using sockkit::Observations;
using sockkit::OwnerLookup;
using sockkit::PortRange;
using sockkit::ProcessMap;
using sockkit::RuleId;
using sockkit::RuleUnit;
using sockkit::Severity;
using sockkit::SocketRecord;
using sockkit::TcpState;
using sockkit::Thresholds;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

constexpr PortRange kRange{40000, 40099};  // 100 ephemeral ports

// The counters the rules read, all at `value`.
CounterSet counters(std::int64_t value = 0) {
  CounterSet set;
  for (const char* name : {"SyncookiesSent", "ListenOverflows", "ListenDrops", "TCPReqQFullDrop",
                           "TCPTimeWaitOverflow", "TCPAbortOnTimeout", "TCPSynRetrans",
                           "TCPAbortOnMemory", "TCPMemoryPressures"}) {
    set.add("TcpExt", name, value);
  }
  set.add("Tcp", "RetransSegs", value);
  set.add("Tcp", "AttemptFails", value);
  return set;
}

// counters(base) with one of them, `name`, at `value`.
CounterSet counters_with(std::string_view name, std::int64_t value, std::int64_t base = 0) {
  CounterSet set;
  for (const auto& c : counters(base)) set.add(c.section, c.name, c.name == name ? value : base);
  return set;
}

// A quiet host with every limit known.
KernelReadings quiet_readings() {
  KernelReadings readings;
  readings.counters = counters();
  readings.sockstat.sockets_used = 20;
  readings.sockstat.tcp_inuse = 10;
  readings.sockstat.tcp_orphan = 0;
  readings.sockstat.tcp_tw = 3;
  readings.sockstat.tcp_mem_pages = 10;
  auto& s = readings.sysctls;
  s.tcp_max_tw_buckets = 1000;
  s.tcp_max_orphans = 1000;
  s.somaxconn = 4096;
  s.tcp_max_syn_backlog = 512;
  s.tcp_syncookies = 1;
  s.tcp_fin_timeout = 60;
  s.tcp_tw_reuse = 2;
  s.ip_local_port_range = kRange;
  s.tcp_mem = std::array<std::uint64_t, 3>{100, 200, 400};
  return readings;
}

// One sample: the census and observations of the same records, and the kernel's readings.
struct Sample {
  Census census;
  Observations observations;
  KernelReadings readings = quiet_readings();

  explicit Sample(std::optional<PortRange> range = kRange) : observations(range) {}

  void add(const SocketRecord& r) {
    census.add(r);
    observations.add(r);
  }
  // `n` sockets in `state` on local port `lport` (outside the ephemeral range unless the
  // test says so), peers 127.0.0.2 from port 10000 up; inodes from `inode` up when it
  // is not 0.
  void add_state(TcpState state, int n, std::uint16_t lport = 8080, std::uint32_t inode = 0) {
    for (int i = 0; i < n; ++i) {
      auto r =
          tcp_record("127.0.0.1", lport, "127.0.0.2", static_cast<std::uint16_t>(10000 + i), state);
      r.inode = inode == 0 ? 0 : inode + static_cast<std::uint32_t>(i);
      add(r);
    }
  }
  // `n` connections from ephemeral ports toward to:port, the first `time_wait` of them
  // in TIME_WAIT and the rest established.
  void add_tuple(std::string_view from, std::string_view to, std::uint16_t port, int n,
                 int time_wait) {
    for (int i = 0; i < n; ++i) {
      add(tcp_record(from, static_cast<std::uint16_t>(kRange.first + i), to, port,
                     i < time_wait ? TcpState::time_wait : TcpState::established));
    }
  }
  void add_listener(std::string_view address, std::uint16_t port, std::uint32_t queue,
                    std::uint32_t backlog, std::span<const std::byte> meminfo = {},
                    std::uint32_t inode = 0) {
    auto r = tcp_record(address, port, ip(address).is_v4() ? "0.0.0.0" : "::", 0, TcpState::listen);
    r.rqueue = queue;
    r.wqueue = backlog;
    r.skmeminfo = meminfo;
    r.inode = inode;
    add(r);
  }

  [[nodiscard]] DiagnosisInput input() const {
    DiagnosisInput in;
    in.census = &census;
    in.observations = &observations;
    in.readings = &readings;
    return in;
  }
};

// An INET_DIAG_SKMEMINFO payload carrying a drop count.
struct MemInfo {
  std::array<std::uint32_t, SK_MEMINFO_VARS> values{};
  explicit MemInfo(std::uint32_t drops) { values[SK_MEMINFO_DROPS] = drops; }
  [[nodiscard]] std::span<const std::byte> bytes() const {
    return std::as_bytes(std::span(values));
  }
};

Diagnosis diagnose(const Sample& sample, const Thresholds& thresholds = {},
                   const OwnerLookup& lookup = {}) {
  return sockkit::diagnose(sample.input(), thresholds, lookup);
}

const Finding* find(const Diagnosis& diagnosis, RuleId rule) {
  for (const auto& f : diagnosis.findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

// "critical close_wait 500; warning syn_sent 20": what fired, in order.
std::string summary(const Diagnosis& diagnosis) {
  std::vector<std::string> rows;
  for (const auto& f : diagnosis.findings) {
    rows.push_back(fmt::format("{} {} {:g}", sockkit::severity_name(f.severity),
                               sockkit::rule_info(f.rule).key, f.value));
  }
  return fmt::format("{}", fmt::join(rows, "; "));
}

std::string levels_text(const Levels& levels) {
  auto level = [](const std::optional<double>& v) {
    return v ? fmt::format("{:g}", *v) : std::string("-");
  };
  return level(levels.warn) + "/" + level(levels.crit) + (levels.off ? "/off" : "");
}

std::string counters_text(const Finding& f) {
  std::vector<std::string> rows;
  for (const auto& c : f.evidence.counters) {
    rows.push_back(fmt::format("{}={} d={}", c.name, c.value,
                               c.delta ? std::to_string(*c.delta) : std::string("-")));
  }
  return fmt::format("{}", fmt::join(rows, " "));
}

std::string limits_text(const Finding& f) {
  std::vector<std::string> rows;
  for (const auto& l : f.evidence.limits) rows.push_back(fmt::format("{}={}", l.name, l.value));
  return fmt::format("{}", fmt::join(rows, " "));
}

std::string processes_text(const Finding& f) {
  std::vector<std::string> rows;
  for (const auto& p : f.evidence.processes) {
    rows.push_back(fmt::format("{} pid {} x{}", p.command, p.pid, p.sockets));
  }
  return fmt::format("{}", fmt::join(rows, ", "));
}

std::string own_comm() {
  std::ifstream in("/proc/self/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// The lookup sk-states uses, over this machine's /proc, remembering what it was asked.
struct RecordingLookup {
  std::vector<std::uint32_t> asked;
  int calls = 0;
  OwnerLookup function() {
    return [this](std::span<const std::uint32_t> inodes) {
      ++calls;
      asked.assign(inodes.begin(), inodes.end());
      return ProcessMap::scan(inodes);
    };
  }
};

struct StateRule {
  RuleId rule;
  TcpState state;
  double warn;
  double crit;
};

// The socket-count rules with their default levels (time_wait: on 1000 buckets).
constexpr StateRule kStateRules[] = {
    {RuleId::close_wait, TcpState::close_wait, 50, 500},
    {RuleId::time_wait, TcpState::time_wait, 500, 900},
    {RuleId::fin_wait2, TcpState::fin_wait2, 100, 1000},
    {RuleId::fin_wait1, TcpState::fin_wait1, 100, 1000},
    {RuleId::last_ack, TcpState::last_ack, 100, 1000},
    {RuleId::closing, TcpState::closing, 20, 200},
    {RuleId::syn_recv, TcpState::syn_recv, 100, 1000},
    {RuleId::syn_sent, TcpState::syn_sent, 20, 200},
};

}  // namespace

// --- a healthy host -------------------------------------------------------------------

TEST_CASE("diagnosis: a healthy sample has no findings and every measure") {
  Sample s;
  s.add_state(TcpState::established, 30);
  s.add_state(TcpState::close_wait, 3);
  s.add_state(TcpState::time_wait, 10);
  s.add_state(TcpState::syn_sent, 2, 20000);
  s.add_tuple("127.0.0.1", "127.0.0.3", 5432, 12, 4);
  s.add_listener("127.0.0.1", 8080, 0, 128);
  s.add_listener("127.0.0.1", 8081, 1, 1);  // one waiting is a listener between accept()s
  RecordingLookup lookup;
  auto d = diagnose(s, {}, lookup.function());
  CHECK(summary(d).empty());
  CHECK(lookup.calls == 0);
  CHECK(d.owner_lookups == 0);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::close_wait)] == 3);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::time_wait)] == 14);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::syn_sent)] == 2);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::fin_wait1)] == 0);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::port_exhaustion)] == 12);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::accept_queue)] == 0);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::orphans)] == 0);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::tcp_memory)] == 2.5);
  for (std::size_t i = 0; i < sockkit::kRuleCount; ++i) {
    CAPTURE(i);
    CHECK(d.measures[i].has_value());
    CHECK_FALSE(d.levels[i].off);
  }
  CHECK(d.busiest_port_use == 12);
  CHECK(d.listeners_with_drops.empty());
}

TEST_CASE("diagnosis: an empty sample has no findings") {
  Sample s;
  auto d = diagnose(s);
  CHECK(summary(d).empty());
  CHECK(d.busiest_port_use == 0);
  CHECK(d.measures[static_cast<std::size_t>(RuleId::port_exhaustion)] == 0);
}

// --- the socket-count rules ---------------------------------------------------------------

TEST_CASE("diagnosis: each socket-count rule fires at warn and at crit") {
  for (const auto& rule : kStateRules) {
    const auto key = sockkit::rule_info(rule.rule).key;
    CAPTURE(key);
    struct Step {
      double count;
      std::string expected;
    };
    const Step steps[] = {
        {rule.warn - 1, ""},
        {rule.warn, fmt::format("warning {} {:g}", key, rule.warn)},
        {rule.crit - 1, fmt::format("warning {} {:g}", key, rule.crit - 1)},
        {rule.crit, fmt::format("critical {} {:g}", key, rule.crit)},
    };
    for (const auto& step : steps) {
      CAPTURE(step.count);
      Sample s;
      s.add_state(rule.state, static_cast<int>(step.count), 8080);
      auto d = diagnose(s);
      CHECK(summary(d) == step.expected);
      CHECK(d.measures[static_cast<std::size_t>(rule.rule)] == step.count);
      CHECK(levels_text(d.levels[static_cast<std::size_t>(rule.rule)]) ==
            fmt::format("{:g}/{:g}", rule.warn, rule.crit));
      const auto* f = find(d, rule.rule);
      if (step.expected.empty()) {
        CHECK(f == nullptr);
        continue;
      }
      REQUIRE(f != nullptr);
      CHECK(f->value == step.count);
      CHECK(sockkit::rule_info(f->rule).unit == RuleUnit::sockets);
      CHECK(levels_text(f->levels) == fmt::format("{:g}/{:g}", rule.warn, rule.crit));
      CHECK(f->evidence.sockets == static_cast<std::uint64_t>(step.count));
      CHECK_FALSE(f->title.empty());
      CHECK(f->title.find('\n') == std::string::npos);
      CHECK_FALSE(f->brief.empty());
    }
  }
}

TEST_CASE("diagnosis: a CLOSE_WAIT finding shows its ports and peers and title") {
  Sample s;
  s.add_state(TcpState::close_wait, 40, 8080);
  s.add_state(TcpState::close_wait, 12, 9090);
  auto r = tcp_record("::1", 7070, "::1", 50000, TcpState::close_wait);
  s.add(r);
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning close_wait 53");
  const auto& f = d.findings.front();
  CHECK(f.title == "53 sockets in CLOSE_WAIT: the peers closed, the application has not");
  CHECK(f.brief == "53 CLOSE_WAIT (:8080)");
  REQUIRE(f.evidence.local_ports.size() == 3);
  CHECK((f.evidence.local_ports[0].port == 8080 && f.evidence.local_ports[0].sockets == 40));
  CHECK((f.evidence.local_ports[1].port == 9090 && f.evidence.local_ports[1].sockets == 12));
  CHECK((f.evidence.local_ports[2].port == 7070 && f.evidence.local_ports[2].sockets == 1));
  REQUIRE(f.evidence.peers.size() == 2);
  CHECK(f.evidence.peers[0].address.to_string() == "127.0.0.2");
  CHECK_FALSE(f.evidence.peers[0].port.has_value());
  CHECK(f.evidence.peers[0].sockets == 52);
  CHECK(f.evidence.peers[1].address.to_string() == "::1");
  CHECK(f.evidence.counters.empty());
  CHECK(f.evidence.limits.empty());
  CHECK(f.evidence.tuples.empty());
  CHECK(f.evidence.listeners.empty());
  CHECK_FALSE(f.evidence.rate_per_s.has_value());
}

TEST_CASE("diagnosis: a SYN_SENT finding names the peer and its port") {
  Sample s;
  for (int i = 0; i < 25; ++i) {
    s.add(tcp_record("127.0.0.1", static_cast<std::uint16_t>(20000 + i), "192.0.2.7", 5432,
                     TcpState::syn_sent));
  }
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning syn_sent 25");
  const auto& f = d.findings.front();
  CHECK(f.title == "25 sockets in SYN_SENT: our connects get no answer");
  CHECK(f.brief == "25 SYN_SENT to 192.0.2.7:5432");
  REQUIRE(f.evidence.peers.size() == 1);
  CHECK(f.evidence.peers[0].port == 5432);
  CHECK(counters_text(f) == "TcpExtTCPSynRetrans=0 d=- TcpAttemptFails=0 d=-");
  CHECK(f.evidence.local_ports.size() == 5);  // the top five of 25
}

TEST_CASE("diagnosis: SYN_RECV counts NEW_SYN_RECV too") {
  Sample s;
  s.add_state(TcpState::syn_recv, 40);
  s.add_state(TcpState::new_syn_recv, 60);
  auto d = diagnose(s);
  CHECK(summary(d) == "warning syn_recv 100");
  const auto* f = find(d, RuleId::syn_recv);
  REQUIRE(f != nullptr);
  CHECK(f->evidence.sockets == 100);
  CHECK(limits_text(*f) == "tcp_max_syn_backlog=512 somaxconn=4096 tcp_syncookies=1");
}

TEST_CASE("diagnosis: IPv4 and IPv6 sockets count together") {
  Sample s;
  s.add_state(TcpState::close_wait, 30);
  for (int i = 0; i < 20; ++i) {
    s.add(tcp_record("::1", 8080, "::1", static_cast<std::uint16_t>(30000 + i),
                     TcpState::close_wait));
  }
  CHECK(summary(diagnose(s)) == "warning close_wait 50");
}

// --- time_wait ---------------------------------------------------------------------------

TEST_CASE("diagnosis: time_wait levels follow tcp_max_tw_buckets") {
  Sample s;
  s.readings.sysctls.tcp_max_tw_buckets = 200;
  s.add_state(TcpState::time_wait, 100);
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning time_wait 100");
  const auto& f = d.findings.front();
  CHECK(levels_text(f.levels) == "100/180");
  CHECK(f.title == "100 sockets in TIME_WAIT, 50% of tcp_max_tw_buckets (200)");
  CHECK(f.brief == "100 TIME_WAIT");
  CHECK(limits_text(f) == "tcp_max_tw_buckets=200 tcp_tw_reuse=2");
  CHECK(counters_text(f) == "TcpExtTCPTimeWaitOverflow=0 d=-");

  s.add_state(TcpState::time_wait, 80, 8081);
  d = diagnose(s);
  CHECK(summary(d) == "critical time_wait 180");
  CHECK(d.findings.front().title == "180 sockets in TIME_WAIT, 90% of tcp_max_tw_buckets (200)");
}

TEST_CASE("diagnosis: a TCPTimeWaitOverflow rise is a time_wait warning") {
  Sample before;
  before.readings.counters = counters(10);
  Sample now;
  now.readings.counters = counters_with("TCPTimeWaitOverflow", 13, 10);
  now.add_state(TcpState::time_wait, 5);
  auto in = now.input();
  in.previous_readings = &before.readings;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning time_wait 5");
  const auto& f = d.findings.front();
  CHECK(f.title ==
        "5 sockets in TIME_WAIT, 0.5% of tcp_max_tw_buckets (1,000); 3 destroyed early "
        "(TCPTimeWaitOverflow)");
  CHECK(counters_text(f) == "TcpExtTCPTimeWaitOverflow=13 d=3");

  // Without the previous readings there is no rise to see.
  CHECK(summary(diagnose(now)).empty());
}

// --- port_exhaustion ----------------------------------------------------------------------

TEST_CASE("diagnosis: port_exhaustion is the busiest tuple's share of the range") {
  Sample s;
  s.add_tuple("127.0.0.1", "127.0.0.1", 8080, 80, 75);
  s.add_tuple("127.0.0.1", "127.0.0.4", 443, 30, 0);
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning port_exhaustion 80");
  const auto& f = d.findings.front();
  CHECK(sockkit::rule_info(f.rule).unit == RuleUnit::percent);
  CHECK(levels_text(f.levels) == "50/90");
  CHECK(f.title == "80 of 100 ephemeral ports toward 127.0.0.1:8080 are taken (75 in TIME_WAIT)");
  CHECK(f.brief == "80% ephemeral ports toward 127.0.0.1:8080 in use");
  CHECK(f.evidence.sockets == 80);
  REQUIRE(f.evidence.tuples.size() == 2);
  const auto& t = f.evidence.tuples[0];
  CHECK(t.local_address.to_string() == "127.0.0.1");
  CHECK(t.address.to_string() == "127.0.0.1");
  CHECK(t.port == 8080);
  CHECK(t.used == 80);
  CHECK(t.time_wait == 75);
  CHECK(t.range == 100);
  CHECK(f.evidence.tuples[1].address.to_string() == "127.0.0.4");
  CHECK(f.evidence.tuples[1].used == 30);
  CHECK(limits_text(f) ==
        "ip_local_port_range_first=40000 ip_local_port_range_last=40099 tcp_tw_reuse=2");
  CHECK(d.busiest_port_use == 80);
}

TEST_CASE("diagnosis: port_exhaustion at its levels") {
  for (auto [used, expected] :
       {std::pair{49, ""}, std::pair{50, "warning port_exhaustion 50"},
        std::pair{89, "warning port_exhaustion 89"}, std::pair{90, "critical port_exhaustion 90"},
        std::pair{100, "critical port_exhaustion 100"}}) {
    CAPTURE(used);
    Sample s;
    s.add_tuple("10.0.0.1", "10.0.0.2", 5432, used, 0);
    CHECK(summary(diagnose(s)) == expected);
  }
}

TEST_CASE("diagnosis: port_exhaustion of an IPv6 destination") {
  Sample s;
  s.add_tuple("::1", "::1", 8443, 60, 60);
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning port_exhaustion 60");
  const auto* f = find(d, RuleId::port_exhaustion);
  REQUIRE(f != nullptr);
  CHECK(f->title == "60 of 100 ephemeral ports toward [::1]:8443 are taken (60 in TIME_WAIT)");
}

TEST_CASE("diagnosis: port_exhaustion uses the collector's range") {
  Sample wide(PortRange{40000, 40199});
  wide.add_tuple("127.0.0.1", "127.0.0.1", 8080, 80, 0);
  auto d = diagnose(wide);
  CHECK(summary(d).empty());
  CHECK(d.measures[static_cast<std::size_t>(RuleId::port_exhaustion)] == 40);

  Sample unknown(std::nullopt);
  unknown.add_tuple("127.0.0.1", "127.0.0.1", 8080, 99, 0);
  d = diagnose(unknown);
  CHECK(summary(d).empty());
  CHECK_FALSE(d.measures[static_cast<std::size_t>(RuleId::port_exhaustion)].has_value());
}

// --- accept_queue -------------------------------------------------------------------------

TEST_CASE("diagnosis: accept_queue is the fullest listener against its backlog") {
  Sample s;
  s.add_listener("127.0.0.1", 8080, 5, 10);
  s.add_listener("127.0.0.1", 8081, 9, 10);
  s.add_listener("127.0.0.1", 8082, 0, 10);  // idle: not evidence
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning accept_queue 90");
  const auto& f = d.findings.front();
  CHECK(sockkit::rule_info(f.rule).unit == RuleUnit::percent);
  CHECK(levels_text(f.levels) == "90/100");
  CHECK(f.title == "listener 127.0.0.1:8081: 9 connections wait for accept(), backlog 10");
  CHECK(f.brief == "accept queue 9/10 on :8081");
  REQUIRE(f.evidence.listeners.size() == 2);
  CHECK(f.evidence.listeners[0].port == 8081);
  CHECK(f.evidence.listeners[0].queue == 9);
  CHECK(f.evidence.listeners[0].backlog == 10);
  CHECK_FALSE(f.evidence.listeners[0].drops.has_value());
  CHECK_FALSE(f.evidence.listeners[0].pid.has_value());
  CHECK(f.evidence.listeners[1].port == 8080);
  CHECK(f.evidence.sockets == 2);
  CHECK(counters_text(f) == "TcpExtListenOverflows=0 d=- TcpExtListenDrops=0 d=-");
  CHECK(limits_text(f) == "somaxconn=4096");
}

TEST_CASE("diagnosis: accept_queue at its levels") {
  struct Step {
    std::uint32_t queue;
    std::uint32_t backlog;
    const char* expected;
  };
  for (auto step :
       {Step{8, 10, ""}, Step{9, 10, "warning accept_queue 90"},
        Step{10, 10, "critical accept_queue 100"}, Step{12, 10, "critical accept_queue 120"},
        Step{1, 1, ""}, Step{2, 2, "critical accept_queue 100"}, Step{2, 4, ""}}) {
    CAPTURE(step.queue);
    CAPTURE(step.backlog);
    Sample s;
    s.add_listener("127.0.0.1", 8080, step.queue, step.backlog);
    CHECK(summary(diagnose(s)) == step.expected);
  }
}

TEST_CASE("diagnosis: a listener that dropped connections once is an info finding") {
  Sample s;
  MemInfo drops(7);
  s.add_listener("127.0.0.1", 8080, 0, 128, drops.bytes());
  auto d = diagnose(s);
  REQUIRE(summary(d) == "info accept_queue 0");
  const auto& f = d.findings.front();
  CHECK(f.title == "listener 127.0.0.1:8080 has dropped 7 connection attempts since it started");
  REQUIRE(f.evidence.listeners.size() == 1);
  CHECK(f.evidence.listeners[0].drops == 7U);
  CHECK_FALSE(f.evidence.listeners[0].drops_delta.has_value());
  REQUIRE(d.listeners_with_drops.size() == 1);
  CHECK(d.listeners_with_drops[0].address.to_string() == "127.0.0.1");
  CHECK(d.listeners_with_drops[0].port == 8080);
  CHECK(d.listeners_with_drops[0].drops == std::optional<std::uint32_t>(7));
}

TEST_CASE("diagnosis: a listener's drops rising between samples is a warning") {
  MemInfo three(3);
  MemInfo seven(7);
  Sample first;
  first.add_listener("127.0.0.1", 8080, 0, 128, three.bytes());
  auto before = diagnose(first);
  REQUIRE(summary(before) == "info accept_queue 0");

  Sample second;
  second.add_listener("127.0.0.1", 8080, 0, 128, seven.bytes());
  auto in = second.input();
  in.previous = &before;
  in.previous_readings = &first.readings;
  in.interval_s = 1;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning accept_queue 0");
  const auto& f = d.findings.front();
  CHECK(f.title == "listener 127.0.0.1:8080 dropped 4 connection attempts since the last sample");
  REQUIRE(f.evidence.listeners.size() == 1);
  CHECK(f.evidence.listeners[0].drops_delta == 4);

  // The same count again: it dropped once, not since the last sample.
  Sample third;
  third.add_listener("127.0.0.1", 8080, 0, 128, seven.bytes());
  auto again = third.input();
  again.previous = &d;
  again.previous_readings = &second.readings;
  auto later = sockkit::diagnose(again, {}, {});
  REQUIRE(summary(later) == "info accept_queue 0");
  CHECK(later.findings.front().evidence.listeners[0].drops_delta == 0);
}

TEST_CASE("diagnosis: drops of another listener in the previous sample do not count") {
  MemInfo five(5);
  Sample first;
  first.add_listener("127.0.0.1", 9090, 0, 128, five.bytes());
  auto before = diagnose(first);
  Sample second;
  second.add_listener("127.0.0.1", 9090, 0, 128, five.bytes());
  second.add_listener("127.0.0.2", 9090, 0, 128, five.bytes());  // new: from 0 to 5
  auto in = second.input();
  in.previous = &before;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning accept_queue 0");
  REQUIRE(d.findings.front().evidence.listeners.size() == 2);
  for (const auto& l : d.findings.front().evidence.listeners) {
    CAPTURE(l.address.to_string());
    CHECK(l.drops_delta == (l.address.to_string() == "127.0.0.2" ? 5 : 0));
  }
}

TEST_CASE("diagnosis: ListenOverflows rising between samples is an accept_queue warning") {
  Sample first;
  first.readings.counters = counters(10);
  Sample second;
  second.readings.counters = counters_with("ListenOverflows", 12, 10);
  second.add_listener("127.0.0.1", 8080, 0, 128);
  auto in = second.input();
  in.previous_readings = &first.readings;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning accept_queue 0");
  const auto& f = d.findings.front();
  CHECK(counters_text(f) == "TcpExtListenOverflows=12 d=2 TcpExtListenDrops=10 d=0");

  // A counter that stayed put is no finding.
  second.readings.counters = counters(10);
  CHECK(summary(sockkit::diagnose(in, {}, {})).empty());
}

// --- counters and rates -------------------------------------------------------------------

TEST_CASE("diagnosis: counter values and deltas in the evidence") {
  Sample first;
  first.readings.counters = CounterSet{};
  first.readings.counters.add("TcpExt", "SyncookiesSent", 100);
  first.readings.counters.add("TcpExt", "ListenOverflows", 40);
  // ListenDrops and TCPReqQFullDrop appear only in the second sample.
  Sample second;
  second.readings.counters = CounterSet{};
  second.readings.counters.add("TcpExt", "SyncookiesSent", 100);
  second.readings.counters.add("TcpExt", "ListenOverflows", 40);
  second.readings.counters.add("TcpExt", "ListenDrops", 9);
  second.add_state(TcpState::syn_recv, 150);

  auto d = diagnose(second);
  const auto* f = find(d, RuleId::syn_recv);
  REQUIRE(f != nullptr);
  // TCPReqQFullDrop is not in this kernel's counters: left out, not shown as 0.
  CHECK(counters_text(*f) ==
        "TcpExtSyncookiesSent=100 d=- TcpExtListenOverflows=40 d=- TcpExtListenDrops=9 d=-");

  auto in = second.input();
  in.previous_readings = &first.readings;
  d = sockkit::diagnose(in, {}, {});
  f = find(d, RuleId::syn_recv);
  REQUIRE(f != nullptr);
  CHECK(counters_text(*f) ==
        "TcpExtSyncookiesSent=100 d=0 TcpExtListenOverflows=40 d=0 TcpExtListenDrops=9 d=-");
}

TEST_CASE("diagnosis: SYN cookies or request queue drops while watching are a syn_recv warning") {
  for (const char* rising : {"SyncookiesSent", "TCPReqQFullDrop"}) {
    CAPTURE(rising);
    Sample first;
    Sample second;
    second.readings.counters = counters_with(rising, 1);
    auto in = second.input();
    in.previous_readings = &first.readings;
    auto d = sockkit::diagnose(in, {}, {});
    CHECK(summary(d) == "warning syn_recv 0");
    // The same counters read once: no rise seen.
    CHECK(summary(diagnose(second)).empty());
  }
}

TEST_CASE("diagnosis: a counter that went down is no rise") {
  Sample first;
  first.readings.counters = counters(50);
  Sample second;  // counters at 0: the namespace was made again
  auto in = second.input();
  in.previous_readings = &first.readings;
  CHECK(summary(sockkit::diagnose(in, {}, {})).empty());
}

TEST_CASE("diagnosis: rate_per_s from the previous sample and the interval") {
  Sample first;
  first.add_state(TcpState::close_wait, 60);
  auto before = diagnose(first);
  REQUIRE(summary(before) == "warning close_wait 60");

  Sample second;
  second.add_state(TcpState::close_wait, 80);
  auto in = second.input();
  in.previous = &before;
  in.previous_readings = &first.readings;
  in.interval_s = 2;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning close_wait 80");
  const auto& f = d.findings.front();
  REQUIRE(f.evidence.rate_per_s.has_value());
  CHECK(*f.evidence.rate_per_s == doctest::Approx(10.0));
  CHECK(f.title ==
        "80 sockets in CLOSE_WAIT: the peers closed, the application has not, growing +10.0/s");

  // Shrinking: a negative rate and no "growing".
  Sample third;
  third.add_state(TcpState::close_wait, 70);
  auto shrink = third.input();
  shrink.previous = &d;
  shrink.interval_s = 4;
  auto later = sockkit::diagnose(shrink, {}, {});
  REQUIRE(summary(later) == "warning close_wait 70");
  CHECK(later.findings.front().evidence.rate_per_s == doctest::Approx(-2.5));
  CHECK(later.findings.front().title ==
        "70 sockets in CLOSE_WAIT: the peers closed, the application has not");

  // No interval: no rate.
  in.interval_s = 0;
  CHECK_FALSE(sockkit::diagnose(in, {}, {}).findings.front().evidence.rate_per_s.has_value());
}

TEST_CASE("diagnosis: a rate from a sample where the rule did not fire") {
  Sample first;
  first.add_state(TcpState::syn_sent, 5, 20000);
  auto before = diagnose(first);
  REQUIRE(summary(before).empty());
  Sample second;
  second.add_state(TcpState::syn_sent, 25, 20000);
  auto in = second.input();
  in.previous = &before;
  in.interval_s = 0.5;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning syn_sent 25");
  CHECK(d.findings.front().evidence.rate_per_s == doctest::Approx(40.0));
}

// --- orphans and tcp_memory ------------------------------------------------------------

TEST_CASE("diagnosis: orphans against tcp_max_orphans") {
  for (auto [orphans, expected] :
       {std::pair{499U, ""}, std::pair{500U, "warning orphans 50"},
        std::pair{899U, "warning orphans 89.9"}, std::pair{900U, "critical orphans 90"}}) {
    CAPTURE(orphans);
    Sample s;
    s.readings.sockstat.tcp_orphan = orphans;
    CHECK(summary(diagnose(s)) == expected);
  }
  Sample s;
  s.readings.sockstat.tcp_orphan = 500;
  auto d = diagnose(s);
  const auto& f = d.findings.front();
  CHECK(sockkit::rule_info(f.rule).unit == RuleUnit::percent);
  CHECK(levels_text(f.levels) == "50/90");
  CHECK(f.title == "500 orphaned sockets, 50% of tcp_max_orphans");
  CHECK(f.brief == "50% tcp_max_orphans");
  CHECK(f.evidence.sockets == 500);
  CHECK(limits_text(f) == "tcp_max_orphans=1000");
  CHECK(counters_text(f) == "TcpExtTCPAbortOnMemory=0 d=-");
}

TEST_CASE("diagnosis: orphans are unavailable when tcp_max_orphans is unknown") {
  Sample s;
  s.readings.sysctls.tcp_max_orphans = std::nullopt;
  s.readings.sockstat.tcp_orphan = 1000000;
  auto d = diagnose(s);
  CHECK(summary(d).empty());
  CHECK_FALSE(d.measures[static_cast<std::size_t>(RuleId::orphans)].has_value());
  s.readings.sysctls.tcp_max_orphans = 0;
  d = diagnose(s);
  CHECK(summary(d).empty());
  CHECK_FALSE(d.measures[static_cast<std::size_t>(RuleId::orphans)].has_value());
}

TEST_CASE("diagnosis: tcp_memory against tcp_mem's high value") {
  for (auto [pages, expected] :
       {std::pair{199U, ""}, std::pair{200U, "warning tcp_memory 50"},
        std::pair{359U, "warning tcp_memory 89.75"}, std::pair{360U, "critical tcp_memory 90"}}) {
    CAPTURE(pages);
    Sample s;
    s.readings.sockstat.tcp_mem_pages = pages;
    CHECK(summary(diagnose(s)) == expected);
  }
  Sample s;
  s.readings.sockstat.tcp_mem_pages = 200;
  auto d = diagnose(s);
  const auto& f = d.findings.front();
  CHECK(levels_text(f.levels) == "50/90");
  CHECK(f.title == "TCP buffer memory, 50% of tcp_mem's high value");
  CHECK(limits_text(f) == "tcp_mem_low=100 tcp_mem_pressure=200 tcp_mem_high=400");
  CHECK(counters_text(f) == "TcpExtTCPMemoryPressures=0 d=- TcpExtTCPAbortOnMemory=0 d=-");
}

TEST_CASE("diagnosis: tcp_memory is unavailable when tcp_mem is unknown") {
  Sample s;
  s.readings.sysctls.tcp_mem = std::nullopt;
  s.readings.sockstat.tcp_mem_pages = 1000000;
  auto d = diagnose(s);
  CHECK(summary(d).empty());
  CHECK_FALSE(d.measures[static_cast<std::size_t>(RuleId::tcp_memory)].has_value());
  s.readings.sysctls.tcp_mem = std::array<std::uint64_t, 3>{0, 0, 0};
  d = diagnose(s);
  CHECK(summary(d).empty());
  CHECK_FALSE(d.measures[static_cast<std::size_t>(RuleId::tcp_memory)].has_value());
}

// --- levels ------------------------------------------------------------------------------

TEST_CASE("diagnosis: default_levels of every rule") {
  auto readings = quiet_readings();
  auto text = [&](RuleId id) { return levels_text(sockkit::default_levels(id, readings)); };
  CHECK(text(RuleId::close_wait) == "50/500");
  CHECK(text(RuleId::time_wait) == "500/900");
  CHECK(text(RuleId::port_exhaustion) == "50/90");
  CHECK(text(RuleId::fin_wait2) == "100/1000");
  CHECK(text(RuleId::fin_wait1) == "100/1000");
  CHECK(text(RuleId::last_ack) == "100/1000");
  CHECK(text(RuleId::closing) == "20/200");
  CHECK(text(RuleId::syn_recv) == "100/1000");
  CHECK(text(RuleId::syn_sent) == "20/200");
  CHECK(text(RuleId::accept_queue) == "90/100");
  CHECK(text(RuleId::orphans) == "50/90");
  CHECK(text(RuleId::tcp_memory) == "50/90");
}

TEST_CASE("diagnosis: time_wait defaults are 50% and 90% of tcp_max_tw_buckets") {
  KernelReadings readings;
  auto text = [&] { return levels_text(sockkit::default_levels(RuleId::time_wait, readings)); };
  readings.sysctls.tcp_max_tw_buckets = 131072;
  CHECK(text() == "65536/117964");
  readings.sysctls.tcp_max_tw_buckets = 262144;
  CHECK(text() == "131072/235929");
  readings.sysctls.tcp_max_tw_buckets = std::nullopt;  // the usual size when unknown
  CHECK(text() == "131072/235929");
  readings.sysctls.tcp_max_tw_buckets = 3;
  CHECK(text() == "1/2");
  readings.sysctls.tcp_max_tw_buckets = 1;
  CHECK(text() == "1/1");
}

TEST_CASE("diagnosis: tcp_memory warns at tcp_mem's pressure value") {
  KernelReadings readings;
  auto text = [&] { return levels_text(sockkit::default_levels(RuleId::tcp_memory, readings)); };
  readings.sysctls.tcp_mem = std::array<std::uint64_t, 3>{287898, 383865, 575796};
  CHECK(text() == "66/90");
  readings.sysctls.tcp_mem = std::array<std::uint64_t, 3>{100, 300, 400};
  CHECK(text() == "75/90");
  readings.sysctls.tcp_mem = std::array<std::uint64_t, 3>{1, 1, 1000};  // at least 1
  CHECK(text() == "1/90");
  readings.sysctls.tcp_mem = std::array<std::uint64_t, 3>{1, 500, 500};  // at most 90
  CHECK(text() == "90/90");
  readings.sysctls.tcp_mem = std::nullopt;
  CHECK(text() == "66/90");
}

TEST_CASE("diagnosis: applied_levels puts the user's levels on the defaults") {
  auto readings = quiet_readings();
  auto applied = [&](RuleId id, std::string_view spec) {
    Thresholds t;
    if (!spec.empty()) t.parse(spec);
    return levels_text(sockkit::applied_levels(id, readings, t));
  };
  CHECK(applied(RuleId::close_wait, "") == "50/500");
  CHECK(applied(RuleId::close_wait, "close_wait=100") == "100/500");
  CHECK(applied(RuleId::close_wait, "close_wait=500") == "500/500");
  // A warning above the default critical level drops that critical level.
  CHECK(applied(RuleId::close_wait, "close_wait=600") == "600/-");
  CHECK(applied(RuleId::close_wait, "close_wait=10:20") == "10/20");
  CHECK(applied(RuleId::close_wait, "close_wait=600:700") == "600/700");
  CHECK(applied(RuleId::close_wait, "close_wait=off") == "-/-/off");
  CHECK(applied(RuleId::close_wait, "syn_sent=1") == "50/500");
  CHECK(applied(RuleId::time_wait, "time_wait=950") == "950/-");
  CHECK(applied(RuleId::time_wait, "time_wait=800") == "800/900");
  CHECK(applied(RuleId::tcp_memory, "tcp_memory=95") == "95/-");
  CHECK(applied(RuleId::accept_queue, "accept_queue=50") == "50/100");

  Thresholds crit_only;
  crit_only.set_crit(RuleId::close_wait, 1000);
  CHECK(levels_text(sockkit::applied_levels(RuleId::close_wait, readings, crit_only)) == "50/1000");
}

TEST_CASE("diagnosis: the user's levels decide the severity") {
  Sample s;
  s.add_state(TcpState::close_wait, 1000);
  CHECK(summary(diagnose(s)) == "critical close_wait 1000");

  Thresholds higher;
  higher.parse("close_wait=600");
  auto d = diagnose(s, higher);
  CHECK(summary(d) == "warning close_wait 1000");
  CHECK(levels_text(d.findings.front().levels) == "600/-");
  CHECK(levels_text(d.levels[static_cast<std::size_t>(RuleId::close_wait)]) == "600/-");

  Thresholds lower;
  lower.parse("close_wait=5:2000");
  CHECK(summary(diagnose(s, lower)) == "warning close_wait 1000");

  Thresholds off;
  off.parse("close_wait=off");
  d = diagnose(s, off);
  CHECK(summary(d).empty());
  CHECK(d.measures[static_cast<std::size_t>(RuleId::close_wait)] == 1000);
  CHECK(d.levels[static_cast<std::size_t>(RuleId::close_wait)].off);
}

TEST_CASE("diagnosis: a rule turned off gives no finding from a counter rise either") {
  Sample first;
  Sample second;
  second.readings.counters = counters_with("ListenOverflows", 5);
  auto in = second.input();
  in.previous_readings = &first.readings;
  REQUIRE(summary(sockkit::diagnose(in, {}, {})) == "warning accept_queue 0");
  Thresholds off;
  off.parse("accept_queue=off");
  CHECK(summary(sockkit::diagnose(in, off, {})).empty());
}

// --- order ------------------------------------------------------------------------------

TEST_CASE("diagnosis: findings are sorted critical first then warning then info") {
  Sample s;
  MemInfo drops(2);
  s.add_listener("127.0.0.1", 8080, 0, 128, drops.bytes());  // info accept_queue
  s.add_state(TcpState::syn_sent, 20, 20000);                // warning
  s.add_state(TcpState::close_wait, 50);                     // warning
  s.add_state(TcpState::fin_wait1, 1000);                    // critical
  s.readings.sockstat.tcp_orphan = 950;                      // critical
  auto d = diagnose(s);
  CHECK(summary(d) ==
        "critical fin_wait1 1000; critical orphans 95; warning close_wait 50; warning syn_sent "
        "20; info accept_queue 0");
}

// --- owners -----------------------------------------------------------------------------

TEST_CASE("diagnosis: a CLOSE_WAIT finding names this process as the owner") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto a = sockkit::make_socket(AF_INET, SOCK_STREAM);
  auto b = sockkit::make_socket(AF_INET, SOCK_STREAM);
  auto c = sockkit::make_socket(AF_INET6, SOCK_STREAM);
  std::uint32_t gone = 0;
  {
    auto closed = sockkit::make_socket(AF_INET, SOCK_STREAM);
    gone = inode_of(closed);
  }
  Sample s;
  std::uint16_t peer_port = 30000;
  for (std::uint32_t inode : {inode_of(a), inode_of(b), inode_of(c), gone, 0U, 0U}) {
    auto r = tcp_record("127.0.0.1", 8080, "127.0.0.2", peer_port++, TcpState::close_wait);
    r.inode = inode;
    s.add(r);
  }
  Thresholds t;
  t.parse("close_wait=5");
  RecordingLookup lookup;
  auto d = diagnose(s, t, lookup.function());
  REQUIRE(summary(d) == "warning close_wait 6");
  CHECK(lookup.calls == 1);
  CHECK(d.owner_lookups == 4);  // the non-zero inodes
  std::vector<std::uint32_t> expected{inode_of(a), inode_of(b), inode_of(c), gone};
  CHECK(lookup.asked == expected);
  const auto& f = d.findings.front();
  auto comm = own_comm();
  CHECK(processes_text(f) == fmt::format("{} pid {} x3", comm, ::getpid()));
  REQUIRE(f.evidence.processes.size() == 1);
  CHECK(f.evidence.processes[0].pid == ::getpid());
  CHECK(f.evidence.processes[0].command == comm);
  CHECK(f.evidence.processes[0].sockets == 3);
  CHECK(f.brief == fmt::format("6 CLOSE_WAIT ({} pid {} :8080)", comm, ::getpid()));
}

TEST_CASE("diagnosis: an empty lookup names no processes") {
  auto a = sockkit::make_socket(AF_INET, SOCK_STREAM);
  Sample s;
  s.add_state(TcpState::close_wait, 60, 8080, inode_of(a));
  auto d = diagnose(s, {}, OwnerLookup{});
  REQUIRE(summary(d) == "warning close_wait 60");
  CHECK(d.owner_lookups == 0);
  CHECK(d.findings.front().evidence.processes.empty());
  CHECK(d.findings.front().brief == "60 CLOSE_WAIT (:8080)");
}

TEST_CASE("diagnosis: rules that need no owner look none up unless asked") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto a = sockkit::make_socket(AF_INET, SOCK_STREAM);
  Sample s;
  auto r = tcp_record("127.0.0.1", 41000, "127.0.0.2", 80, TcpState::fin_wait2);
  r.inode = inode_of(a);
  s.add(r);
  s.add_state(TcpState::fin_wait2, 99, 9000);
  RecordingLookup lookup;
  auto d = diagnose(s, {}, lookup.function());
  REQUIRE(summary(d) == "warning fin_wait2 100");
  CHECK(lookup.calls == 0);
  CHECK(d.owner_lookups == 0);
  CHECK(d.findings.front().evidence.processes.empty());

  // -p: every finding names its processes.
  auto in = s.input();
  in.owners_everywhere = true;
  d = sockkit::diagnose(in, {}, lookup.function());
  REQUIRE(summary(d) == "warning fin_wait2 100");
  CHECK(lookup.calls == 1);
  CHECK(d.owner_lookups == 1);
  CHECK(processes_text(d.findings.front()) == fmt::format("{} pid {} x1", own_comm(), ::getpid()));
}

TEST_CASE("diagnosis: an accept_queue finding names the listener's process") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto server = tcp_listener("127.0.0.1");
  const auto port = local_port_of(server);
  Sample s;
  s.add_listener("127.0.0.1", port, 9, 10, {}, inode_of(server));
  RecordingLookup lookup;
  auto d = diagnose(s, {}, lookup.function());
  REQUIRE(summary(d) == "warning accept_queue 90");
  CHECK(d.owner_lookups == 1);
  const auto& f = d.findings.front();
  auto comm = own_comm();
  REQUIRE(f.evidence.listeners.size() == 1);
  CHECK(f.evidence.listeners[0].pid == ::getpid());
  CHECK(f.evidence.listeners[0].command == comm);
  CHECK(f.title == fmt::format("listener 127.0.0.1:{} ({} pid {}): 9 connections wait for "
                               "accept(), backlog 10",
                               port, comm, ::getpid()));
  CHECK(f.brief == fmt::format("accept queue 9/10 on :{} ({} pid {})", port, comm, ::getpid()));
}

TEST_CASE("diagnosis: listeners sharing a port are each named by their own holder") {
  // SO_REUSEPORT: two listeners on one address and port, one held here, one whose
  // holder /proc does not show. Each evidence row carries its own socket's owner.
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto server = tcp_listener("127.0.0.1");
  const auto port = local_port_of(server);
  Sample s;
  s.add_listener("127.0.0.1", port, 9, 10, {}, inode_of(server));
  s.add_listener("127.0.0.1", port, 5, 10, {}, 0);
  RecordingLookup lookup;
  auto d = diagnose(s, {}, lookup.function());
  REQUIRE(summary(d) == "warning accept_queue 90");
  const auto& f = d.findings.front();
  REQUIRE(f.evidence.listeners.size() == 2);
  CHECK(f.evidence.listeners[0].queue == 9);
  CHECK(f.evidence.listeners[0].pid == ::getpid());
  CHECK(f.evidence.listeners[1].queue == 5);
  CHECK_FALSE(f.evidence.listeners[1].pid.has_value());
  CHECK(f.evidence.listeners[1].command.empty());
}

TEST_CASE("diagnosis: a port_exhaustion finding credits the live connections to their owner") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto a = sockkit::make_socket(AF_INET, SOCK_STREAM);
  Sample s;
  s.add_tuple("127.0.0.1", "127.0.0.1", 8080, 79, 75);
  auto live = tcp_record("127.0.0.1", 40099, "127.0.0.1", 8080);
  live.inode = inode_of(a);
  s.add(live);
  RecordingLookup lookup;
  auto d = diagnose(s, {}, lookup.function());
  REQUIRE(summary(d) == "warning port_exhaustion 80");
  CHECK(lookup.asked == std::vector<std::uint32_t>{inode_of(a)});
  const auto& f = d.findings.front();
  // 80 ports in use, 75 of them TIME_WAIT that nobody holds: the owner holds 5.
  CHECK(processes_text(f) == fmt::format("{} pid {} x5", own_comm(), ::getpid()));
  CHECK(f.title == "80 of 100 ephemeral ports toward 127.0.0.1:8080 are taken (75 in TIME_WAIT)");
}

// --- kernel readings --------------------------------------------------------------------

TEST_CASE("diagnosis: read_kernel_readings under a recorded proc root") {
  EnvGuard root("SOCKKIT_PROC_ROOT", data_dir("kernel_counters").c_str());
  auto readings = sockkit::read_kernel_readings();
  CHECK(readings.counters.get("TcpExt", "ListenOverflows") == 0);
  CHECK(readings.counters.get("TcpExt", "TW") == 119);
  CHECK(readings.counters.get("Tcp", "MaxConn") == -1);  // snmp follows netstat
  CHECK(readings.sockstat.tcp_mem_pages == 165);
  CHECK(readings.sockstat.tcp_alloc == 50065);
  CHECK(readings.sysctls.tcp_max_tw_buckets == 131072);
  CHECK(readings.sysctls.tcp_max_orphans == 131072);
  CHECK(readings.sysctls.somaxconn == 4096);
  CHECK(readings.sysctls.ip_local_port_range == PortRange{32768, 60999});
  REQUIRE(readings.sysctls.tcp_mem.has_value());
  CHECK(*readings.sysctls.tcp_mem == std::array<std::uint64_t, 3>{287898, 383865, 575796});
  CHECK(levels_text(sockkit::default_levels(RuleId::time_wait, readings)) == "65536/117964");
  CHECK(levels_text(sockkit::default_levels(RuleId::tcp_memory, readings)) == "66/90");
}

TEST_CASE("diagnosis: keep_host_limits fills only the missing host limits") {
  sockkit::NetSysctls host;
  host.tcp_max_orphans = 65536;
  host.tcp_mem = std::array<std::uint64_t, 3>{10, 20, 30};
  host.tcp_max_tw_buckets = 5;  // per namespace: never taken from the host

  KernelReadings inside;
  inside.sysctls.tcp_max_tw_buckets = 4096;
  sockkit::keep_host_limits(inside, host);
  CHECK(inside.sysctls.tcp_max_orphans == 65536);
  REQUIRE(inside.sysctls.tcp_mem.has_value());
  CHECK(*inside.sysctls.tcp_mem == std::array<std::uint64_t, 3>{10, 20, 30});
  CHECK(inside.sysctls.tcp_max_tw_buckets == 4096);

  KernelReadings own = quiet_readings();
  sockkit::keep_host_limits(own, host);
  CHECK(own.sysctls.tcp_max_orphans == 1000);
  CHECK(*own.sysctls.tcp_mem == std::array<std::uint64_t, 3>{100, 200, 400});
}

TEST_CASE("diagnosis: the accept_queue title names the listener the measure came from") {
  Sample s;
  s.add_listener("127.0.0.1", 8081, 9, 10);
  s.add_listener("127.0.0.1", 8082, 1, 1);  // one waiting is ignored by the measure
  auto d = diagnose(s);
  REQUIRE(summary(d) == "warning accept_queue 90");
  CHECK(d.findings.front().title ==
        "listener 127.0.0.1:8081: 9 connections wait for accept(), backlog 10");
  CHECK(d.findings.front().brief == "accept queue 9/10 on :8081");
}

TEST_CASE("diagnosis: the info title names the listener that dropped") {
  MemInfo drops(7);
  Sample s;
  s.add_listener("127.0.0.1", 8080, 5, 10);  // half full, nothing dropped
  s.add_listener("127.0.0.1", 9090, 0, 128, drops.bytes());
  auto d = diagnose(s);
  REQUIRE(summary(d) == "info accept_queue 50");
  CHECK(d.findings.front().title ==
        "listener 127.0.0.1:9090 has dropped 7 connection attempts since it started");
}

TEST_CASE("diagnosis: the drops warning title names the listener whose drops rose") {
  MemInfo three(3);
  MemInfo seven(7);
  Sample first;
  first.add_listener("127.0.0.1", 8080, 5, 10);
  first.add_listener("127.0.0.1", 9090, 0, 128, three.bytes());
  auto before = diagnose(first);
  Sample second;
  second.add_listener("127.0.0.1", 8080, 5, 10);
  second.add_listener("127.0.0.1", 9090, 0, 128, seven.bytes());
  auto in = second.input();
  in.previous = &before;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning accept_queue 50");
  CHECK(d.findings.front().title ==
        "listener 127.0.0.1:9090 dropped 4 connection attempts since the last sample");
}

TEST_CASE("diagnosis: a ListenOverflows warning without listener rows has a title") {
  Sample first;
  Sample second;
  second.readings.counters = counters_with("ListenOverflows", 2);
  second.add_listener("127.0.0.1", 8080, 0, 128);  // nothing waiting, drops unknown
  auto in = second.input();
  in.previous_readings = &first.readings;
  auto d = sockkit::diagnose(in, {}, {});
  REQUIRE(summary(d) == "warning accept_queue 0");
  CHECK_FALSE(d.findings.front().title.empty());
  CHECK_FALSE(d.findings.front().brief.empty());
}
