// sk-states' query building: the options as CLI11 fills them, turned into the library's
// read request and socket filter, the mode and the diagnosis settings.
#include "sk-states/query.hpp"

#include <doctest/doctest.h>

#include "error_text.hpp"
#include "test_records.hpp"

using sockkit::TcpState;
using sockkit::cli::Format;
using sockkit::test::tcp_record;

namespace {

sk_states::Options options() {
  sk_states::Options o;
  o.output.allowed = {Format::text, Format::json, Format::csv, Format::prom};
  return o;
}

}  // namespace

TEST_CASE("sk-states query: no option counts every TCP state of both families") {
  auto q = sk_states::make_query(options());
  CHECK(q.read.tcp);
  CHECK_FALSE(q.read.udp);
  CHECK(q.read.version == sockkit::IpVersion::any);
  CHECK(q.read.tcp_states == sockkit::kAllTcpStates);
  CHECK(q.read.filter.empty());
  CHECK_FALSE(q.read.source.has_value());
  CHECK_FALSE(q.read.tcp_info);
  CHECK(q.mode == sk_states::Mode::count);
  CHECK_FALSE(q.filtered);
  CHECK(q.format == Format::text);
  CHECK(q.findings);  // the counts on screen come with the diagnosis
}

TEST_CASE("sk-states query: states, ports and addresses become the kernel filter") {
  auto o = options();
  o.states = {"established,time-wait"};
  o.sport = "80,443";
  o.dst = {"10.0.0.0/8,192.0.2.1"};
  o.ipv4 = true;
  auto q = sk_states::make_query(o);
  CHECK(q.read.tcp_states ==
        (sockkit::state_bit(TcpState::established) | sockkit::state_bit(TcpState::time_wait)));
  CHECK(q.read.version == sockkit::IpVersion::v4);
  CHECK(q.filtered);
  REQUIRE(q.read.filter.local_ports.has_value());
  CHECK(q.read.filter.local_ports->to_string() == "80,443");
  CHECK_FALSE(q.read.filter.remote_ports.has_value());
  REQUIRE(q.read.filter.remote_addrs.size() == 2);
  CHECK(q.read.filter.remote_addrs[0].to_string() == "10.0.0.0/8");
  CHECK(q.read.filter.remote_addrs[1].to_string() == "192.0.2.1/32");
  CHECK(q.read.filter.matches(tcp_record("127.0.0.1", 443, "10.1.2.3", 50000)));
  CHECK_FALSE(q.read.filter.matches(tcp_record("127.0.0.1", 22, "10.1.2.3", 50000)));
  CHECK_FALSE(q.read.filter.matches(tcp_record("127.0.0.1", 443, "192.0.2.2", 50000)));
}

TEST_CASE("sk-states query: -l keeps listeners and unconnected UDP sockets") {
  auto o = options();
  o.listening = true;
  o.udp = true;
  auto q = sk_states::make_query(o);
  CHECK_FALSE(q.read.tcp);  // -u alone reads UDP only
  CHECK(q.read.udp);
  CHECK(q.read.tcp_states == sockkit::state_bit(TcpState::listen));
  CHECK(q.read.udp_unconnected_only);
  CHECK(q.listening);
  CHECK(q.filtered);
}

TEST_CASE("sk-states query: --list -e asks the kernel for TCP_INFO, --by groups") {
  auto o = options();
  o.list = true;
  o.extended = true;
  auto q = sk_states::make_query(o);
  CHECK(q.mode == sk_states::Mode::list);
  CHECK(q.read.tcp_info);
  CHECK_FALSE(q.findings);  // findings follow the counts only

  o = options();
  o.by = "process";
  o.top = "3";
  q = sk_states::make_query(o);
  CHECK(q.mode == sk_states::Mode::groups);
  CHECK(q.group_keys == std::vector<sockkit::GroupKey>{sockkit::GroupKey::process});
  CHECK(q.top == 3);
  CHECK(q.processes);  // grouping by process needs the owners
}

TEST_CASE("sk-states query: --check reads TCP and takes its levels") {
  auto o = options();
  o.check = true;
  o.udp = true;
  o.warn = {"close_wait=10,established=1000"};
  o.crit = {"close_wait=100"};
  auto q = sk_states::make_query(o);
  CHECK(q.check);
  CHECK(q.read.tcp);
  CHECK(q.thresholds.overrides(sockkit::RuleId::close_wait).warn == 10.0);
  CHECK(q.thresholds.overrides(sockkit::RuleId::close_wait).crit == 100.0);
  REQUIRE(q.state_checks.size() == 1);
  CHECK(q.state_checks[0].state == TcpState::established);
  CHECK(q.state_checks[0].levels.warn == 1000.0);
}

TEST_CASE("sk-states query: contradictions are refused") {
  auto o = options();
  o.list = true;
  o.by = "state";
  CHECK(sockkit::test::input_error_of([&] { (void)sk_states::make_query(o); }) ==
        "--list and --by exclude each other");
  o = options();
  o.extended = true;
  CHECK(sockkit::test::input_error_of([&] { (void)sk_states::make_query(o); }) ==
        "-e/--extended adds fields to --list");
}
