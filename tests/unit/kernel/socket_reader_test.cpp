#include "sockkit/socket_reader.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "error_text.hpp"
#include "scratch_netns.hpp"
#include "sockkit/address.hpp"
#include "sockkit/census.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_sockets.hpp"

using sockkit::Cidr;
using sockkit::IpVersion;
using sockkit::PortSet;
using sockkit::ReadRequest;
using sockkit::SocketRecord;
using sockkit::SourceKind;
using sockkit::TcpState;
using sockkit::Transport;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string source_error(std::string_view text) {
  return input_error_of([&] { (void)sockkit::parse_reader_source(text); });
}

std::string key_of(Transport transport, int family, TcpState state, std::uint16_t lport,
                   std::uint16_t rport) {
  return fmt::format("{} {} {} {}->{}", transport == Transport::tcp ? "tcp" : "udp",
                     family == AF_INET ? "v4" : "v6", sockkit::tcp_state_name(state), lport, rport);
}

std::string key_of(const SocketRecord& r) {
  return key_of(r.transport, r.family, static_cast<TcpState>(r.state), r.local_port, r.remote_port);
}

// One line per socket, sorted: a multiset that prints readably when a check fails.
std::string joined(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (const auto& k : keys) out += k + "\n";
  return out;
}

struct Outcome {
  std::string sockets;
  sockkit::ReadReport report;
  int restarts = 0;
  std::size_t with_tcp_info = 0;
};

Outcome read(ReadRequest request, std::optional<SourceKind> source) {
  request.source = source;
  Outcome out;
  std::vector<std::string> keys;
  out.report = sockkit::read_sockets(
      request,
      [&](const SocketRecord& r) {
        keys.push_back(key_of(r));
        if (sockkit::summarize_tcp_info(r.tcp_info)) ++out.with_tcp_info;
      },
      [&] { ++out.restarts; });
  out.sockets = joined(std::move(keys));
  return out;
}

// A namespace with a known population, read the same way through every source.
class ReaderFixture {
 public:
  ReaderFixture(const ReaderFixture&) = delete;
  ReaderFixture& operator=(const ReaderFixture&) = delete;
  ReaderFixture() : ns_("reader"), env_("SOCKKIT_PROC_ROOT", nullptr) {
    fds_.push_back(tcp_listener("127.0.0.1", 2000));              // 0
    fds_.push_back(tcp_listener("::1", 2001));                    // 1
    fds_.push_back(tcp_listener("::", 2002, {.v6only = false}));  // 2: dual-stack
    fds_.push_back(tcp_connect("127.0.0.1", 2000));               // 3
    fds_.push_back(tcp_accept(fds_[0]));                          // 4
    fds_.push_back(tcp_connect("::1", 2001));                     // 5
    fds_.push_back(tcp_accept(fds_[1]));                          // 6
    fds_.push_back(tcp_connect("127.0.0.1", 2002));  // 7: a v4 client of the dual-stack one
    fds_.push_back(tcp_accept(fds_[2]));             // 8: its IPv6 end, v4-mapped
    fds_.push_back(bound("127.0.0.1", 3000, SOCK_DGRAM));
    fds_.push_back(bound("::1", 3001, SOCK_DGRAM));
    fds_.push_back(bound("127.0.0.1", 3002, SOCK_DGRAM));
    connect_to(fds_.back(), "127.0.0.1", 3000);
    e1_ = local_port_of(fds_[3]);
    e2_ = local_port_of(fds_[5]);
    e3_ = local_port_of(fds_[7]);
  }

  // The sockets of the namespace, as key_of prints them.
  [[nodiscard]] std::string listen4() const { return key(tcp, AF_INET, listen, 2000, 0); }
  [[nodiscard]] std::string client4() const { return key(tcp, AF_INET, estab, e1_, 2000); }
  [[nodiscard]] std::string server4() const { return key(tcp, AF_INET, estab, 2000, e1_); }
  [[nodiscard]] std::string client_of_dual() const { return key(tcp, AF_INET, estab, e3_, 2002); }
  [[nodiscard]] std::string listen6() const { return key(tcp, AF_INET6, listen, 2001, 0); }
  [[nodiscard]] std::string listen_dual() const { return key(tcp, AF_INET6, listen, 2002, 0); }
  [[nodiscard]] std::string client6() const { return key(tcp, AF_INET6, estab, e2_, 2001); }
  [[nodiscard]] std::string server6() const { return key(tcp, AF_INET6, estab, 2001, e2_); }
  [[nodiscard]] std::string server_dual() const { return key(tcp, AF_INET6, estab, 2002, e3_); }
  [[nodiscard]] std::string udp4() const { return key(udp, AF_INET, close, 3000, 0); }
  [[nodiscard]] std::string udp6() const { return key(udp, AF_INET6, close, 3001, 0); }
  [[nodiscard]] std::string udp_connected() const { return key(udp, AF_INET, estab, 3002, 3000); }

  [[nodiscard]] std::vector<std::string> tcp4() const {
    return {listen4(), client4(), server4(), client_of_dual()};
  }
  [[nodiscard]] std::vector<std::string> tcp6() const {
    return {listen6(), listen_dual(), client6(), server6(), server_dual()};
  }
  [[nodiscard]] std::vector<std::string> udp_unconnected() const { return {udp4(), udp6()}; }
  [[nodiscard]] std::vector<std::string> udp_all() const {
    return {udp4(), udp6(), udp_connected()};
  }

  // Reads `request` through netlink, /proc and the default, checks they all give
  // `expected`, and returns the default's outcome.
  Outcome check(const ReadRequest& request, const std::vector<std::string>& expected) {
    auto want = joined(expected);
    auto by_default = read(request, std::nullopt);
    auto netlink = read(request, SourceKind::netlink);
    auto proc = read(request, SourceKind::proc);
    CHECK(by_default.sockets == want);
    CHECK(netlink.sockets == want);
    CHECK(proc.sockets == want);
    CHECK(by_default.report.source == SourceKind::netlink);
    CHECK(netlink.report.source == SourceKind::netlink);
    CHECK(proc.report.source == SourceKind::proc);
    for (const auto* outcome : {&by_default, &netlink, &proc}) {
      CHECK(outcome->report.fallback_reason.empty());
      CHECK(outcome->report.restarts == 0);
      CHECK(outcome->report.complete);
      CHECK(outcome->restarts == 0);  // a quiet system: no dump starts over
    }
    CHECK(proc.with_tcp_info == 0);  // /proc has no TCP_INFO
    return by_default;
  }

 private:
  static constexpr Transport tcp = Transport::tcp;
  static constexpr Transport udp = Transport::udp;
  static constexpr TcpState listen = TcpState::listen;
  static constexpr TcpState estab = TcpState::established;
  static constexpr TcpState close = TcpState::close;
  static std::string key(Transport transport, int family, TcpState state, std::uint16_t lport,
                         std::uint16_t rport) {
    return key_of(transport, family, state, lport, rport);
  }

  ScratchNetnsScope ns_;
  EnvGuard env_;
  std::vector<sockkit::Fd> fds_;
  std::uint16_t e1_ = 0;
  std::uint16_t e2_ = 0;
  std::uint16_t e3_ = 0;

  // Destroyed in reverse: the sockets, then back out, then the namespace goes.
};

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<std::string> only(const std::vector<std::string>& keys, std::string_view needle) {
  std::vector<std::string> out;
  for (const auto& k : keys) {
    if (k.find(needle) != std::string::npos) out.push_back(k);
  }
  return out;
}

}  // namespace

TEST_CASE("socket_reader: source names") {
  CHECK(sockkit::source_name(SourceKind::netlink) == "netlink");
  CHECK(sockkit::source_name(SourceKind::proc) == "proc");
  CHECK(sockkit::parse_reader_source("netlink") == SourceKind::netlink);
  CHECK(sockkit::parse_reader_source("proc") == SourceKind::proc);
  CHECK(source_error("Netlink") == "invalid source \"Netlink\": expected netlink or proc");
  CHECK(source_error("") == "invalid source \"\": expected netlink or proc");
  CHECK(source_error("procfs") == "invalid source \"procfs\": expected netlink or proc");
  CHECK(source_error("proc ") == "invalid source \"proc \": expected netlink or proc");
}

TEST_CASE("socket_reader: ReadRequest defaults") {
  ReadRequest request;
  CHECK(request.tcp);
  CHECK_FALSE(request.udp);
  CHECK(request.version == IpVersion::any);
  CHECK(request.tcp_states == sockkit::kAllTcpStates);
  CHECK_FALSE(request.udp_unconnected_only);
  CHECK(request.filter.empty());
  CHECK_FALSE(request.tcp_info);
  CHECK_FALSE(request.source.has_value());
}

TEST_CASE("socket_reader: netlink and /proc give the same sockets in a namespace") {
  if (!can_make_netns()) return;
  ReaderFixture fx;
  ReadRequest request;

  SUBCASE("TCP, both families, every state") {
    fx.check(request, concat({fx.tcp4(), fx.tcp6()}));
  }
  SUBCASE("-4 and -6") {
    request.version = IpVersion::v4;
    fx.check(request, fx.tcp4());
    request.version = IpVersion::v6;
    fx.check(request, fx.tcp6());
  }
  SUBCASE("state masks") {
    request.tcp_states = sockkit::state_bit(TcpState::listen);
    fx.check(request, only(concat({fx.tcp4(), fx.tcp6()}), "LISTEN"));
    request.tcp_states = sockkit::parse_state_list("connected");
    fx.check(request, only(concat({fx.tcp4(), fx.tcp6()}), "ESTABLISHED"));
    request.tcp_states = sockkit::parse_state_list("time-wait,close-wait");
    fx.check(request, {});
  }
  SUBCASE("UDP, and UDP unconnected only (-l)") {
    request.tcp = false;
    request.udp = true;
    fx.check(request, fx.udp_all());
    request.udp_unconnected_only = true;
    fx.check(request, fx.udp_unconnected());
    request.version = IpVersion::v6;
    fx.check(request, {fx.udp6()});
  }
  SUBCASE("TCP and UDP together; the state mask selects UDP sockets too") {
    // UDP sockets carry TCP state numbers: ESTABLISHED when connected, CLOSE when not.
    request.udp = true;
    fx.check(request, concat({fx.tcp4(), fx.tcp6(), fx.udp_all()}));
    request.tcp_states = sockkit::state_bit(TcpState::listen);
    fx.check(request, {fx.listen4(), fx.listen6(), fx.listen_dual()});
    request.tcp_states = sockkit::state_bit(TcpState::established);
    fx.check(request,
             concat({only(concat({fx.tcp4(), fx.tcp6()}), "ESTABLISHED"), {fx.udp_connected()}}));
    request.tcp_states = sockkit::state_bit(TcpState::close);
    fx.check(request, fx.udp_unconnected());
    // -l: listening TCP sockets and unconnected UDP ones.
    request.tcp_states = sockkit::state_bit(TcpState::listen);
    request.udp_unconnected_only = true;
    fx.check(request,
             concat({{fx.listen4(), fx.listen6(), fx.listen_dual()}, fx.udp_unconnected()}));
  }
  SUBCASE("filters") {
    request.filter.local_ports = PortSet::parse("2000");
    fx.check(request, {fx.listen4(), fx.server4()});
    request.filter = {};
    request.filter.remote_ports = PortSet::parse("2001-2002");
    fx.check(request, {fx.client_of_dual(), fx.client6()});
    // An IPv4 block sees the v4-mapped end of the dual-stack connection too.
    request.filter = {};
    request.filter.remote_addrs = {Cidr::parse("127.0.0.0/8")};
    fx.check(request, {fx.client4(), fx.server4(), fx.client_of_dual(), fx.server_dual()});
    // An IPv6 block skips the IPv4 dumps altogether.
    request.filter = {};
    request.filter.local_addrs = {Cidr::parse("::1/128")};
    request.udp = true;
    fx.check(request, {fx.listen6(), fx.client6(), fx.server6(), fx.udp6()});
    // Ports and blocks together.
    request.filter.local_ports = PortSet::parse("3001");
    fx.check(request, {fx.udp6()});
    request.filter.local_ports = PortSet::parse("2000");
    fx.check(request, {});
  }
  SUBCASE("a port set too large for a kernel program is filtered in user space") {
    request.filter.local_ports = PortSet{};
    for (int port = 2000; port < 10000; port += 2) {
      auto p = static_cast<std::uint16_t>(port);
      request.filter.local_ports->add({p, p});
    }
    auto program = sockkit::compile_bytecode(request.filter, AF_INET);
    REQUIRE(program.has_value());
    REQUIRE(program->empty());
    fx.check(request, {fx.listen4(), fx.server4(), fx.listen_dual(), fx.server_dual()});
  }
  SUBCASE("TCP_INFO on request, from netlink only") {
    request.tcp_info = true;
    auto outcome = fx.check(request, concat({fx.tcp4(), fx.tcp6()}));
    CHECK(outcome.with_tcp_info == 9);  // every TCP socket, listeners included
    request.tcp_info = false;
    CHECK(read(request, SourceKind::netlink).with_tcp_info == 0);
  }
}

// A filter whose program exceeds a page still reaches the kernel in one request.
TEST_CASE("socket_reader: a filter of a few hundred separate ports") {
  if (!can_make_netns()) return;
  ReaderFixture fx;
  ReadRequest request;
  request.filter.local_ports = PortSet{};
  for (int port = 2000; port < 2600; port += 2) {
    auto p = static_cast<std::uint16_t>(port);
    request.filter.local_ports->add({p, p});
  }
  fx.check(request, {fx.listen4(), fx.server4(), fx.listen_dual(), fx.server_dual()});
}
