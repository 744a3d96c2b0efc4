#include "sockkit/sock_diag.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "scratch_netns.hpp"
#include "sockkit/address.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/tcp_state.hpp"
#include "test_sockets.hpp"

using sockkit::DumpProgress;
using sockkit::SocketRecord;
using sockkit::Transport;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

// ---- building netlink bytes by hand -------------------------------------------------

template <typename T>
std::span<const std::byte> bytes_of(const T& value) {
  return std::as_bytes(std::span<const T, 1>(&value, 1));
}

void append(std::vector<std::byte>& out, std::span<const std::byte> data) {
  out.insert(out.end(), data.begin(), data.end());
}

void pad_to(std::vector<std::byte>& out, std::size_t alignment) {
  while (out.size() % alignment != 0) out.push_back(std::byte{0});
}

void append_attr(std::vector<std::byte>& out, std::uint16_t type, std::span<const std::byte> data,
                 bool pad = true) {
  rtattr attr{};
  attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(data.size()));
  attr.rta_type = type;
  append(out, bytes_of(attr));
  append(out, data);
  if (pad) pad_to(out, RTA_ALIGNTO);
}

// An attribute header with whatever length the test wants, followed by `extra` bytes.
void append_raw_attr(std::vector<std::byte>& out, std::uint16_t type, std::uint16_t rta_len,
                     std::size_t extra) {
  rtattr attr{};
  attr.rta_len = rta_len;
  attr.rta_type = type;
  append(out, bytes_of(attr));
  out.resize(out.size() + extra, std::byte{0xab});
}

inet_diag_msg make_msg(std::uint8_t family, std::uint8_t state, std::uint16_t sport,
                       std::uint16_t dport) {
  inet_diag_msg msg{};
  msg.idiag_family = family;
  msg.idiag_state = state;
  msg.id.idiag_sport = htons(sport);
  msg.id.idiag_dport = htons(dport);
  return msg;
}

std::vector<std::byte> payload_of(const inet_diag_msg& msg) {
  std::vector<std::byte> out;
  append(out, bytes_of(msg));
  pad_to(out, NLMSG_ALIGNTO);
  return out;
}

// Appends one netlink message; `len` overrides nlmsg_len, `pad` pads to NLMSG_ALIGNTO.
void append_message(std::vector<std::byte>& out, std::uint16_t type, std::uint16_t flags,
                    std::span<const std::byte> payload, std::optional<std::uint32_t> len = {},
                    bool pad = true) {
  nlmsghdr header{};
  header.nlmsg_len = len.value_or(static_cast<std::uint32_t>(NLMSG_HDRLEN + payload.size()));
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = 1;
  append(out, bytes_of(header));
  append(out, payload);
  if (pad) pad_to(out, NLMSG_ALIGNTO);
}

void append_record(std::vector<std::byte>& out, const inet_diag_msg& msg,
                   std::uint16_t flags = NLM_F_MULTI) {
  append_message(out, SOCK_DIAG_BY_FAMILY, flags, payload_of(msg));
}

void append_done(std::vector<std::byte>& out) {
  int zero = 0;
  append_message(out, NLMSG_DONE, NLM_F_MULTI, bytes_of(zero));
}

void append_error(std::vector<std::byte>& out, int error) {
  nlmsgerr err{};
  err.error = error;
  err.msg.nlmsg_len = NLMSG_HDRLEN + sizeof(inet_diag_req_v2);
  err.msg.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  append_message(out, NLMSG_ERROR, 0, bytes_of(err));
}

// What a visit saw; the spans of a record are only valid during the visit.
struct Seen {
  std::uint8_t family = 0;
  std::uint8_t state = 0;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::string local;
  std::string remote;
  std::uint32_t inode = 0;
  std::uint32_t uid = 0;
  std::uint32_t rqueue = 0;
  std::uint32_t wqueue = 0;
  std::uint64_t cookie = 0;
  std::size_t tcp_info_size = 0;
  std::size_t skmeminfo_size = 0;
  std::optional<sockkit::TcpInfoSummary> info;
};

Seen seen_of(const SocketRecord& record) {
  Seen s;
  s.family = record.family;
  s.state = record.state;
  s.local_port = record.local_port;
  s.remote_port = record.remote_port;
  s.local = record.local_ip().to_string();
  s.remote = record.remote_ip().to_string();
  s.inode = record.inode;
  s.uid = record.uid;
  s.rqueue = record.rqueue;
  s.wqueue = record.wqueue;
  s.cookie = record.cookie;
  s.tcp_info_size = record.tcp_info.size();
  s.skmeminfo_size = record.skmeminfo.size();
  s.info = sockkit::summarize_tcp_info(record.tcp_info);
  return s;
}

struct Parsed {
  DumpProgress progress;
  std::vector<Seen> records;
};

// Parses a copy of exactly `bytes`, so AddressSanitizer catches any read past it.
Parsed parse(std::span<const std::byte> bytes, Transport transport = Transport::tcp) {
  std::vector<std::byte> exact(bytes.begin(), bytes.end());
  Parsed out;
  out.progress = sockkit::parse_diag_buffer(exact, transport, [&](const SocketRecord& record) {
    out.records.push_back(seen_of(record));
  });
  return out;
}

bool parse_msg(std::span<const std::byte> bytes, SocketRecord& out) {
  std::vector<std::byte> exact(bytes.begin(), bytes.end());
  bool ok = sockkit::parse_inet_diag_msg(exact, Transport::tcp, out);
  // Attribute spans must never point outside the payload.
  if (ok && !out.tcp_info.empty()) {
    CHECK(out.tcp_info.data() >= exact.data());
    CHECK(out.tcp_info.data() + out.tcp_info.size() <= exact.data() + exact.size());
  }
  out.tcp_info = {};
  out.skmeminfo = {};
  return ok;
}

std::string runtime_error_of(std::span<const std::byte> bytes) {
  try {
    (void)parse(bytes);
  } catch (const std::system_error& e) {
    return fmt::format("system_error: {}", e.what());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// ---- real sockets -------------------------------------------------------------------

std::uint64_t cookie_of(const sockkit::Fd& fd) {
  std::uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  REQUIRE(::getsockopt(fd.get(), SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0);
  return cookie;
}

std::vector<Seen> dump(const sockkit::DiagRequest& request) {
  sockkit::SockDiag diag;
  std::vector<Seen> out;
  bool complete = diag.dump(request, [&](const SocketRecord& r) { out.push_back(seen_of(r)); });
  CHECK(complete);
  return out;
}

// The records of one socket, found by its cookie.
const Seen* find_cookie(const std::vector<Seen>& records, std::uint64_t cookie) {
  auto it = std::find_if(records.begin(), records.end(),
                         [&](const Seen& s) { return s.cookie == cookie; });
  return it == records.end() ? nullptr : &*it;
}

std::size_t count_port(const std::vector<Seen>& records, std::uint16_t port) {
  return static_cast<std::size_t>(std::count_if(records.begin(), records.end(), [&](const Seen& s) {
    return s.local_port == port || s.remote_port == port;
  }));
}

constexpr auto kListen = static_cast<std::uint8_t>(sockkit::TcpState::listen);
constexpr auto kEstablished = static_cast<std::uint8_t>(sockkit::TcpState::established);

// One dump through a NETLINK_SOCK_DIAG socket of the test's own, recorded as the
// buffers the kernel sent (one per recv).
std::vector<std::vector<std::byte>> record_dump(int family, std::uint8_t extensions) {
  auto sock = sockkit::make_socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
  struct {
    nlmsghdr header;
    inet_diag_req_v2 req;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 42;
  request.req.sdiag_family = static_cast<std::uint8_t>(family);
  request.req.sdiag_protocol = IPPROTO_TCP;
  request.req.idiag_states = 0xffffffffU;
  request.req.idiag_ext = extensions;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  REQUIRE(::sendto(sock.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
                   sizeof kernel) == static_cast<ssize_t>(sizeof request));
  std::vector<std::vector<std::byte>> buffers;
  std::vector<std::byte> buffer(64 * 1024);
  for (int i = 0; i < 1000; ++i) {
    ssize_t got = ::recv(sock.get(), buffer.data(), buffer.size(), 0);
    REQUIRE(got > 0);
    buffers.emplace_back(buffer.begin(), buffer.begin() + got);
    const auto* last = reinterpret_cast<const nlmsghdr*>(buffers.back().data());
    // Stop after the buffer that holds NLMSG_DONE.
    bool done = false;
    auto remaining = static_cast<std::size_t>(got);
    for (; remaining >= sizeof(nlmsghdr) && last->nlmsg_len >= sizeof(nlmsghdr) &&
           last->nlmsg_len <= remaining;) {
      if (last->nlmsg_type == NLMSG_DONE) done = true;
      auto step = std::min<std::size_t>(NLMSG_ALIGN(last->nlmsg_len), remaining);
      remaining -= step;
      last = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const std::byte*>(last) + step);
    }
    if (done) return buffers;
  }
  FAIL("the recorded dump did not end");
  return buffers;
}

}  // namespace

// ---- parse_inet_diag_msg ------------------------------------------------------------

TEST_CASE("sock_diag: parse_inet_diag_msg reads every field of an IPv4 record") {
  auto msg = make_msg(AF_INET, kEstablished, 22, 51234);
  const std::array<std::uint8_t, 4> src{127, 0, 0, 1};
  const std::array<std::uint8_t, 4> dst{10, 1, 2, 3};
  std::memcpy(msg.id.idiag_src, src.data(), 4);
  std::memcpy(msg.id.idiag_dst, dst.data(), 4);
  msg.id.idiag_if = 3;
  msg.id.idiag_cookie[0] = 0x11223344;
  msg.id.idiag_cookie[1] = 0x55667788;
  msg.idiag_timer = 1;
  msg.idiag_retrans = 4;
  msg.idiag_expires = 200;
  msg.idiag_rqueue = 5;
  msg.idiag_wqueue = 6;
  msg.idiag_uid = 1000;
  msg.idiag_inode = 987654;

  SocketRecord record;
  record.rqueue = 99;  // stale values from a previous record must not survive
  auto payload = payload_of(msg);
  std::vector<std::byte> exact(payload.begin(), payload.end());
  REQUIRE(sockkit::parse_inet_diag_msg(exact, Transport::udp, record));
  CHECK(record.transport == Transport::udp);
  CHECK(record.family == AF_INET);
  CHECK(record.state == kEstablished);
  CHECK(record.local_port == 22);
  CHECK(record.remote_port == 51234);
  CHECK(record.local_ip().to_string() == "127.0.0.1");
  CHECK(record.remote_ip().to_string() == "10.1.2.3");
  CHECK(record.interface == 3);
  std::uint64_t cookie = 0;
  std::memcpy(&cookie, msg.id.idiag_cookie, sizeof cookie);
  CHECK(record.cookie == cookie);
  CHECK(record.timer == 1);
  CHECK(record.retrans == 4);
  CHECK(record.expires_ms == 200);
  CHECK(record.rqueue == 5);
  CHECK(record.wqueue == 6);
  CHECK(record.uid == 1000);
  CHECK(record.inode == 987654);
  CHECK(record.tcp_info.empty());
  CHECK(record.skmeminfo.empty());
}

TEST_CASE("sock_diag: parse_inet_diag_msg reads an IPv6 record") {
  auto msg = make_msg(AF_INET6, kListen, 8443, 0);
  auto local = ip("::1");
  auto remote = ip("2001:db8::7");
  std::memcpy(msg.id.idiag_src, local.bytes().data(), 16);
  std::memcpy(msg.id.idiag_dst, remote.bytes().data(), 16);
  SocketRecord record;
  REQUIRE(parse_msg(payload_of(msg), record));
  CHECK(record.family == AF_INET6);
  CHECK(record.state == kListen);
  CHECK(record.local_port == 8443);
  CHECK(record.remote_port == 0);
  CHECK(record.local_ip() == local);
  CHECK(record.remote_ip() == remote);
  CHECK(record.remote_ip().to_string() == "2001:db8::7");

  // A dual-stack socket's IPv4 peer: the record stays IPv6, the address v4-mapped.
  auto mapped = ip("::ffff:127.0.0.1");
  std::memcpy(msg.id.idiag_dst, mapped.bytes().data(), 16);
  REQUIRE(parse_msg(payload_of(msg), record));
  CHECK(record.remote_ip().is_v4_mapped());
  CHECK(record.remote_ip().unmapped().to_string() == "127.0.0.1");
}

TEST_CASE("sock_diag: attributes INET_DIAG_INFO and INET_DIAG_SKMEMINFO") {
  auto msg = make_msg(AF_INET, kEstablished, 1, 2);
  auto payload = payload_of(msg);
  std::array<std::uint32_t, SK_MEMINFO_VARS> meminfo{};
  for (std::size_t i = 0; i < meminfo.size(); ++i) meminfo[i] = static_cast<std::uint32_t>(i + 1);
  std::array<std::byte, 5> odd{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                               std::byte{5}};
  tcp_info info{};
  info.tcpi_snd_cwnd = 10;
  append_attr(payload, INET_DIAG_MEMINFO, odd);  // known to the kernel, ignored by the parser
  append_attr(payload, INET_DIAG_SKMEMINFO, bytes_of(meminfo));
  append_attr(payload, 200, odd);  // unknown type: skipped
  append_attr(payload, INET_DIAG_INFO, bytes_of(info));

  std::vector<std::byte> exact(payload.begin(), payload.end());
  SocketRecord record;
  REQUIRE(sockkit::parse_inet_diag_msg(exact, Transport::tcp, record));
  REQUIRE(record.skmeminfo.size() == sizeof meminfo);
  CHECK(std::memcmp(record.skmeminfo.data(), meminfo.data(), sizeof meminfo) == 0);
  REQUIRE(record.tcp_info.size() == sizeof info);
  // The spans point into the caller's buffer: nothing is copied.
  CHECK(record.tcp_info.data() >= exact.data());
  CHECK(record.tcp_info.data() + record.tcp_info.size() == exact.data() + exact.size());
  auto summary = sockkit::summarize_tcp_info(record.tcp_info);
  REQUIRE(summary);
  CHECK(summary->cwnd == 10);

  SUBCASE("the last attribute may end unpadded at the end of the payload") {
    auto unpadded = payload_of(msg);
    append_attr(unpadded, INET_DIAG_INFO, odd, false);
    REQUIRE(unpadded.size() % 4 == 1);
    std::vector<std::byte> tight(unpadded.begin(), unpadded.end());
    REQUIRE(sockkit::parse_inet_diag_msg(tight, Transport::tcp, record));
    CHECK(record.tcp_info.size() == 5);
    CHECK(record.tcp_info[4] == std::byte{5});
  }
  SUBCASE("fewer than four trailing bytes are not an attribute") {
    auto tail = payload_of(msg);
    tail.resize(tail.size() + 3, std::byte{0xff});
    SocketRecord r;
    CHECK(parse_msg(tail, r));
    CHECK(r.local_port == 1);
  }
  SUBCASE("an attribute of length 4 has an empty payload") {
    auto empty = payload_of(msg);
    append_raw_attr(empty, INET_DIAG_INFO, 4, 0);
    SocketRecord r;
    CHECK(parse_msg(empty, r));
  }
}

TEST_CASE("sock_diag: parse_inet_diag_msg rejects short payloads and other families") {
  auto payload = payload_of(make_msg(AF_INET, kEstablished, 1, 2));
  SocketRecord record;
  for (std::size_t size = 0; size < sizeof(inet_diag_msg); ++size) {
    CAPTURE(size);
    CHECK_FALSE(parse_msg(std::span(payload).first(size), record));
  }
  CHECK(parse_msg(std::span(payload).first(sizeof(inet_diag_msg)), record));

  for (std::uint8_t family : {std::uint8_t{0}, std::uint8_t{AF_UNIX}, std::uint8_t{AF_NETLINK},
                              std::uint8_t{AF_PACKET}, std::uint8_t{255}}) {
    CAPTURE(family);
    CHECK_FALSE(parse_msg(payload_of(make_msg(family, kEstablished, 1, 2)), record));
  }
}

TEST_CASE("sock_diag: parse_inet_diag_msg rejects malformed attributes") {
  auto msg = make_msg(AF_INET, kEstablished, 1, 2);
  SocketRecord record;
  // rta_len below the attribute header, including 0 (which would never advance).
  for (std::uint16_t len = 0; len < 4; ++len) {
    CAPTURE(len);
    auto payload = payload_of(msg);
    append_raw_attr(payload, INET_DIAG_INFO, len, 8);
    CHECK_FALSE(parse_msg(payload, record));
  }
  // rta_len beyond the end of the payload, by one byte and by a lot.
  for (std::uint16_t len : {std::uint16_t{13}, std::uint16_t{0xffff}}) {
    CAPTURE(len);
    auto payload = payload_of(msg);
    append_raw_attr(payload, INET_DIAG_INFO, len, 8);
    CHECK_FALSE(parse_msg(payload, record));
  }
  // A good attribute followed by a bad one.
  auto payload = payload_of(msg);
  std::array<std::byte, 4> four{};
  append_attr(payload, INET_DIAG_SKMEMINFO, four);
  append_raw_attr(payload, INET_DIAG_INFO, 100, 4);
  CHECK_FALSE(parse_msg(payload, record));
}

// ---- parse_diag_buffer --------------------------------------------------------------

TEST_CASE("sock_diag: parse_diag_buffer visits each record and stops at NLMSG_DONE") {
  std::vector<std::byte> buffer;
  append_record(buffer, make_msg(AF_INET, kListen, 80, 0));
  append_record(buffer, make_msg(AF_INET6, kEstablished, 443, 50000));
  append_message(buffer, NLMSG_NOOP, 0, {});  // other message types are skipped
  append_record(buffer, make_msg(AF_INET, kEstablished, 8080, 40000));

  SUBCASE("a buffer without NLMSG_DONE: the dump goes on") {
    auto parsed = parse(buffer);
    CHECK_FALSE(parsed.progress.done);
    CHECK_FALSE(parsed.progress.interrupted);
    REQUIRE(parsed.records.size() == 3);
    CHECK(parsed.records[0].local_port == 80);
    CHECK(parsed.records[0].state == kListen);
    CHECK(parsed.records[1].family == AF_INET6);
    CHECK(parsed.records[1].remote_port == 50000);
    CHECK(parsed.records[2].local_port == 8080);
  }
  SUBCASE("NLMSG_DONE: done, and nothing after it is read") {
    append_done(buffer);
    append_record(buffer, make_msg(AF_INET, kEstablished, 9999, 1));
    auto parsed = parse(buffer);
    CHECK(parsed.progress.done);
    CHECK_FALSE(parsed.progress.interrupted);
    CHECK(parsed.records.size() == 3);
  }
  SUBCASE("an empty buffer") {
    auto parsed = parse({});
    CHECK_FALSE(parsed.progress.done);
    CHECK(parsed.records.empty());
  }
  SUBCASE("NLMSG_DONE alone, with no payload") {
    std::vector<std::byte> done;
    append_message(done, NLMSG_DONE, NLM_F_MULTI, {});
    CHECK(parse(done).progress.done);
  }
  SUBCASE("the last message may end unpadded") {
    std::vector<std::byte> odd;
    auto payload = payload_of(make_msg(AF_INET, kEstablished, 7, 8));
    append_attr(payload, 201, std::array<std::byte, 1>{}, false);
    append_message(odd, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, payload, {}, false);
    REQUIRE(odd.size() % 4 != 0);
    auto parsed = parse(odd);
    REQUIRE(parsed.records.size() == 1);
    CHECK(parsed.records[0].local_port == 7);
  }
  SUBCASE("the transport is passed through to every record") {
    std::vector<SocketRecord> seen;
    auto progress = sockkit::parse_diag_buffer(buffer, Transport::udp,
                                               [&](const SocketRecord& r) { seen.push_back(r); });
    CHECK_FALSE(progress.done);
    REQUIRE(seen.size() == 3);
    for (const auto& r : seen) CHECK(r.transport == Transport::udp);
  }
}

TEST_CASE("sock_diag: NLM_F_DUMP_INTR marks the pass interrupted") {
  std::vector<std::byte> buffer;
  append_record(buffer, make_msg(AF_INET, kListen, 80, 0));
  append_record(buffer, make_msg(AF_INET, kListen, 81, 0), NLM_F_MULTI | NLM_F_DUMP_INTR);
  append_done(buffer);
  auto parsed = parse(buffer);
  CHECK(parsed.progress.interrupted);
  CHECK(parsed.progress.done);
  CHECK(parsed.records.size() == 2);  // still visited; the caller decides to retry

  std::vector<std::byte> on_done;
  append_message(on_done, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, bytes_of(0));
  auto flagged = parse(on_done);
  CHECK(flagged.progress.done);
  CHECK(flagged.progress.interrupted);
}

TEST_CASE("sock_diag: NLMSG_ERROR becomes std::system_error with the kernel's errno") {
  std::vector<std::byte> buffer;
  append_record(buffer, make_msg(AF_INET, kListen, 80, 0));
  append_error(buffer, -EINVAL);
  std::vector<std::uint16_t> visited;
  std::vector<std::byte> exact(buffer.begin(), buffer.end());
  try {
    (void)sockkit::parse_diag_buffer(
        exact, Transport::tcp, [&](const SocketRecord& r) { visited.push_back(r.local_port); });
    FAIL("NLMSG_ERROR did not throw");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EINVAL, std::system_category()));
    CHECK(std::string(e.what()) == "sock_diag dump failed: Invalid argument");
  }
  CHECK(visited == std::vector<std::uint16_t>{80});

  std::vector<std::byte> perm;
  append_error(perm, -EPERM);
  CHECK_THROWS_WITH_AS(parse(perm), "sock_diag dump failed: Operation not permitted",
                       std::system_error);

  // An error message too short to hold the error number: EPROTO.
  std::vector<std::byte> short_error;
  append_message(short_error, NLMSG_ERROR, 0, std::array<std::byte, 2>{});
  try {
    (void)parse(short_error);
    FAIL("a short NLMSG_ERROR did not throw");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == EPROTO);
  }

  // A field that is not a negated errno (INT_MIN cannot even be negated): EPROTO too.
  for (int field : {INT_MIN, -4096, 1, INT_MAX}) {
    std::vector<std::byte> odd;
    append_error(odd, field);
    try {
      (void)parse(odd);
      FAIL("an NLMSG_ERROR of " << field << " did not throw");
    } catch (const std::system_error& e) {
      CHECK(e.code().value() == EPROTO);
    }
  }

  // Error 0 is an acknowledgement, not a failure.
  std::vector<std::byte> ack;
  append_error(ack, 0);
  append_record(ack, make_msg(AF_INET, kListen, 81, 0));
  append_done(ack);
  auto parsed = parse(ack);
  CHECK(parsed.progress.done);
  CHECK(parsed.records.size() == 1);
}

TEST_CASE("sock_diag: parse_diag_buffer refuses malformed messages without over-reading") {
  std::vector<std::byte> good;
  append_record(good, make_msg(AF_INET, kListen, 80, 0));
  const auto size = good.size();

  SUBCASE("nlmsg_len larger than the buffer") {
    std::vector<std::byte> buffer;
    append_message(buffer, SOCK_DIAG_BY_FAMILY, 0, payload_of(make_msg(AF_INET, kListen, 80, 0)),
                   static_cast<std::uint32_t>(size + 4));
    CHECK(runtime_error_of(buffer) ==
          fmt::format("malformed netlink message (length {} of {} bytes)", size + 4, size));
    // The same record cut short by a short receive.
    CHECK(runtime_error_of(std::span(good).first(size - 1)) ==
          fmt::format("malformed netlink message (length {} of {} bytes)", size, size - 1));
  }
  SUBCASE("nlmsg_len smaller than the header, including 0") {
    for (std::uint32_t len : {0U, 1U, 15U}) {
      CAPTURE(len);
      std::vector<std::byte> buffer;
      append_message(buffer, SOCK_DIAG_BY_FAMILY, 0, payload_of(make_msg(AF_INET, kListen, 80, 0)),
                     len);
      CHECK(runtime_error_of(buffer) ==
            fmt::format("malformed netlink message (length {} of {} bytes)", len, buffer.size()));
    }
  }
  SUBCASE("a payload shorter than inet_diag_msg") {
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, sizeof(inet_diag_msg) - 1}) {
      CAPTURE(cut);
      std::vector<std::byte> buffer;
      auto payload = payload_of(make_msg(AF_INET, kListen, 80, 0));
      payload.resize(cut);
      append_message(buffer, SOCK_DIAG_BY_FAMILY, 0, payload);
      CHECK(runtime_error_of(buffer) == "malformed sock_diag record");
    }
  }
  SUBCASE("a record of an unknown family") {
    std::vector<std::byte> buffer;
    append_record(buffer, make_msg(AF_UNIX, kListen, 80, 0));
    CHECK(runtime_error_of(buffer) == "malformed sock_diag record");
  }
  SUBCASE("a record with a malformed attribute") {
    std::vector<std::byte> buffer;
    auto payload = payload_of(make_msg(AF_INET, kListen, 80, 0));
    append_raw_attr(payload, INET_DIAG_INFO, 2, 4);
    append_message(buffer, SOCK_DIAG_BY_FAMILY, 0, payload);
    CHECK(runtime_error_of(buffer) == "malformed sock_diag record");
    buffer.clear();
    payload = payload_of(make_msg(AF_INET, kListen, 80, 0));
    append_raw_attr(payload, INET_DIAG_INFO, 64, 4);
    append_message(buffer, SOCK_DIAG_BY_FAMILY, 0, payload);
    CHECK(runtime_error_of(buffer) == "malformed sock_diag record");
  }
  SUBCASE("a truncated nlmsghdr at the end of the buffer") {
    // Fewer than 16 bytes cannot be a message: like any malformed message it is an
    // error, and the fragment is never read past its end.
    for (std::size_t tail = 1; tail < sizeof(nlmsghdr); ++tail) {
      CAPTURE(tail);
      auto buffer = good;
      buffer.resize(size + tail, std::byte{0x10});
      CHECK(runtime_error_of(buffer) ==
            fmt::format("malformed netlink message ({} trailing bytes)", tail));
      CHECK(runtime_error_of(std::span(good).first(tail)) ==
            fmt::format("malformed netlink message ({} trailing bytes)", tail));
    }
  }
}

// ---- summarize_tcp_info and timer_name ----------------------------------------------

TEST_CASE("sock_diag: summarize_tcp_info") {
  CHECK_FALSE(sockkit::summarize_tcp_info({}).has_value());

  tcp_info info{};
  info.tcpi_rtt = 1500;
  info.tcpi_rttvar = 250;
  info.tcpi_snd_cwnd = 10;
  info.tcpi_total_retrans = 3;
  info.tcpi_bytes_acked = 123456789012ULL;
  info.tcpi_bytes_received = 987654321ULL;

  auto full = sockkit::summarize_tcp_info(bytes_of(info));
  REQUIRE(full);
  CHECK(full->rtt_ms == doctest::Approx(1.5));
  CHECK(full->rttvar_ms == doctest::Approx(0.25));
  CHECK(full->cwnd == 10);
  CHECK(full->retrans_total == 3);
  CHECK(full->bytes_acked == 123456789012ULL);
  CHECK(full->bytes_received == 987654321ULL);

  SUBCASE("an older kernel's shorter struct: the missing fields stay 0") {
    std::vector<std::byte> older(bytes_of(info).begin(),
                                 bytes_of(info).begin() + offsetof(tcp_info, tcpi_bytes_acked));
    auto summary = sockkit::summarize_tcp_info(older);
    REQUIRE(summary);
    CHECK(summary->rtt_ms == doctest::Approx(1.5));
    CHECK(summary->cwnd == 10);
    CHECK(summary->retrans_total == 3);
    CHECK(summary->bytes_acked == 0);
    CHECK(summary->bytes_received == 0);

    std::vector<std::byte> oldest(bytes_of(info).begin(),
                                  bytes_of(info).begin() + offsetof(tcp_info, tcpi_rtt));
    auto zeros = sockkit::summarize_tcp_info(oldest);
    REQUIRE(zeros);
    CHECK(zeros->rtt_ms == 0);
    CHECK(zeros->cwnd == 0);
    CHECK(zeros->bytes_acked == 0);

    std::vector<std::byte> one{std::byte{1}};
    auto tiny = sockkit::summarize_tcp_info(one);
    REQUIRE(tiny);
    CHECK(tiny->cwnd == 0);
  }
  SUBCASE("a newer kernel's longer struct: the known fields are read") {
    std::vector<std::byte> newer(bytes_of(info).begin(), bytes_of(info).end());
    newer.resize(newer.size() + 64, std::byte{0xee});
    auto summary = sockkit::summarize_tcp_info(newer);
    REQUIRE(summary);
    CHECK(summary->bytes_received == 987654321ULL);
  }
}

TEST_CASE("sock_diag: timer_name") {
  CHECK(sockkit::timer_name(0) == "none");
  CHECK(sockkit::timer_name(1) == "retransmit");
  CHECK(sockkit::timer_name(2) == "keepalive");
  CHECK(sockkit::timer_name(3) == "timewait");
  CHECK(sockkit::timer_name(4) == "zero-window");
  CHECK(sockkit::timer_name(5) == "none");
  CHECK(sockkit::timer_name(255) == "none");
}

// ---- the kernel ---------------------------------------------------------------------

TEST_CASE("sock_diag: SockDiag::dump reports the test's own IPv4 sockets") {
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 7});
  auto port = local_port_of(listener);
  auto client = tcp_connect("127.0.0.1", port);
  auto server = tcp_accept(listener);
  auto pending = tcp_connect("127.0.0.1", port);  // left in the accept queue

  sockkit::DiagRequest request;
  request.family = AF_INET;
  auto records = dump(request);
  CHECK(count_port(records, port) == 5);  // listener, 2 clients, 1 accepted, 1 queued

  const Seen* listen = find_cookie(records, cookie_of(listener));
  REQUIRE(listen != nullptr);
  CHECK(listen->family == AF_INET);
  CHECK(listen->state == kListen);
  CHECK(listen->local_port == port);
  CHECK(listen->remote_port == 0);
  CHECK(listen->local == "127.0.0.1");
  CHECK(listen->remote == "0.0.0.0");
  CHECK(listen->inode == inode_of(listener));
  CHECK(listen->inode != 0);
  CHECK(listen->uid == ::geteuid());
  CHECK(listen->wqueue == 7);  // the backlog
  CHECK(listen->rqueue == 1);  // one connection waiting to be accepted

  const Seen* out = find_cookie(records, cookie_of(client));
  REQUIRE(out != nullptr);
  CHECK(out->state == kEstablished);
  CHECK(out->local_port == local_port_of(client));
  CHECK(out->remote_port == port);
  CHECK(out->remote == "127.0.0.1");
  CHECK(out->inode == inode_of(client));

  const Seen* in = find_cookie(records, cookie_of(server));
  REQUIRE(in != nullptr);
  CHECK(in->state == kEstablished);
  CHECK(in->local_port == port);
  CHECK(in->remote_port == local_port_of(client));
  CHECK(in->inode == inode_of(server));

  // The queued connection has no socket file yet: inode 0.
  auto queued = std::find_if(records.begin(), records.end(), [&](const Seen& s) {
    return s.local_port == port && s.remote_port == local_port_of(pending);
  });
  REQUIRE(queued != records.end());
  CHECK(queued->state == kEstablished);
  CHECK(queued->inode == 0);

  SUBCASE("the state mask is applied by the kernel") {
    request.states = 1U << kListen;
    auto listening = dump(request);
    CHECK(count_port(listening, port) == 1);
    for (const auto& s : listening) CHECK(s.state == kListen);
  }
  SUBCASE("an IPv6 dump does not include them") {
    request.family = AF_INET6;
    CHECK(count_port(dump(request), port) == 0);
  }
  SUBCASE("a UDP dump does not include them") {
    request.transport = Transport::udp;
    CHECK(count_port(dump(request), port) == 0);
  }
}

TEST_CASE("sock_diag: SockDiag::dump reports the test's own IPv6 sockets") {
  auto listener = tcp_listener("::1", 0, {.backlog = 3});
  auto port = local_port_of(listener);
  auto client = tcp_connect("::1", port);
  auto server = tcp_accept(listener);

  sockkit::DiagRequest request;
  request.family = AF_INET6;
  auto records = dump(request);
  CHECK(count_port(records, port) == 3);
  const Seen* listen = find_cookie(records, cookie_of(listener));
  REQUIRE(listen != nullptr);
  CHECK(listen->family == AF_INET6);
  CHECK(listen->state == kListen);
  CHECK(listen->local == "::1");
  CHECK(listen->remote == "::");
  CHECK(listen->wqueue == 3);
  CHECK(listen->rqueue == 0);
  CHECK(listen->inode == inode_of(listener));
  const Seen* in = find_cookie(records, cookie_of(server));
  REQUIRE(in != nullptr);
  CHECK(in->family == AF_INET6);
  CHECK(in->state == kEstablished);
  CHECK(in->local_port == port);
  CHECK(in->remote_port == local_port_of(client));
  CHECK(in->remote == "::1");

  request.family = AF_INET;
  CHECK(count_port(dump(request), port) == 0);
}

TEST_CASE("sock_diag: INET_DIAG_INFO and SKMEMINFO from a real connection") {
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 4});
  auto port = local_port_of(listener);
  auto client = tcp_connect("127.0.0.1", port);
  auto server = tcp_accept(listener);
  std::array<char, 1000> data{};
  REQUIRE(::send(client.get(), data.data(), data.size(), 0) == 1000);
  std::size_t received = 0;
  while (received < data.size()) {
    auto got = ::recv(server.get(), data.data(), data.size() - received, 0);
    REQUIRE(got > 0);
    received += static_cast<std::size_t>(got);
  }
  // Wait (bounded) until the client has its ACK, so the counters are settled.
  tcp_info truth{};
  for (int i = 0; i < 200; ++i) {
    socklen_t len = sizeof truth;
    REQUIRE(::getsockopt(client.get(), IPPROTO_TCP, TCP_INFO, &truth, &len) == 0);
    if (truth.tcpi_unacked == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(truth.tcpi_unacked == 0);

  sockkit::DiagRequest request;
  request.family = AF_INET;
  request.extensions =
      static_cast<std::uint8_t>((1U << (INET_DIAG_INFO - 1)) | (1U << (INET_DIAG_SKMEMINFO - 1)));
  auto records = dump(request);
  const Seen* out = find_cookie(records, cookie_of(client));
  REQUIRE(out != nullptr);
  CHECK(out->tcp_info_size >= offsetof(tcp_info, tcpi_bytes_received) + 8);
  CHECK(out->skmeminfo_size == SK_MEMINFO_VARS * sizeof(std::uint32_t));
  REQUIRE(out->info);
  CHECK(out->info->bytes_acked == truth.tcpi_bytes_acked);
  CHECK(out->info->bytes_acked == 1001);  // the data and the SYN
  CHECK(out->info->cwnd == truth.tcpi_snd_cwnd);
  CHECK(out->info->rtt_ms == doctest::Approx(truth.tcpi_rtt / 1000.0));
  CHECK(out->info->rtt_ms > 0);
  CHECK(out->info->retrans_total == 0);

  const Seen* in = find_cookie(records, cookie_of(server));
  REQUIRE(in != nullptr);
  REQUIRE(in->info);
  CHECK(in->info->bytes_received == 1000);

  // Without the extension bits nothing extra is sent.
  request.extensions = 0;
  auto plain = dump(request);
  const Seen* bare = find_cookie(plain, cookie_of(client));
  REQUIRE(bare != nullptr);
  CHECK(bare->tcp_info_size == 0);
  CHECK(bare->skmeminfo_size == 0);
  CHECK_FALSE(bare->info);
}

TEST_CASE("sock_diag: the kernel refuses malformed bytecode with EINVAL") {
  sockkit::SockDiag diag;
  sockkit::DiagRequest request;
  std::array<std::byte, 4> bogus{std::byte{255}, std::byte{4}, std::byte{8}, std::byte{0}};
  request.bytecode = bogus;
  int visits = 0;
  try {
    (void)diag.dump(request, [&](const SocketRecord&) { ++visits; });
    FAIL("malformed bytecode was accepted");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EINVAL, std::system_category()));
  }
  CHECK(visits == 0);

  // The same SockDiag still works afterwards.
  auto listener = tcp_listener("127.0.0.1", 0, {.backlog = 1});
  auto port = local_port_of(listener);
  request.bytecode = {};
  request.states = 1U << kListen;
  std::vector<std::uint16_t> ports;
  CHECK(diag.dump(request, [&](const SocketRecord& r) { ports.push_back(r.local_port); }));
  CHECK(std::count(ports.begin(), ports.end(), port) == 1);
}

TEST_CASE("sock_diag: a recorded real dump parses the same and its truncations fail cleanly") {
  if (!can_make_netns()) return;
  ScratchNetnsScope ns("diag");

  auto listener = tcp_listener("127.0.0.1", 2000, {.backlog = 5});
  auto client = tcp_connect("127.0.0.1", 2000);
  auto server = tcp_accept(listener);
  auto buffers = record_dump(AF_INET, static_cast<std::uint8_t>((1U << (INET_DIAG_INFO - 1)) |
                                                                (1U << (INET_DIAG_SKMEMINFO - 1))));

  // The recorded bytes parse to exactly the sockets of the namespace.
  std::vector<Seen> recorded;
  bool done = false;
  for (const auto& buffer : buffers) {
    auto parsed = parse(buffer);
    recorded.insert(recorded.end(), parsed.records.begin(), parsed.records.end());
    done = parsed.progress.done;
    CHECK_FALSE(parsed.progress.interrupted);
  }
  CHECK(done);
  REQUIRE(recorded.size() == 3);
  for (const auto* fd : {&listener, &client, &server}) {
    const Seen* seen = find_cookie(recorded, cookie_of(*fd));
    REQUIRE(seen != nullptr);
    CHECK(seen->inode == inode_of(*fd));
    CHECK(seen->tcp_info_size > 0);
    CHECK(seen->skmeminfo_size == SK_MEMINFO_VARS * sizeof(std::uint32_t));
  }
  // SockDiag sees the same sockets.
  sockkit::DiagRequest request;
  auto live = dump(request);
  REQUIRE(live.size() == 3);
  for (const auto& s : live) {
    const Seen* twin = find_cookie(recorded, s.cookie);
    REQUIRE(twin != nullptr);
    CHECK(twin->state == s.state);
    CHECK(twin->local_port == s.local_port);
    CHECK(twin->remote_port == s.remote_port);
    CHECK(twin->local == s.local);
    CHECK(twin->remote == s.remote);
  }

  // Every prefix of the recorded bytes either parses or throws std::runtime_error;
  // under AddressSanitizer this also proves that nothing past the end is read.
  const auto& first = buffers.front();
  REQUIRE(first.size() > 3 * sizeof(inet_diag_msg));
  int failures = 0;
  for (std::size_t cut = 0; cut < first.size(); ++cut) {
    try {
      auto parsed = parse(std::span(first).first(cut));
      CHECK(parsed.records.size() < 3);
    } catch (const std::runtime_error&) {
      ++failures;
    }
  }
  CHECK(failures > 0);

  // Every message's length field and every first attribute's length set to bad values.
  std::size_t at = 0;
  int messages = 0;
  while (at + sizeof(nlmsghdr) <= first.size()) {
    nlmsghdr header{};
    std::memcpy(&header, first.data() + at, sizeof header);
    for (std::uint32_t len : {0U, 4U, header.nlmsg_len - 1, header.nlmsg_len + 1, 0xffffffffU}) {
      auto bad = first;
      std::memcpy(bad.data() + at + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
      CAPTURE(len);
      try {
        (void)parse(bad);
      } catch (const std::runtime_error&) {
      }
    }
    if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
      ++messages;
      auto attr_at = at + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg));
      REQUIRE(attr_at + sizeof(rtattr) <= at + header.nlmsg_len);
      for (std::uint16_t len : {std::uint16_t{0}, std::uint16_t{3}, std::uint16_t{0xffff}}) {
        auto bad = first;
        std::memcpy(bad.data() + attr_at + offsetof(rtattr, rta_len), &len, sizeof len);
        CHECK(runtime_error_of(bad) == "malformed sock_diag record");
      }
    }
    at += NLMSG_ALIGN(header.nlmsg_len);
  }
  CHECK(messages == 3);
}
