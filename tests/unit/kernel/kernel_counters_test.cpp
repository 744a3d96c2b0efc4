#include "sockkit/kernel_counters.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "error_text.hpp"
#include "scratch_netns.hpp"
#include "sockkit/fd.hpp"
#include "test_files.hpp"
#include "test_sockets.hpp"

using sockkit::CounterSet;
using sockkit::Fd;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

// Recorded from this machine's /proc (initial namespace), laid out as a proc root.
std::string fixture_root() {
  return data_dir("kernel_counters");
}

std::string counter_error(std::string_view text) {
  // An exact-size copy, so ASan sees a read past the end.
  std::vector<char> exact(text.begin(), text.end());
  return error_of(
      [&] { (void)sockkit::parse_counter_file(std::string_view(exact.data(), exact.size())); });
}

std::string sockstat_error(std::string_view text) {
  return error_of([&] { (void)sockkit::parse_sockstat(text); });
}

// "Section.Name=value" for every counter, in order.
std::vector<std::string> listing(const CounterSet& set) {
  std::vector<std::string> out;
  for (const auto& c : set) out.push_back(fmt::format("{}.{}={}", c.section, c.name, c.value));
  return out;
}

// A proc root with the minimum every reader needs.
void write_minimal(TempDir& proc) {
  proc.write("net/netstat", "TcpExt: ListenOverflows\nTcpExt: 3\n");
  proc.write("net/snmp", "Tcp: MaxConn\nTcp: -1\n");
  proc.write("net/sockstat", "sockets: used 1\nTCP: inuse 1 orphan 0 tw 2 alloc 3 mem 4\n");
}

// --- sockets on loopback ---------------------------------------------------------------

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A connect that does not wait for the handshake.
Fd tcp_connect_nonblocking(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  REQUIRE(fd.get() >= 0);
  auto addr = loopback(port);
  int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  REQUIRE((rc == 0 || errno == EINPROGRESS));
  return fd;
}

// Polls `done` every 10 ms for up to 3 s; true as soon as it holds.
bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::int64_t counter(std::string_view section, std::string_view name) {
  auto value = sockkit::read_netstat().get(section, name);
  REQUIRE_MESSAGE(value.has_value(), section, " ", name, " missing");
  return *value;
}

}  // namespace

// --- parse_counter_file ----------------------------------------------------------------

TEST_CASE("kernel_counters: parse_counter_file of the recorded netstat and snmp") {
  auto netstat = sockkit::parse_counter_file(slurp(fixture_root() + "/net/netstat"));
  // TcpExt 135 + IpExt 18 + MPTcpExt 76 counters on this 6.18 kernel.
  CHECK(netstat.size() == 229);
  auto all = listing(netstat);
  CHECK(all.front() == "TcpExt.SyncookiesSent=0");
  CHECK(all[135] == "IpExt.InNoRoutes=0");
  CHECK(all.back() == "MPTcpExt.WinProbe=0");
  CHECK(netstat.get("TcpExt", "TW") == 119);
  CHECK(netstat.get("TcpExt", "TCPDelivered") == 512);
  CHECK(netstat.get("TcpExt", "ListenOverflows") == 0);
  CHECK(netstat.get("TcpExt", "ListenDrops") == 0);
  CHECK(netstat.get("TcpExt", "TCPReqQFullDrop") == 0);
  CHECK(netstat.get("TcpExt", "TCPTimeWaitOverflow") == 0);
  CHECK(netstat.get("TcpExt", "TCPAODroppedIcmps") == 0);  // the last TcpExt name
  CHECK(netstat.get("IpExt", "InOctets") == 79903094);
  CHECK(netstat.get("IpExt", "OutOctets") == 191776);
  // Names belong to their section.
  CHECK_FALSE(netstat.get("IpExt", "TW").has_value());
  CHECK_FALSE(netstat.get("tcpext", "TW").has_value());
  CHECK_FALSE(netstat.get("TcpExt", "NoSuchCounter").has_value());

  auto snmp = sockkit::parse_counter_file(slurp(fixture_root() + "/net/snmp"));
  CHECK(snmp.size() == 83);  // Ip 20, Icmp 29, IcmpMsg 1, Tcp 15, Udp 9, UdpLite 9
  CHECK(snmp.get("Tcp", "MaxConn") == -1);
  CHECK(snmp.get("Tcp", "RtoMax") == 120000);
  CHECK(snmp.get("Tcp", "ActiveOpens") == 208);
  CHECK(snmp.get("Tcp", "OutRsts") == 90);
  CHECK(snmp.get("Ip", "Forwarding") == 2);
  CHECK(snmp.get("Ip", "OutTransmits") == 2990);
  CHECK(snmp.get("IcmpMsg", "InType3") == 1);
  CHECK(snmp.get("Udp", "OutDatagrams") == 81);
  CHECK(snmp.get("UdpLite", "InDatagrams") == 0);
  CHECK(listing(snmp).back() == "UdpLite.MemErrors=0");
}

TEST_CASE("kernel_counters: parse_counter_file layout tolerance") {
  // Two sections with and without a final newline.
  const std::vector<std::string> expected = {"Tcp.RtoAlgorithm=1", "Tcp.MaxConn=-1",
                                             "Tcp.CurrEstab=5", "Udp.InDatagrams=80"};
  CHECK(listing(sockkit::parse_counter_file(
            "Tcp: RtoAlgorithm MaxConn CurrEstab\nTcp: 1 -1 5\nUdp: InDatagrams\nUdp: 80\n")) ==
        expected);
  CHECK(listing(sockkit::parse_counter_file(
            "Tcp: RtoAlgorithm MaxConn CurrEstab\nTcp: 1 -1 5\nUdp: InDatagrams\nUdp: 80")) ==
        expected);
  // Extra spaces and tabs between fields and around the section, blank lines between pairs.
  CHECK(listing(sockkit::parse_counter_file("  Tcp :RtoAlgorithm \t MaxConn   CurrEstab  \n"
                                            "Tcp:   1\t-1 5   \n\n   \n"
                                            "Udp: InDatagrams\nUdp: 80\n\n")) == expected);
  // Sections nobody knows yet are kept, under their own name.
  auto future = sockkit::parse_counter_file(
      "Tcp: MaxConn\nTcp: -1\nQuicExt: Lost Sent\n"
      "QuicExt: 9223372036854775807 -9223372036854775808\n");
  CHECK(future.get("QuicExt", "Lost") == std::numeric_limits<std::int64_t>::max());
  CHECK(future.get("QuicExt", "Sent") == std::numeric_limits<std::int64_t>::min());
  CHECK(future.get("Tcp", "MaxConn") == -1);
  // A section without counters, leading zeros, "-0".
  auto odd = sockkit::parse_counter_file("IcmpMsg:\nIcmpMsg:\nIp: A B\nIp: 007 -0\n");
  CHECK(listing(odd) == std::vector<std::string>{"Ip.A=7", "Ip.B=0"});
  // Empty input: no counters, every lookup nullopt.
  CHECK(sockkit::parse_counter_file("").empty());
  CHECK(sockkit::parse_counter_file("\n\n").empty());
  CHECK_FALSE(sockkit::parse_counter_file("").get("TcpExt", "ListenOverflows").has_value());
}

TEST_CASE("kernel_counters: parse_counter_file errors name the line") {
  CHECK(counter_error("TcpExt: A B C\nTcpExt: 1 2\n") ==
        "line 2 (\"TcpExt: 1 2\"): 2 values for 3 names in TcpExt");
  CHECK(counter_error("Ip: A\nIp: 1\nTcpExt: A B\nTcpExt: 1 2 3") ==
        "line 4 (\"TcpExt: 1 2 3\"): 3 values for 2 names in TcpExt");
  CHECK(counter_error("Tcp: A B\nTcp: 1 x\n") ==
        "line 2 (\"Tcp: 1 x\"): value \"x\" of Tcp B is not a decimal integer");
  for (const char* bad : {"+1", "1.5", "0x10", "1e3", "--1", "-", "12a", "١"}) {
    CAPTURE(bad);
    CHECK(counter_error(fmt::format("Tcp: A\nTcp: {}\n", bad)).find("is not a decimal integer") !=
          std::string::npos);
  }
  CHECK(counter_error("Tcp: A\nTcp: 9223372036854775808\n") ==
        "line 2 (\"Tcp: 9223372036854775808\"): value \"9223372036854775808\" of Tcp A does not "
        "fit 64 bits");
  CHECK(counter_error("Tcp: A\nTcp: -9223372036854775809\n").find("does not fit 64 bits") !=
        std::string::npos);
  // A header whose values never come.
  CHECK(counter_error("Tcp: A\nTcp: 1\nIp: A B\n") ==
        "line 3 (\"Ip: A B\"): Ip names without a line of values");
  CHECK(counter_error("Ip: A B\nTcp: 1 2\n") ==
        "line 2 (\"Tcp: 1 2\"): expected the values of Ip (line 1), found Tcp");
  // Header and values swapped.
  CHECK(counter_error("Tcp: 1 2\nTcp: A B\n") ==
        "line 2 (\"Tcp: A B\"): value \"A\" of Tcp 1 is not a decimal integer");
  // Garbage.
  CHECK(counter_error("garbage\n") == "line 1 (\"garbage\"): expected \"Section: fields\"");
  CHECK(counter_error(": 1 2\n:1 2\n") == "line 1 (\": 1 2\"): expected \"Section: fields\"");
  CHECK(counter_error(std::string_view("Tcp: A\0\x01\nTcp: 1\x7f", 16)) ==
        "line 2 (\"Tcp: 1?\"): value \"1?\" of Tcp A?? is not a decimal integer");
  auto long_line = "Tcp: " + std::string(200, 'N');
  CHECK(counter_error(long_line) ==
        "line 1 (\"Tcp: NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN...\"): Tcp names "
        "without a line of values");
  CHECK(counter_error(std::string(5000, '\x80')).find("line 1 (\"????") == 0);
}

// --- parse_sockstat -------------------------------------------------------------------

TEST_CASE("kernel_counters: parse_sockstat of the recorded sockstat and sockstat6") {
  auto s = sockkit::parse_sockstat(slurp(fixture_root() + "/net/sockstat"));
  CHECK(s.sockets_used == 12);
  CHECK(s.tcp_inuse == 1);
  CHECK(s.tcp_orphan == 0);
  CHECK(s.tcp_tw == 0);
  CHECK(s.tcp_alloc == 50065);
  CHECK(s.tcp_mem_pages == 165);
  CHECK(s.udp_inuse == 0);
  CHECK(s.udp_mem_pages == 0);
  CHECK(s.tcp6_inuse == 0);

  auto s6 = sockkit::parse_sockstat(slurp(fixture_root() + "/net/sockstat6"));
  CHECK(s6.tcp6_inuse == 0);
  CHECK(s6.udp6_inuse == 0);
  CHECK(s6.sockets_used == 0);
  CHECK(s6.tcp_inuse == 0);
}

TEST_CASE("kernel_counters: parse_sockstat fields and tolerance") {
  auto s = sockkit::parse_sockstat(
      "sockets: used 312\n"
      "TCP: inuse 27 orphan 3 tw 28230 alloc 40 mem 1049\n"
      "UDP: inuse 5 mem 6\n"
      "UDPLITE: inuse 0\n"
      "RAW: inuse 1\n"
      "FRAG: inuse 0 memory 0\n"
      "TCP6: inuse 9\n"
      "UDP6: inuse 4\n"
      "MPTCP: whatever format comes next\n");
  CHECK(s.sockets_used == 312);
  CHECK(s.tcp_inuse == 27);
  CHECK(s.tcp_orphan == 3);
  CHECK(s.tcp_tw == 28230);
  CHECK(s.tcp_alloc == 40);
  CHECK(s.tcp_mem_pages == 1049);
  CHECK(s.udp_inuse == 5);
  CHECK(s.udp_mem_pages == 6);
  CHECK(s.tcp6_inuse == 9);
  CHECK(s.udp6_inuse == 4);

  // Fields in another order, extra spaces, a field the kernel may add, no final newline.
  auto t =
      sockkit::parse_sockstat("TCP:  tw 7\talloc 8 pressure 1 inuse 6   mem 18446744073709551615");
  CHECK(t.tcp_tw == 7);
  CHECK(t.tcp_alloc == 8);
  CHECK(t.tcp_inuse == 6);
  CHECK(t.tcp_mem_pages == std::numeric_limits<std::uint64_t>::max());
  CHECK(t.sockets_used == 0);  // no sockets line: stays 0
}

TEST_CASE("kernel_counters: parse_sockstat errors") {
  CHECK(sockstat_error("TCP: inuse x orphan 0\n") ==
        "line 1 (\"TCP: inuse x orphan 0\"): value \"x\" of TCP inuse is not an unsigned number");
  CHECK(sockstat_error("sockets: used 1\nTCP: inuse -1\n") ==
        "line 2 (\"TCP: inuse -1\"): value \"-1\" of TCP inuse is not an unsigned number");
  CHECK(sockstat_error("UDP: inuse 1 mem\n") ==
        "line 1 (\"UDP: inuse 1 mem\"): expected \"key value\" pairs after UDP:");
  CHECK(sockstat_error("sockets:\n") ==
        "line 1 (\"sockets:\"): expected \"key value\" pairs after sockets:");
  CHECK(sockstat_error("TCP: inuse 18446744073709551616\n").find("is not an unsigned number") !=
        std::string::npos);
  CHECK(sockstat_error("garbage") == "line 1 (\"garbage\"): expected \"Section: key value ...\"");
  const std::string not_sockstat = "no sockets, TCP, UDP, TCP6 or UDP6 line: not a sockstat file";
  CHECK(sockstat_error("") == not_sockstat);
  CHECK(sockstat_error("\n") == not_sockstat);
  CHECK(sockstat_error("RAW: inuse 0\nFRAG: inuse 0 memory 0\n") == not_sockstat);
}

// --- sysctls ----------------------------------------------------------------------------

TEST_CASE("kernel_counters: sysctl parsers") {
  CHECK(sockkit::parse_sysctl_int("131072\n") == 131072);
  CHECK(sockkit::parse_sysctl_int("0") == 0);
  CHECK(sockkit::parse_sysctl_int("-1\n") == -1);
  CHECK(sockkit::parse_sysctl_int(" 2 \n") == 2);
  for (const char* bad : {"", "\n", "1 2\n", "x\n", "0x10\n", "+1\n", "99999999999999999999\n"}) {
    CAPTURE(bad);
    CHECK(error_of([&] {
            (void)sockkit::parse_sysctl_int(bad);
          }).find("expected one integer, found \"") == 0);
  }
  CHECK(error_of([] { (void)sockkit::parse_sysctl_int("1 2\n"); }) ==
        "expected one integer, found \"1 2?\"");

  CHECK(sockkit::parse_port_range("32768\t60999\n") == sockkit::PortRange{32768, 60999});
  CHECK(sockkit::parse_port_range("1 65535") == sockkit::PortRange{1, 65535});
  CHECK(sockkit::parse_port_range("1024\t1024\n") == sockkit::PortRange{1024, 1024});
  CHECK(sockkit::parse_port_range("1024\t1024\n").count() == 1);
  CHECK(error_of([] { (void)sockkit::parse_port_range("60999\t32768\n"); }) ==
        "expected two ports 1-65535, the lower first, found \"60999?32768?\"");
  for (const char* bad : {"", "32768\n", "0\t100\n", "1\t65536\n", "1\t2\t3\n", "a\tb\n", "-1\t5\n",
                          "32768-60999\n"}) {
    CAPTURE(bad);
    CHECK(error_of([&] {
            (void)sockkit::parse_port_range(bad);
          }).find("expected two ports 1-65535, the lower first") == 0);
  }

  using Pages = std::array<std::uint64_t, 3>;
  CHECK(sockkit::parse_tcp_mem("287898\t383865\t575796\n") == Pages{287898, 383865, 575796});
  CHECK(sockkit::parse_tcp_mem("1 2 3") == Pages{1, 2, 3});
  CHECK(error_of([] { (void)sockkit::parse_tcp_mem("1\t2\n"); }) ==
        "expected three page counts, found \"1?2?\"");
  for (const char* bad : {"", "1 2 3 4", "1 -2 3", "1 2 x", "1.0 2 3"}) {
    CAPTURE(bad);
    CHECK(error_of([&] { (void)sockkit::parse_tcp_mem(bad); }).find("expected three page counts") ==
          0);
  }
}

// --- readers over a proc root -----------------------------------------------------------

TEST_CASE("kernel_counters: readers replay the recorded proc root") {
  EnvGuard env("SOCKKIT_PROC_ROOT", fixture_root().c_str());

  auto counters = sockkit::read_netstat();
  CHECK(counters.size() == 229 + 83);
  auto all = listing(counters);
  CHECK(all.front() == "TcpExt.SyncookiesSent=0");
  CHECK(all[229] == "Ip.Forwarding=2");  // snmp follows netstat
  CHECK(all.back() == "UdpLite.MemErrors=0");
  CHECK(counters.get("TcpExt", "TW") == 119);
  CHECK(counters.get("Tcp", "MaxConn") == -1);

  auto s = sockkit::read_sockstat();
  CHECK(s.sockets_used == 12);
  CHECK(s.tcp_inuse == 1);
  CHECK(s.tcp_alloc == 50065);
  CHECK(s.tcp_mem_pages == 165);
  CHECK(s.tcp6_inuse == 0);

  auto sys = sockkit::read_net_sysctls();
  CHECK(sys.tcp_max_tw_buckets == 131072);
  CHECK(sys.tcp_max_orphans == 131072);
  CHECK(sys.somaxconn == 4096);
  CHECK(sys.tcp_max_syn_backlog == 2048);
  CHECK(sys.tcp_syncookies == 1);
  CHECK(sys.tcp_fin_timeout == 60);
  CHECK(sys.tcp_tw_reuse == 2);
  REQUIRE(sys.ip_local_port_range.has_value());
  CHECK(*sys.ip_local_port_range == sockkit::PortRange{32768, 60999});
  CHECK(sys.ip_local_port_range->count() == 28232);
  REQUIRE(sys.tcp_mem.has_value());
  CHECK(*sys.tcp_mem == std::array<std::uint64_t, 3>{287898, 383865, 575796});
}

TEST_CASE("kernel_counters: readers when files are missing or malformed") {
  TempDir proc("kc");
  EnvGuard env("SOCKKIT_PROC_ROOT", proc.path().c_str());
  const auto& root = proc.path();

  // The counter files must exist.
  CHECK(error_of([] { (void)sockkit::read_netstat(); }) ==
        fmt::format("system_error {}: cannot open {}/net/netstat: No such file or directory",
                    ENOENT, root));
  CHECK(error_of([] { (void)sockkit::read_sockstat(); }) ==
        fmt::format("system_error {}: cannot open {}/net/sockstat: No such file or directory",
                    ENOENT, root));
  proc.write("net/netstat", "TcpExt: ListenOverflows\nTcpExt: 3\n");
  CHECK(error_of([] { (void)sockkit::read_netstat(); }) ==
        fmt::format("system_error {}: cannot open {}/net/snmp: No such file or directory", ENOENT,
                    root));

  // Every sysctl missing (an empty root, or a namespace without them): all nullopt.
  auto none = sockkit::read_net_sysctls();
  CHECK_FALSE(none.tcp_max_tw_buckets.has_value());
  CHECK_FALSE(none.tcp_max_orphans.has_value());
  CHECK_FALSE(none.somaxconn.has_value());
  CHECK_FALSE(none.tcp_max_syn_backlog.has_value());
  CHECK_FALSE(none.tcp_syncookies.has_value());
  CHECK_FALSE(none.tcp_fin_timeout.has_value());
  CHECK_FALSE(none.tcp_tw_reuse.has_value());
  CHECK_FALSE(none.ip_local_port_range.has_value());
  CHECK_FALSE(none.tcp_mem.has_value());

  write_minimal(proc);
  auto counters = sockkit::read_netstat();
  CHECK(listing(counters) ==
        std::vector<std::string>{"TcpExt.ListenOverflows=3", "Tcp.MaxConn=-1"});

  // No sockstat6 (IPv6 disabled): the IPv6 counts are 0, the rest is read.
  auto s = sockkit::read_sockstat();
  CHECK(s.tcp_tw == 2);
  CHECK(s.tcp_mem_pages == 4);
  CHECK(s.tcp6_inuse == 0);
  proc.write("net/sockstat6", "TCP6: inuse 5\nUDP6: inuse 6\nRAW6: inuse 0\n");
  s = sockkit::read_sockstat();
  CHECK(s.tcp_inuse == 1);
  CHECK(s.tcp6_inuse == 5);
  CHECK(s.udp6_inuse == 6);

  // Some sysctls there, others not (tcp_mem and tcp_max_orphans outside the initial
  // namespace).
  proc.write("sys/net/ipv4/tcp_max_tw_buckets", "5000\n");
  proc.write("sys/net/ipv4/ip_local_port_range", "40000\t40009\n");
  proc.write("sys/net/core/somaxconn", "128\n");
  auto some = sockkit::read_net_sysctls();
  CHECK(some.tcp_max_tw_buckets == 5000);
  CHECK(some.somaxconn == 128);
  CHECK(some.ip_local_port_range == sockkit::PortRange{40000, 40009});
  CHECK_FALSE(some.tcp_max_orphans.has_value());
  CHECK_FALSE(some.tcp_mem.has_value());

  // Parse errors start with the path.
  proc.write("net/snmp", "Tcp: MaxConn ActiveOpens\nTcp: -1\n");
  CHECK(error_of([] { (void)sockkit::read_netstat(); }) ==
        fmt::format("{}/net/snmp: line 2 (\"Tcp: -1\"): 1 values for 2 names in Tcp", root));
  proc.write("net/sockstat6", "TCP6: inuse many\n");
  CHECK(error_of([] { (void)sockkit::read_sockstat(); }) ==
        fmt::format("{}/net/sockstat6: line 1 (\"TCP6: inuse many\"): value \"many\" of TCP6 "
                    "inuse is not an unsigned number",
                    root));
  proc.write("sys/net/ipv4/tcp_mem", "1\t2\n");
  CHECK(error_of([] { (void)sockkit::read_net_sysctls(); }) ==
        fmt::format("{}/sys/net/ipv4/tcp_mem: expected three page counts, found \"1?2?\"", root));
  proc.remove("sys/net/ipv4/tcp_mem");
  proc.write("sys/net/ipv4/tcp_syncookies", "");
  CHECK(error_of([] { (void)sockkit::read_net_sysctls(); }) ==
        fmt::format("{}/sys/net/ipv4/tcp_syncookies: expected one integer, found \"\"", root));
  proc.remove("sys/net/ipv4/tcp_syncookies");

  // A sysctl that exists but cannot be read is an error, not a missing value.
  proc.make_dir("sys/net/ipv4/tcp_fin_timeout");
  CHECK(error_of([] { (void)sockkit::read_net_sysctls(); }) ==
        fmt::format("system_error {}: cannot read {}/sys/net/ipv4/tcp_fin_timeout: Is a directory",
                    EISDIR, root));

  // Something far too big to be a counter file.
  proc.write("net/netstat", std::string(std::size_t{2} << 20U, '1'));
  CHECK(error_of([] { (void)sockkit::read_netstat(); }) ==
        fmt::format("{}/net/netstat: larger than 1048576 bytes", root));
}

// --- the live kernel --------------------------------------------------------------------

TEST_CASE("kernel_counters: live readers see this host") {
  EnvGuard env("SOCKKIT_PROC_ROOT", nullptr);
  auto counters = sockkit::read_netstat();
  CHECK(counters.size() > 100);
  for (const char* name : {"ListenOverflows", "ListenDrops", "SyncookiesSent", "TCPReqQFullDrop",
                           "TCPTimeWaitOverflow", "TCPAbortOnMemory"}) {
    CAPTURE(name);
    auto value = counters.get("TcpExt", name);
    REQUIRE(value.has_value());
    CHECK(*value >= 0);
  }
  CHECK(counters.get("Tcp", "MaxConn") == -1);
  CHECK(counters.get("Tcp", "CurrEstab") >= 0);
  // Within one section every name is there once.
  std::vector<std::string> keys;
  for (const auto& c : counters) keys.push_back(c.section + "." + c.name);
  std::sort(keys.begin(), keys.end());
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());

  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 4});
  auto s = sockkit::read_sockstat();
  CHECK(s.tcp_inuse >= 1);
  CHECK(s.sockets_used >= 1);

  auto sys = sockkit::read_net_sysctls();
  REQUIRE(sys.tcp_max_tw_buckets.has_value());
  CHECK(*sys.tcp_max_tw_buckets > 0);
  REQUIRE(sys.ip_local_port_range.has_value());
  CHECK(sys.ip_local_port_range->first < sys.ip_local_port_range->last);
  REQUIRE(sys.somaxconn.has_value());
  CHECK(*sys.somaxconn > 0);
  REQUIRE(sys.tcp_syncookies.has_value());
  CHECK(*sys.tcp_syncookies >= 0);
  CHECK(*sys.tcp_syncookies <= 2);
  REQUIRE(sys.tcp_max_syn_backlog.has_value());
  REQUIRE(sys.tcp_fin_timeout.has_value());
  REQUIRE(sys.tcp_tw_reuse.has_value());
  // The host-wide limits are visible only in the initial network namespace.
  bool initial = ::access("/proc/sys/net/ipv4/tcp_mem", F_OK) == 0;
  CHECK(sys.tcp_mem.has_value() == initial);
  CHECK(sys.tcp_max_orphans.has_value() ==
        (::access("/proc/sys/net/ipv4/tcp_max_orphans", F_OK) == 0));
  if (sys.tcp_mem) {
    CHECK((*sys.tcp_mem)[0] <= (*sys.tcp_mem)[1]);
    CHECK((*sys.tcp_mem)[1] <= (*sys.tcp_mem)[2]);
  }
}

TEST_CASE("kernel_counters: a full accept queue counts ListenOverflows in its namespace") {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns("kc-listen");
  EnvGuard env("SOCKKIT_PROC_ROOT", nullptr);

  // A fresh namespace starts its counters at 0, whatever the host has seen.
  CHECK(counter("TcpExt", "ListenOverflows") == 0);
  CHECK(counter("TcpExt", "ListenDrops") == 0);
  CHECK(sockkit::read_sockstat().tcp_inuse == 0);
  // The host-wide limits are not shown here; the per-namespace ones are.
  auto sys = sockkit::read_net_sysctls();
  CHECK_FALSE(sys.tcp_mem.has_value());
  CHECK_FALSE(sys.tcp_max_orphans.has_value());
  CHECK(sys.tcp_max_tw_buckets.has_value());
  CHECK(sys.ip_local_port_range.has_value());
  CHECK(sys.somaxconn.has_value());

  // Backlog 1 holds two connections; nobody accepts, so the rest overflow.
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 1});
  auto port = local_port_of(listener);
  std::vector<Fd> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(tcp_connect_nonblocking(port));
  CHECK(eventually([] { return counter("TcpExt", "ListenOverflows") > 0; }));
  auto overflows = counter("TcpExt", "ListenOverflows");
  auto drops = counter("TcpExt", "ListenDrops");
  MESSAGE("ListenOverflows ", overflows, " ListenDrops ", drops);
  CHECK(overflows > 0);
  CHECK(drops >= overflows);                       // every overflow is also a drop
  CHECK(sockkit::read_sockstat().tcp_inuse >= 3);  // the listener and two queued connections
}

TEST_CASE("kernel_counters: TIME_WAIT beyond tcp_max_tw_buckets counts TCPTimeWaitOverflow") {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns("kc-tw");
  EnvGuard env("SOCKKIT_PROC_ROOT", nullptr);

  // tcp_max_tw_buckets is per namespace: room for one TIME_WAIT here.
  {
    std::ofstream limit("/proc/sys/net/ipv4/tcp_max_tw_buckets");
    limit << "1\n";
    REQUIRE(limit.good());
  }
  CHECK(sockkit::read_net_sysctls().tcp_max_tw_buckets == 1);
  CHECK(sockkit::read_sockstat().tcp_tw == 0);
  CHECK(counter("TcpExt", "TCPTimeWaitOverflow") == 0);

  // Three connections closed by the client first: it is the side that waits.
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 8});
  auto port = local_port_of(listener);
  for (int i = 0; i < 3; ++i) {
    auto client = tcp_connect("127.0.0.1", port);
    auto server = tcp_accept(listener);
    client.reset();
    char byte = 0;
    REQUIRE(::read(server.get(), &byte, 1) == 0);  // the client's FIN
    server.reset();
  }
  CHECK(eventually([] { return counter("TcpExt", "TCPTimeWaitOverflow") >= 2; }));
  CHECK(counter("TcpExt", "TCPTimeWaitOverflow") == 2);
  CHECK(sockkit::read_sockstat().tcp_tw == 1);
}
