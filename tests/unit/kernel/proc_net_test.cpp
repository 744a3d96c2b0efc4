#include "sockkit/proc_net.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "error_text.hpp"
#include "scratch_netns.hpp"
#include "sockkit/address.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_files.hpp"
#include "test_sockets.hpp"

using sockkit::SocketRecord;
using sockkit::Transport;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

// The recorded /proc/net files: a namespace with known sockets, captured with cat.
std::string fixture_root() {
  return data_dir("proc_net");
}

bool parse(std::string_view line, SocketRecord& out, int family = AF_INET,
           Transport transport = Transport::tcp) {
  std::vector<char> exact(line.begin(), line.end());  // no terminator: ASan sees over-reads
  return sockkit::parse_proc_net_line(std::string_view(exact.data(), exact.size()), transport,
                                      family, out);
}

bool parses(std::string_view line, int family = AF_INET) {
  SocketRecord out;
  return parse(line, out, family);
}

// Everything a /proc line carries, in one comparable string.
std::string describe(const SocketRecord& r) {
  return fmt::format("{} st={:02X} {}:{} -> {}:{} tx={} rx={} tr={} exp={} rt={} uid={} ino={}",
                     r.family == AF_INET ? "v4" : "v6", r.state, r.local_ip(), r.local_port,
                     r.remote_ip(), r.remote_port, r.wqueue, r.rqueue, r.timer, r.expires_ms,
                     r.retrans, r.uid, r.inode);
}

std::vector<std::string> read_all(Transport transport, int family) {
  std::vector<std::string> out;
  sockkit::read_proc_net(transport, family, [&](const SocketRecord& r) {
    CHECK(r.transport == transport);
    CHECK(r.family == family);
    out.push_back(describe(r));
  });
  return out;
}

std::string read_error(Transport transport, int family) {
  return error_of([&] { sockkit::read_proc_net(transport, family, [](const SocketRecord&) {}); });
}

// A private directory standing in for /proc. The reader only looks in its net/, so the
// names given here are of files in net/.
class FakeProc {
 public:
  FakeProc() { dir_.make_dir("net"); }

  void write(const std::string& name, std::string_view text) { dir_.write("net/" + name, text); }
  void make_dir(const std::string& name) { dir_.make_dir("net/" + name); }
  [[nodiscard]] const std::string& root() const { return dir_.path(); }

 private:
  TempDir dir_{"proc"};
};

constexpr std::string_view kHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode";
constexpr std::string_view kListenLine =
    "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "12345 1 0000000000000000 100 0 0 10 0";

// ---- real sockets -------------------------------------------------------------------

// The line of a /proc/net file whose inode column (the tenth) is `inode`.
std::string line_with_inode(const std::string& file, std::uint32_t inode) {
  std::istringstream text(slurp(file));
  std::string line;
  while (std::getline(text, line)) {
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 10 && fields >> field; ++i) {
    }
    if (field == std::to_string(inode)) return line;
  }
  return "";
}

}  // namespace

TEST_CASE("proc_net: proc_root is /proc unless SOCKKIT_PROC_ROOT says otherwise") {
  {
    EnvGuard env("SOCKKIT_PROC_ROOT", nullptr);
    CHECK(sockkit::proc_root() == "/proc");
  }
  {
    EnvGuard env("SOCKKIT_PROC_ROOT", "");
    CHECK(sockkit::proc_root() == "/proc");
  }
  {
    EnvGuard env("SOCKKIT_PROC_ROOT", "/tmp/recorded");
    CHECK(sockkit::proc_root() == "/tmp/recorded");
  }
}

TEST_CASE("proc_net: parse_proc_net_line reads an IPv4 line") {
  SocketRecord r;
  r.cookie = 77;  // stale fields from the previous line are cleared
  REQUIRE(parse(kListenLine, r, AF_INET, Transport::udp));
  CHECK(r.transport == Transport::udp);
  CHECK(r.family == AF_INET);
  CHECK(r.local_ip().to_string() == "127.0.0.1");
  CHECK(r.local_port == 22);
  CHECK(r.remote_ip().to_string() == "0.0.0.0");
  CHECK(r.remote_port == 0);
  CHECK(r.state == static_cast<std::uint8_t>(sockkit::TcpState::listen));
  CHECK(r.wqueue == 0);
  CHECK(r.rqueue == 0);
  CHECK(r.timer == 0);
  CHECK(r.expires_ms == 0);
  CHECK(r.uid == 0);
  CHECK(r.inode == 12345);
  CHECK(r.cookie == 0);

  // Queues, a keepalive timer in clock ticks, retransmits and a user.
  REQUIRE(
      parse("   4: 0A000001:1F90 C0A80709:9C40 01 0000000A:00000005 02:000AFC6B 00000003  "
            "1000        0 4002954 1 00000000ced6a5ec 20 4 30 10 -1",
            r));
  CHECK(r.local_ip().to_string() == "1.0.0.10");  // words are in host byte order
  CHECK(r.local_port == 8080);
  CHECK(r.remote_ip().to_string() == "9.7.168.192");
  CHECK(r.remote_port == 40000);
  CHECK(r.state == 1);
  CHECK(r.wqueue == 10);
  CHECK(r.rqueue == 5);
  CHECK(r.timer == 2);
  CHECK(r.expires_ms == 0xAFC6BU * 10U);
  CHECK(r.retrans == 3);
  CHECK(r.uid == 1000);
  CHECK(r.inode == 4002954);

  // A TIME_WAIT line: fewer columns, inode 0.
  REQUIRE(
      parse("   3: 0100007F:9C41 0100007F:0016 06 00000000:00000000 03:0000175B 00000000     "
            "0        0 0 3 000000000541b449",
            r));
  CHECK(r.state == static_cast<std::uint8_t>(sockkit::TcpState::time_wait));
  CHECK(r.timer == 3);
  CHECK(r.expires_ms == 0x175BU * 10U);
  CHECK(r.inode == 0);

  // Lower-case hex and a wide slot number (UDP prints %5d).
  REQUIRE(
      parse("15859: 0100007f:9c44 0100007f:0035 01 00000000:00000340 00:00000000 00000000  "
            "   0        0 4002964 2 000000002049680b 0",
            r));
  CHECK(r.local_port == 0x9c44);
  CHECK(r.rqueue == 0x340);
}

TEST_CASE("proc_net: parse_proc_net_line reads IPv6 addresses word by word") {
  SocketRecord r;
  REQUIRE(
      parse("   0: 00000000000000000000000001000000:01BB 00000000000000000000000000000000:0000 "
            "0A 00000000:00000000 00:00000000 00000000     0        0 4002957 1 "
            "000000004a07a2a0 100 0 0 10 0",
            r, AF_INET6));
  CHECK(r.family == AF_INET6);
  CHECK(r.local_ip().to_string() == "::1");
  CHECK(r.local_port == 443);
  CHECK(r.remote_ip().to_string() == "::");
  CHECK(r.inode == 4002957);

  REQUIRE(
      parse("   1: B80D0120000000000000000001000000:0050 0000000000000000FFFF00000100007F:9C43 "
            "01 00000000:00000000 00:00000000 00000000   100        0 42 1 0 20 0 0 10 -1",
            r, AF_INET6));
  CHECK(r.local_ip().to_string() == "2001:db8::1");
  CHECK(r.remote_ip().to_string() == "::ffff:127.0.0.1");
  CHECK(r.remote_port == 0x9C43);
  CHECK(r.uid == 100);
}

TEST_CASE("proc_net: parse_proc_net_line refuses headers and malformed lines") {
  CHECK_FALSE(parses(kHeader));
  CHECK_FALSE(
      parses("  sl  local_address                         remote_address                        st "
             "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
             AF_INET6));
  CHECK_FALSE(parses(""));
  CHECK_FALSE(parses("   "));
  CHECK_FALSE(parses("garbage"));
  CHECK_FALSE(parses("0:"));
  CHECK(parses(kListenLine));

  auto with = [](std::string_view from, std::string_view to) {
    std::string line(kListenLine);
    auto at = line.find(from);
    REQUIRE(at != std::string::npos);
    line.replace(at, from.size(), to);
    return line;
  };
  CHECK_FALSE(parses(with("0100007F:0016", "0100007G:0016")));   // not hex
  CHECK_FALSE(parses(with("0100007F:0016", "100007F:0016")));    // 7 digits
  CHECK_FALSE(parses(with("0100007F:0016", "0100007F0016")));    // no colon
  CHECK_FALSE(parses(with("0100007F:0016", "0100007F:00016")));  // 5-digit port
  CHECK_FALSE(parses(with("0100007F:0016", "0100007F:016")));    // 3-digit port
  CHECK_FALSE(parses(with("0100007F:0016", "0100007F:")));       // no port
  CHECK_FALSE(parses(with(" 0A ", " 10A ")));                    // state beyond a byte
  CHECK_FALSE(parses(with(" 0A ", " 0X ")));
  CHECK_FALSE(parses(with("00000000:00000000", "00000000-00000000")));
  CHECK_FALSE(parses(with("00000000:00000000", "1000000000:00000000")));        // queue > u32
  CHECK_FALSE(parses(with(" 00:00000000 ", " 100:00000000 ")));                 // timer > u8
  CHECK_FALSE(parses(with("     0        0 12345", "    -1        0 12345")));  // uid
  CHECK_FALSE(parses(with("     0        0 12345", " 4294967296 0 12345")));    // uid > u32
  CHECK_FALSE(parses(with("        0 12345", "        x 12345")));              // timeout
  CHECK_FALSE(parses(with(" 12345 ", " 12a45 ")));                              // inode
  CHECK_FALSE(parses(with(" 12345 ", " 99999999999 ")));                        // inode > u32
  CHECK_FALSE(parses(with("   0:", "   x:")));                                  // slot
  CHECK_FALSE(parses(with("   0:", "123456789012345678901:")));                 // slot too long

  // The wrong family for the address width.
  CHECK_FALSE(parses(kListenLine, AF_INET6));
  CHECK_FALSE(
      parses("   0: 00000000000000000000000001000000:01BB "
             "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
             "00000000     0        0 4002957 1 0 100 0 0 10 0",
             AF_INET));

  // Cut anywhere before the inode: never a record.
  std::string line(kListenLine);
  auto inode_at = line.find(" 12345 ");
  for (std::size_t cut = 0; cut <= inode_at; ++cut) {
    CAPTURE(cut);
    CHECK_FALSE(parses(std::string_view(line).substr(0, cut)));
  }
}

TEST_CASE("proc_net: real lines of the test's own sockets") {
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 9});
  auto port = local_port_of(listener);
  auto client = tcp_connect("127.0.0.1", port);
  auto pending = tcp_connect("127.0.0.1", port);
  auto server = tcp_accept(listener);
  auto listener6 = tcp_listener("::1", 0, {.backlog = 3});
  auto port6 = local_port_of(listener6);

  auto line = line_with_inode("/proc/net/tcp", inode_of(listener));
  CAPTURE(line);
  SocketRecord r;
  REQUIRE(parse(line, r));
  CHECK(r.local_ip().to_string() == "127.0.0.1");
  CHECK(r.local_port == port);
  CHECK(r.remote_port == 0);
  CHECK(r.state == static_cast<std::uint8_t>(sockkit::TcpState::listen));
  CHECK(r.rqueue == 1);  // one connection not yet accepted
  CHECK(r.uid == ::geteuid());
  CHECK(r.inode == inode_of(listener));

  line = line_with_inode("/proc/net/tcp", inode_of(client));
  REQUIRE(parse(line, r));
  CHECK(r.state == static_cast<std::uint8_t>(sockkit::TcpState::established));
  CHECK(r.local_port == local_port_of(client));
  CHECK(r.remote_ip().to_string() == "127.0.0.1");
  CHECK(r.remote_port == port);

  line = line_with_inode("/proc/net/tcp6", inode_of(listener6));
  CAPTURE(line);
  REQUIRE(parse(line, r, AF_INET6));
  CHECK(r.local_ip().to_string() == "::1");
  CHECK(r.local_port == port6);
  CHECK(r.state == static_cast<std::uint8_t>(sockkit::TcpState::listen));
  CHECK(r.inode == inode_of(listener6));
}

TEST_CASE("proc_net: read_proc_net replays recorded files") {
  EnvGuard env("SOCKKIT_PROC_ROOT", fixture_root().c_str());
  // Recorded in a namespace: listeners on 22 and 8080, a client 40000 -> 8080 with
  // keepalive and 5 unread bytes at the server, a TIME_WAIT 40001 -> 22, a v4 client
  // 40003 of the dual-stack [::]:8443, and UDP sockets.
  CHECK(read_all(Transport::tcp, AF_INET) ==
        std::vector<std::string>{
            "v4 st=0A 127.0.0.1:22 -> 0.0.0.0:0 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002951",
            "v4 st=0A 127.0.0.1:8080 -> 0.0.0.0:0 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002952",
            "v4 st=01 127.0.0.1:40000 -> 127.0.0.1:8080 tx=0 rx=0 tr=2 exp=7199790 rt=0 uid=0 "
            "ino=4002953",
            "v4 st=06 127.0.0.1:40001 -> 127.0.0.1:22 tx=0 rx=0 tr=3 exp=59790 rt=0 uid=0 ino=0",
            "v4 st=01 127.0.0.1:8080 -> 127.0.0.1:40000 tx=0 rx=5 tr=0 exp=0 rt=0 uid=0 "
            "ino=4002954",
            "v4 st=01 127.0.0.1:40003 -> 127.0.0.1:8443 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 "
            "ino=4002961",
        });
  CHECK(read_all(Transport::tcp, AF_INET6) ==
        std::vector<std::string>{
            "v6 st=0A ::1:443 -> :::0 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002957",
            "v6 st=0A :::8443 -> :::0 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002958",
            "v6 st=01 ::1:443 -> ::1:40002 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002960",
            "v6 st=01 ::ffff:127.0.0.1:8443 -> ::ffff:127.0.0.1:40003 tx=0 rx=0 tr=0 exp=0 rt=0 "
            "uid=0 ino=4002962",
            "v6 st=01 ::1:40002 -> ::1:443 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002959",
        });
  CHECK(read_all(Transport::udp, AF_INET) ==
        std::vector<std::string>{
            "v4 st=07 127.0.0.1:53 -> 0.0.0.0:0 tx=0 rx=832 tr=0 exp=0 rt=0 uid=0 ino=4002963",
            "v4 st=01 127.0.0.1:40004 -> 127.0.0.1:53 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 "
            "ino=4002964",
        });
  CHECK(read_all(Transport::udp, AF_INET6) ==
        std::vector<std::string>{
            "v6 st=07 ::1:5353 -> :::0 tx=0 rx=0 tr=0 exp=0 rt=0 uid=0 ino=4002965",
        });
}

TEST_CASE("proc_net: read_proc_net of a recording of this host") {
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 4});
  auto client = tcp_connect("127.0.0.1", local_port_of(listener));
  FakeProc proc;
  proc.write("tcp", slurp("/proc/net/tcp"));
  EnvGuard env("SOCKKIT_PROC_ROOT", proc.root().c_str());
  std::vector<std::uint32_t> inodes;
  sockkit::read_proc_net(Transport::tcp, AF_INET,
                         [&](const SocketRecord& r) { inodes.push_back(r.inode); });
  CHECK(std::count(inodes.begin(), inodes.end(), inode_of(listener)) == 1);
  CHECK(std::count(inodes.begin(), inodes.end(), inode_of(client)) == 1);
}

TEST_CASE("proc_net: read_proc_net when files are missing or unreadable") {
  FakeProc proc;
  EnvGuard env("SOCKKIT_PROC_ROOT", proc.root().c_str());

  // No IPv6 (the module not loaded, or disabled): no sockets, no error.
  CHECK(read_error(Transport::tcp, AF_INET6) == "(no error)");
  CHECK(read_error(Transport::udp, AF_INET6) == "(no error)");
  CHECK(read_all(Transport::tcp, AF_INET6).empty());

  // No IPv4 file is an error that names the file.
  CHECK(read_error(Transport::tcp, AF_INET) ==
        fmt::format("system_error {}: cannot open {}/net/tcp: No such file or directory", ENOENT,
                    proc.root()));
  CHECK(read_error(Transport::udp, AF_INET) ==
        fmt::format("system_error {}: cannot open {}/net/udp: No such file or directory", ENOENT,
                    proc.root()));

  // A file that opens but cannot be read.
  proc.make_dir("tcp6");
  CHECK(
      read_error(Transport::tcp, AF_INET6) ==
      fmt::format("system_error {}: cannot read {}/net/tcp6: Is a directory", EISDIR, proc.root()));

  // A header only: no sockets.
  proc.write("udp", std::string(kHeader) + "\n");
  CHECK(read_all(Transport::udp, AF_INET).empty());
}

TEST_CASE("proc_net: read_proc_net across buffer refills and without a final newline") {
  FakeProc proc;
  EnvGuard env("SOCKKIT_PROC_ROOT", proc.root().c_str());

  // 3000 lines of about 150 bytes: several 64 KiB reads, lines split across them.
  std::string text = std::string(kHeader) + "\n";
  constexpr int kLines = 3000;
  for (int i = 0; i < kLines; ++i) {
    text += fmt::format(
        "{:4}: 0100007F:{:04X} 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000   "
        "     0 {} 1 0000000000000000 20 4 30 10 -1                  \n",
        i, 10000 + i, 500000 + i);
  }
  REQUIRE(text.size() > 3 * 65536);
  text.pop_back();  // the last line has no newline
  proc.write("tcp", text);
  std::vector<std::uint32_t> inodes;
  std::vector<std::uint16_t> ports;
  sockkit::read_proc_net(Transport::tcp, AF_INET, [&](const SocketRecord& r) {
    inodes.push_back(r.inode);
    ports.push_back(r.local_port);
    CHECK(r.uid == 1000);
  });
  REQUIRE(inodes.size() == kLines);
  for (int i = 0; i < kLines; ++i) {
    if (inodes[static_cast<std::size_t>(i)] != static_cast<std::uint32_t>(500000 + i) ||
        ports[static_cast<std::size_t>(i)] != 10000 + i) {
      FAIL("line ", i, " read as inode ", inodes[static_cast<std::size_t>(i)]);
    }
  }

  // Malformed lines in between are skipped, the others still read.
  proc.write("udp", fmt::format("{}\nnonsense\n{}\n\n{}", kHeader, kListenLine, kListenLine));
  CHECK(read_all(Transport::udp, AF_INET).size() == 2);

  // A line that does not fit the 64 KiB buffer.
  proc.write("tcp", std::string(kHeader) + "\n" + std::string(70000, 'x') + "\n");
  CHECK(read_error(Transport::tcp, AF_INET) ==
        fmt::format("{}/net/tcp: a line longer than 65536 bytes", proc.root()));
}

TEST_CASE("proc_net: /proc and netlink see the same sockets") {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns("procnet");
  EnvGuard env("SOCKKIT_PROC_ROOT", nullptr);

  std::vector<sockkit::Fd> fds;
  fds.push_back(tcp_listener("127.0.0.1", 2000, {.backlog = 8}));
  fds.push_back(tcp_listener("::1", 2001, {.backlog = 8}));
  fds.push_back(tcp_connect("127.0.0.1", 2000));
  fds.push_back(tcp_connect("127.0.0.1", 2000));  // left in the accept queue
  fds.push_back(tcp_accept(fds[0]));
  fds.push_back(tcp_connect("::1", 2001));
  fds.push_back(tcp_accept(fds[1]));
  fds.push_back(bound("127.0.0.1", 5000, SOCK_DGRAM));
  fds.push_back(bound("::1", 5001, SOCK_DGRAM));

  auto key = [](const SocketRecord& r) {
    return fmt::format("st={} {}:{} -> {}:{} uid={} ino={}", r.state, r.local_ip(), r.local_port,
                       r.remote_ip(), r.remote_port, r.uid, r.inode);
  };
  std::size_t total = 0;
  for (auto transport : {Transport::tcp, Transport::udp}) {
    for (int family : {AF_INET, AF_INET6}) {
      CAPTURE(family);
      std::vector<std::string> from_proc;
      std::vector<std::string> from_netlink;
      sockkit::read_proc_net(transport, family,
                             [&](const SocketRecord& r) { from_proc.push_back(key(r)); });
      sockkit::SockDiag diag;
      sockkit::DiagRequest request;
      request.transport = transport;
      request.family = family;
      CHECK(diag.dump(request, [&](const SocketRecord& r) { from_netlink.push_back(key(r)); }));
      std::sort(from_proc.begin(), from_proc.end());
      std::sort(from_netlink.begin(), from_netlink.end());
      CHECK(from_proc == from_netlink);
      total += from_proc.size();
    }
  }
  CHECK(total == 10);  // 2 listeners, 4 v4 and 2 v6 connection ends, 2 UDP
}
