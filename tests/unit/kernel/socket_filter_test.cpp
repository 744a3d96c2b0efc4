#include "sockkit/socket_filter.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "scratch_netns.hpp"
#include "sockkit/address.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_records.hpp"
#include "test_sockets.hpp"

using sockkit::Cidr;
using sockkit::PortSet;
using sockkit::SocketFilter;
using sockkit::SocketRecord;
using sockkit::TcpState;
using sockkit::Transport;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

SocketFilter local_ports(std::string_view spec) {
  SocketFilter f;
  f.local_ports = PortSet::parse(spec);
  return f;
}

SocketFilter remote_ports(std::string_view spec) {
  SocketFilter f;
  f.remote_ports = PortSet::parse(spec);
  return f;
}

std::vector<Cidr> blocks(std::initializer_list<std::string_view> texts) {
  std::vector<Cidr> out;
  for (auto text : texts) out.push_back(Cidr::parse(text));
  return out;
}

// Single ports 2000, 2002, 2004, ...: `count` separate ranges, each its own term.
PortSet separate_ports(std::size_t count) {
  PortSet set;
  for (std::size_t i = 0; i < count; ++i) {
    auto port = static_cast<std::uint16_t>(2000 + 2 * i);
    set.add({port, port});
  }
  return set;
}

// ---- real sockets in a namespace of the test's own ----------------------------------

std::string key_of(const SocketRecord& r) {
  return fmt::format("{} {} st={} {}:{} -> {}:{}", r.transport == Transport::tcp ? "tcp" : "udp",
                     r.family == AF_INET ? "v4" : "v6", r.state, r.local_ip(), r.local_port,
                     r.remote_ip(), r.remote_port);
}

// The sockets the kernel sends for one dump, as records without their attribute spans.
std::vector<SocketRecord> kernel_dump(Transport transport, int family,
                                      std::span<const std::byte> bytecode = {}) {
  sockkit::SockDiag diag;
  sockkit::DiagRequest request;
  request.transport = transport;
  request.family = family;
  request.bytecode = bytecode;
  std::vector<SocketRecord> out;
  bool complete = diag.dump(request, [&](const SocketRecord& r) {
    out.push_back(r);
    out.back().tcp_info = {};
    out.back().skmeminfo = {};
  });
  CHECK(complete);
  return out;
}

// The same dump through a plain NETLINK_SOCK_DIAG socket of the test's own, so the
// kernel's verdict on a program does not depend on how SockDiag builds its request.
std::vector<SocketRecord> raw_dump(Transport transport, int family,
                                   std::span<const std::byte> bytecode) {
  auto sock = sockkit::make_socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<std::uint8_t>(family);
  req.sdiag_protocol = transport == Transport::tcp ? IPPROTO_TCP : IPPROTO_UDP;
  req.idiag_states = 0xffffffffU;
  nlattr attr{};
  attr.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + bytecode.size());
  attr.nla_type = INET_DIAG_REQ_BYTECODE;
  nlmsghdr header{};
  header.nlmsg_len =
      static_cast<std::uint32_t>(NLMSG_HDRLEN + sizeof req + NLA_ALIGN(attr.nla_len));
  header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  std::vector<std::byte> message(header.nlmsg_len);
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + NLMSG_HDRLEN, &req, sizeof req);
  std::memcpy(message.data() + NLMSG_HDRLEN + sizeof req, &attr, sizeof attr);
  std::memcpy(message.data() + NLMSG_HDRLEN + sizeof req + NLA_HDRLEN, bytecode.data(),
              bytecode.size());
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  REQUIRE(::sendto(sock.get(), message.data(), message.size(), 0,
                   reinterpret_cast<sockaddr*>(&kernel),
                   sizeof kernel) == static_cast<ssize_t>(message.size()));
  std::vector<SocketRecord> out;
  std::vector<std::byte> buffer(64 * 1024);
  for (int i = 0; i < 1000; ++i) {
    ssize_t got = ::recv(sock.get(), buffer.data(), buffer.size(), 0);
    REQUIRE(got > 0);
    auto progress =
        sockkit::parse_diag_buffer(std::span(buffer).first(static_cast<std::size_t>(got)),
                                   transport, [&](const SocketRecord& r) {
                                     out.push_back(r);
                                     out.back().tcp_info = {};
                                     out.back().skmeminfo = {};
                                   });
    if (progress.done) return out;
  }
  FAIL("the dump did not end");
  return out;
}

std::string joined(const std::vector<SocketRecord>& records) {
  std::vector<std::string> keys;
  for (const auto& r : records) keys.push_back(key_of(r));
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (const auto& k : keys) out += k + "\n";
  return out;
}

constexpr std::array<Transport, 2> kTransports{Transport::tcp, Transport::udp};
constexpr std::array<int, 2> kFamilies{AF_INET, AF_INET6};

// Runs `filter` as bytecode in the kernel for every dump and checks the kernel sends
// exactly the sockets matches() accepts. Returns how many sockets matched in all.
std::size_t check_kernel_agrees(const SocketFilter& filter, bool through_sock_diag = true) {
  std::size_t matched = 0;
  for (auto transport : kTransports) {
    for (int family : kFamilies) {
      std::string dump_name = fmt::format("{} {}", transport == Transport::tcp ? "tcp" : "udp",
                                          family == AF_INET ? "AF_INET" : "AF_INET6");
      CAPTURE(dump_name);
      std::vector<SocketRecord> expected;
      for (const auto& r : kernel_dump(transport, family)) {
        if (filter.matches(r)) expected.push_back(r);
      }
      matched += expected.size();
      auto program = sockkit::compile_bytecode(filter, family);
      if (!program) {
        CHECK_MESSAGE(expected.empty(), "compile_bytecode skipped a dump with matching sockets");
        continue;
      }
      CHECK(program->size() % 4 == 0);
      std::vector<SocketRecord> got;
      try {
        got = through_sock_diag ? kernel_dump(transport, family, *program)
                                : raw_dump(transport, family, *program);
      } catch (const std::exception& e) {
        FAIL_CHECK("the kernel dump with a ", program->size(),
                   "-byte program failed: ", std::string(e.what()));
        continue;
      }
      CHECK(joined(got) == joined(expected));
    }
  }
  return matched;
}

// The population every kernel test below runs against, in its own namespace.
struct Population {
  std::vector<sockkit::Fd> fds;

  void add(sockkit::Fd fd) { fds.push_back(std::move(fd)); }
};

void build_population(Population& p) {
  for (int port : {2000, 2001, 2002, 3000, 8080, 8081}) {
    p.add(tcp_listener("127.0.0.1", static_cast<std::uint16_t>(port)));
  }
  p.add(tcp_listener("127.0.0.2", 7000));
  p.add(tcp_listener("::1", 2001));
  p.add(tcp_listener("::1", 5000));
  // Dual-stack: IPv4 peers appear as ::ffff:a.b.c.d.
  p.add(tcp_listener("::", 6000, {.v6only = false}));

  auto pair = [&](const char* from, const char* to, std::uint16_t port, std::size_t listen_at) {
    auto fd = from == nullptr ? sockkit::make_socket(ip(to).family(), SOCK_STREAM)
                              : bound(from, 0, SOCK_STREAM);
    connect_to(fd, to, port);
    p.add(std::move(fd));
    p.add(tcp_accept(p.fds[listen_at]));
  };
  pair(nullptr, "127.0.0.1", 2000, 0);
  pair(nullptr, "127.0.0.1", 8080, 4);
  pair("127.0.0.5", "127.0.0.2", 7000, 6);
  pair(nullptr, "::1", 5000, 8);
  pair(nullptr, "127.0.0.1", 6000, 9);
  pair(nullptr, "::1", 6000, 9);

  // One connection closed by the client first: the client stays in TIME_WAIT.
  {
    auto c = tcp_connect("127.0.0.1", 3000);
    auto s = tcp_accept(p.fds[3]);
    c.reset();
    s.reset();
  }

  // UDP: two unconnected, one connected.
  p.add(bound("127.0.0.1", 2000, SOCK_DGRAM));
  p.add(bound("::1", 2001, SOCK_DGRAM));
  auto udp = bound("127.0.0.1", 4000, SOCK_DGRAM);
  connect_to(udp, "127.0.0.1", 2000);
  p.add(std::move(udp));

  // Wait (bounded) for the TIME_WAIT socket to settle.
  for (int i = 0; i < 200; ++i) {
    auto v4 = kernel_dump(Transport::tcp, AF_INET);
    bool settled =
        std::any_of(v4.begin(), v4.end(),
                    [](const SocketRecord& r) {
                      return r.state == static_cast<std::uint8_t>(TcpState::time_wait);
                    }) &&
        std::none_of(v4.begin(), v4.end(), [](const SocketRecord& r) {
          return r.local_port == 3000 && r.state != static_cast<std::uint8_t>(TcpState::listen);
        });
    if (settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

// ---- matches ------------------------------------------------------------------------

TEST_CASE("socket_filter: an empty filter matches everything") {
  SocketFilter f;
  CHECK(f.empty());
  CHECK(f.matches(tcp_record("127.0.0.1", 22, "10.0.0.1", 40000)));
  CHECK(f.matches(tcp_record("::", 80, "::", 0, TcpState::listen)));
}

TEST_CASE("socket_filter: matches local and remote ports in lists and ranges") {
  auto ssh = tcp_record("10.0.0.1", 22, "10.0.0.2", 51000);
  auto web = tcp_record("10.0.0.1", 8080, "10.0.0.3", 443);
  auto listen = tcp_record("0.0.0.0", 8000, "0.0.0.0", 0, TcpState::listen);

  auto f = local_ports("22");
  CHECK_FALSE(f.empty());
  CHECK(f.matches(ssh));
  CHECK_FALSE(f.matches(web));

  f = local_ports("22,8000-8100");
  CHECK(f.matches(ssh));
  CHECK(f.matches(web));
  CHECK(f.matches(listen));
  f = local_ports("8000-8079,8081-9000");
  CHECK_FALSE(f.matches(web));
  CHECK(f.matches(listen));

  f = remote_ports("443");
  CHECK(f.matches(web));
  CHECK_FALSE(f.matches(ssh));
  f = remote_ports("50000-");
  CHECK(f.matches(ssh));
  CHECK_FALSE(f.matches(web));
  CHECK_FALSE(f.matches(listen));  // remote port 0 is in no port set

  // Both ends: both must hold.
  f = local_ports("22");
  f.remote_ports = PortSet::parse("-1024");
  CHECK_FALSE(f.matches(ssh));
  f.remote_ports = PortSet::parse("1024-");
  CHECK(f.matches(ssh));

  // An empty port set matches nothing.
  SocketFilter none;
  none.local_ports = PortSet{};
  CHECK_FALSE(none.empty());
  CHECK_FALSE(none.matches(ssh));
  CHECK_FALSE(none.matches(listen));
}

TEST_CASE("socket_filter: matches address blocks and v4 blocks against v4-mapped records") {
  auto v4 = tcp_record("10.1.2.3", 22, "192.168.7.9", 40000);
  auto mapped = tcp_record("::ffff:10.1.2.3", 22, "::ffff:192.168.7.9", 40000);
  auto v6 = tcp_record("2001:db8::1", 22, "fe80::9", 40000);
  auto loop6 = tcp_record("::1", 22, "::1", 40000);

  SocketFilter f;
  f.local_addrs = blocks({"10.0.0.0/8"});
  CHECK(f.matches(v4));
  CHECK(f.matches(mapped));
  CHECK_FALSE(f.matches(v6));
  CHECK_FALSE(f.matches(loop6));

  f.local_addrs = blocks({"10.1.2.3"});
  CHECK(f.matches(v4));
  CHECK(f.matches(mapped));
  f.local_addrs = blocks({"10.1.2.4/32"});
  CHECK_FALSE(f.matches(v4));
  CHECK_FALSE(f.matches(mapped));

  // An IPv6 block never matches an IPv4 socket; ::ffff:0:0/96 matches mapped records only.
  f.local_addrs = blocks({"2001:db8::/32"});
  CHECK(f.matches(v6));
  CHECK_FALSE(f.matches(v4));
  f.local_addrs = blocks({"::ffff:0.0.0.0/96"});
  CHECK(f.matches(mapped));
  CHECK_FALSE(f.matches(v4));
  f.local_addrs = blocks({"::/0"});
  CHECK(f.matches(v6));
  CHECK(f.matches(mapped));
  CHECK_FALSE(f.matches(v4));
  f.local_addrs = blocks({"0.0.0.0/0"});
  CHECK(f.matches(v4));
  CHECK(f.matches(mapped));
  CHECK_FALSE(f.matches(v6));

  // Any of the blocks; remote blocks look at the remote end.
  f.local_addrs = blocks({"172.16.0.0/12", "2001:db8::/32", "10.1.0.0/16"});
  CHECK(f.matches(v4));
  CHECK(f.matches(v6));
  CHECK_FALSE(f.matches(loop6));
  SocketFilter r;
  r.remote_addrs = blocks({"192.168.0.0/16"});
  CHECK(r.matches(v4));
  CHECK(r.matches(mapped));
  CHECK_FALSE(r.matches(v6));
  r.remote_addrs = blocks({"10.0.0.0/8"});
  CHECK_FALSE(r.matches(v4));

  // Every field must hold.
  SocketFilter all;
  all.local_ports = PortSet::parse("22");
  all.remote_ports = PortSet::parse("40000");
  all.local_addrs = blocks({"10.0.0.0/8"});
  all.remote_addrs = blocks({"192.168.0.0/16"});
  CHECK(all.matches(v4));
  CHECK(all.matches(mapped));
  CHECK_FALSE(all.matches(v6));
  all.remote_ports = PortSet::parse("40001");
  CHECK_FALSE(all.matches(v4));
}

// ---- compile_bytecode ---------------------------------------------------------------

TEST_CASE("socket_filter: compile_bytecode without conditions is an empty program") {
  auto empty = sockkit::compile_bytecode(SocketFilter{}, AF_INET);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  SocketFilter all;
  all.local_ports = PortSet::all();
  auto everything = sockkit::compile_bytecode(all, AF_INET6);
  REQUIRE(everything.has_value());
  CHECK(everything->empty());
}

TEST_CASE("socket_filter: compile_bytecode: nullopt when no socket of the family can match") {
  SocketFilter f;
  f.local_addrs = blocks({"2001:db8::/32"});
  CHECK_FALSE(sockkit::compile_bytecode(f, AF_INET).has_value());
  auto v6 = sockkit::compile_bytecode(f, AF_INET6);
  REQUIRE(v6.has_value());
  CHECK_FALSE(v6->empty());

  SocketFilter remote;
  remote.remote_addrs = blocks({"::1"});
  CHECK_FALSE(sockkit::compile_bytecode(remote, AF_INET).has_value());

  // An IPv4 block still compiles for IPv6 dumps: dual-stack sockets have mapped peers.
  SocketFilter v4;
  v4.local_addrs = blocks({"127.0.0.0/8"});
  auto for_v6 = sockkit::compile_bytecode(v4, AF_INET6);
  REQUIRE(for_v6.has_value());
  CHECK_FALSE(for_v6->empty());

  // Mixed blocks for an IPv4 dump: the IPv6 ones are left out.
  SocketFilter mixed;
  mixed.local_addrs = blocks({"::1", "127.0.0.0/8", "2001:db8::/32"});
  CHECK(sockkit::compile_bytecode(mixed, AF_INET) == sockkit::compile_bytecode(v4, AF_INET));

  // An empty port set matches nothing in any family.
  SocketFilter none;
  none.remote_ports = PortSet{};
  CHECK_FALSE(sockkit::compile_bytecode(none, AF_INET).has_value());
  CHECK_FALSE(sockkit::compile_bytecode(none, AF_INET6).has_value());
}

TEST_CASE("socket_filter: compile_bytecode gives up past the 64 KiB program limit") {
  // One term per separate port: two 8-byte comparisons and a 4-byte jump.
  auto program = [](std::size_t ports) {
    SocketFilter f;
    f.local_ports = separate_ports(ports);
    auto code = sockkit::compile_bytecode(f, AF_INET);
    REQUIRE(code.has_value());
    return *code;
  };
  CHECK(program(1).size() == 16);
  CHECK(program(2).size() == 36);
  CHECK(program(3276).size() == 65516);  // the largest that still fits
  CHECK(program(3277).empty());          // documented fallback: filter in user space
  CHECK(program(20000).empty());

  SocketFilter big;
  big.local_ports = separate_ports(5000);
  CHECK(big.matches(tcp_record("127.0.0.1", 2000, "127.0.0.1", 1)));
  CHECK_FALSE(big.matches(tcp_record("127.0.0.1", 2001, "127.0.0.1", 1)));
}

TEST_CASE("socket_filter: the kernel runs the compiled bytecode exactly like matches()") {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns("filter");
  Population population;
  build_population(population);

  // The population is what the filters below are about.
  auto tcp4 = kernel_dump(Transport::tcp, AF_INET);
  auto tcp6 = kernel_dump(Transport::tcp, AF_INET6);
  CHECK(tcp4.size() == 15);  // 7 listeners, 3 v4 pairs, a v4 client of [::]:6000, TIME_WAIT
  CHECK(tcp6.size() == 8);   // 3 listeners, 2 v6 pairs, the mapped end of the v4 client
  CHECK(kernel_dump(Transport::udp, AF_INET).size() == 2);
  CHECK(kernel_dump(Transport::udp, AF_INET6).size() == 1);
  CHECK(std::count_if(tcp4.begin(), tcp4.end(), [](const SocketRecord& r) {
          return r.state == static_cast<std::uint8_t>(TcpState::time_wait);
        }) == 1);

  struct Case {
    const char* name;
    SocketFilter filter;
    std::size_t matched;  // over all four dumps
  };
  auto with_addrs = [](SocketFilter f, std::initializer_list<std::string_view> local,
                       std::initializer_list<std::string_view> remote) {
    if (local.size() != 0) f.local_addrs = blocks(local);
    if (remote.size() != 0) f.remote_addrs = blocks(remote);
    return f;
  };
  auto both_ports = [](std::string_view l, std::string_view r) {
    SocketFilter f;
    f.local_ports = PortSet::parse(l);
    f.remote_ports = PortSet::parse(r);
    return f;
  };
  std::vector<Case> cases = {
      // listeners 2000 + server end of its pair + udp 2000
      {"single local port", local_ports("2000"), 3},
      // + tcp listeners 3000, 8080 and its server end
      {"port list", local_ports("2000,3000,8080"), 6},
      // 3 v4 listeners, v6 listener 2001, the server end on 2000, udp 2000 and 2001
      {"range", local_ports("2000-2002"), 7},
      {"several ranges", local_ports("2000-2001,8080-8081"), 9},
      {"open-ended range", local_ports("6000-"), 15},
      // clients of 2000: tcp client, connected udp
      {"remote port", remote_ports("2000"), 2},
      {"remote ports and ranges", remote_ports("3000,5000-6000,7000"), 5},
      {"local and remote port", both_ports("2000-9000", "1024-"), 7},
      {"local port and ephemeral remote", both_ports("1-1023", "1024-"), 0},
      {"source CIDR", with_addrs({}, {"127.0.0.2"}, {}), 2},
      {"source CIDR /8 in both families", with_addrs({}, {"127.0.0.0/8"}, {}), 18},
      {"destination CIDR", with_addrs({}, {}, {"127.0.0.5/32"}), 1},
      {"destination CIDR /8", with_addrs({}, {}, {"127.0.0.0/8"}), 10},
      {"IPv6 source", with_addrs({}, {"::1/128"}, {}), 7},
      {"v4-mapped block", with_addrs({}, {"::ffff:127.0.0.1/128"}, {}), 1},
      {"any IPv6", with_addrs({}, {"::/0"}, {}), 9},
      {"any IPv4 (mapped too)", with_addrs({}, {"0.0.0.0/0"}, {}), 18},
      {"several blocks", with_addrs({}, {"127.0.0.2", "::1"}, {}), 9},
      {"dual-stack port with v4 peers", with_addrs(local_ports("6000"), {}, {"127.0.0.0/8"}), 1},
      {"everything at once",
       with_addrs(both_ports("7000", "1024-65535"), {"127.0.0.0/24"}, {"127.0.0.5"}), 1},
      {"nothing: a port nobody uses", local_ports("1"), 0},
      {"nothing: a block nobody uses", with_addrs({}, {"10.0.0.0/8"}, {}), 0},
      {"nothing: an IPv6 block nobody uses", with_addrs({}, {}, {"2001:db8::/32"}), 0},
      {"nothing: contradicting fields", with_addrs(local_ports("2001"), {"127.0.0.2"}, {}), 0},
      {"many separate ports",
       [] {
         SocketFilter f;
         f.local_ports = separate_ports(150);  // 2000, 2002, ..., 2298
         return f;
       }(),
       4},
  };
  for (const auto& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    CHECK(check_kernel_agrees(c.filter) == c.matched);
  }
}

namespace {

void check_large_programs(const char* tag, std::initializer_list<std::size_t> sizes,
                          bool through_sock_diag) {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns(tag);
  Population population;
  build_population(population);

  for (std::size_t ports : sizes) {
    CAPTURE(ports);
    SocketFilter f;
    f.local_ports = separate_ports(ports);
    auto program = sockkit::compile_bytecode(f, AF_INET);
    REQUIRE(program.has_value());
    REQUIRE_FALSE(program->empty());
    CHECK(check_kernel_agrees(f, through_sock_diag) > 0);
  }
}

}  // namespace

TEST_CASE("socket_filter: programs of a few KiB run in the kernel") {
  // 201 separate ports compile to 4016 bytes, the largest that fits a one-page request
  // message (the size libnl used to send before 0.2).
  check_large_programs("filterbig", {2, 50, 199, 200, 201}, true);
}

TEST_CASE("socket_filter: the kernel accepts and runs programs up to the 64 KiB limit") {
  // Sent through the test's own netlink socket: what compile_bytecode produces for
  // thousands of terms (jumps near the 16-bit limit) is valid bytecode.
  check_large_programs("filterraw", {202, 1000, 3276}, false);
}

// The request is gathered from the header and the program, never a fixed-size page,
// and the socket's send buffer holds the largest one, so every program the compiler
// emits reaches the kernel.
TEST_CASE("socket_filter: programs up to the 64 KiB limit run in the kernel") {
  check_large_programs("filterhuge", {202, 1000, 3276}, true);
}

TEST_CASE("socket_filter: all ports compiles to no program and restricts nothing") {
  // PortSet::all() is 1-65535; like the kernel given no program, matches() keeps the
  // sockets whose remote port is 0 (listeners, unconnected UDP).
  SocketFilter f;
  f.remote_ports = PortSet::all();
  auto program = sockkit::compile_bytecode(f, AF_INET);
  REQUIRE(program.has_value());
  CHECK(program->empty());
  CHECK(f.matches(tcp_record("127.0.0.1", 80, "0.0.0.0", 0, TcpState::listen)));
  CHECK(f.matches(tcp_record("127.0.0.1", 80, "127.0.0.1", 1)));
}
