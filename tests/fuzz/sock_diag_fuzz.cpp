// Netlink sock_diag dumps: parse_diag_buffer over one recvmsg's bytes, and
// parse_inet_diag_msg on the input taken as one record's payload.
//   Errors are std::system_error (an NLMSG_ERROR, with an errno 1-4095) or
//   std::runtime_error; every record visited is IPv4 or IPv6, its attribute payloads lie
//   inside the input, and its TCP_INFO summary and addresses can be taken. No more
//   records come out than whole messages fit in the input.
// Under libFuzzer a structure-aware mutator edits messages and attributes and fixes up
// nlmsg_len and rta_len half of the time, so the fuzzer gets past the length checks
// into the records; the other half it mutates bytes blindly, which breaks lengths.
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "fuzz.hpp"
#include "sockkit/sock_diag.hpp"

namespace {

bool inside(std::span<const std::byte> part, std::span<const std::byte> whole) {
  if (part.empty()) return true;
  std::less_equal<const std::byte*> le;
  return le(whole.data(), part.data()) &&
         le(part.data() + part.size(), whole.data() + whole.size());
}

void check_record(const sockkit::SocketRecord& r, sockkit::Transport transport,
                  std::span<const std::byte> whole) {
  FUZZ_CHECK(r.transport == transport);
  FUZZ_CHECK(r.family == AF_INET || r.family == AF_INET6);
  FUZZ_CHECK(inside(r.tcp_info, whole) && inside(r.skmeminfo, whole));
  FUZZ_CHECK(r.local_ip().family() == r.family && r.remote_ip().family() == r.family);
  FUZZ_CHECK(!r.local_ip().to_string().empty() && !r.remote_ip().to_string().empty());
  FUZZ_CHECK(sockkit::summarize_tcp_info(r.tcp_info).has_value() == !r.tcp_info.empty());
  FUZZ_CHECK(!sockkit::timer_name(r.timer).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto whole = fuzz::bytes(data, size);
  std::size_t visited = 0;
  try {
    (void)sockkit::parse_diag_buffer(whole, sockkit::Transport::tcp,
                                     [&](const sockkit::SocketRecord& r) {
                                       check_record(r, sockkit::Transport::tcp, whole);
                                       ++visited;
                                     });
  } catch (const std::system_error& e) {
    FUZZ_CHECK(e.code().value() > 0 && e.code().value() < 4096);  // an errno
  } catch (const std::runtime_error&) {
  }
  FUZZ_CHECK(visited <= size / (NLMSG_HDRLEN + sizeof(inet_diag_msg)));
  sockkit::SocketRecord record;
  if (sockkit::parse_inet_diag_msg(whole, sockkit::Transport::udp, record)) {
    check_record(record, sockkit::Transport::udp, whole);
  }
  return 0;
}

#ifdef SOCKKIT_LIBFUZZER

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Message {
  nlmsghdr header{};
  Bytes payload;
};

struct Attr {
  std::uint16_t type = 0;
  Bytes data;
};

// The well-formed messages at the front of the input; what cannot be split is dropped.
std::vector<Message> split_messages(const std::uint8_t* data, std::size_t size) {
  std::vector<Message> out;
  while (size >= NLMSG_HDRLEN) {
    Message m;
    std::memcpy(&m.header, data, sizeof m.header);
    if (m.header.nlmsg_len < NLMSG_HDRLEN || m.header.nlmsg_len > size) break;
    m.payload.assign(data + NLMSG_HDRLEN, data + m.header.nlmsg_len);
    out.push_back(std::move(m));
    auto step = std::min<std::size_t>(NLMSG_ALIGN(out.back().header.nlmsg_len), size);
    data += step;
    size -= step;
  }
  return out;
}

Bytes join_messages(const std::vector<Message>& messages) {
  Bytes out;
  for (const auto& m : messages) {
    nlmsghdr header = m.header;
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + m.payload.size());
    auto at = out.size();
    out.resize(at + NLMSG_ALIGN(header.nlmsg_len));
    std::memcpy(out.data() + at, &header, sizeof header);
    std::copy(m.payload.begin(), m.payload.end(), out.begin() + at + NLMSG_HDRLEN);
  }
  return out;
}

constexpr std::size_t kFixed = NLMSG_ALIGN(sizeof(inet_diag_msg));

// A record's payload: the inet_diag_msg, then its attributes (the whole ones).
std::vector<Attr> split_attrs(const Bytes& payload) {
  std::vector<Attr> out;
  std::size_t at = kFixed;
  while (at + sizeof(rtattr) <= payload.size()) {
    rtattr head{};
    std::memcpy(&head, payload.data() + at, sizeof head);
    if (head.rta_len < sizeof(rtattr) || head.rta_len > payload.size() - at) break;
    Attr a;
    a.type = head.rta_type;
    a.data.assign(payload.begin() + static_cast<std::ptrdiff_t>(at + RTA_LENGTH(0)),
                  payload.begin() + static_cast<std::ptrdiff_t>(at + head.rta_len));
    out.push_back(std::move(a));
    at += RTA_ALIGN(head.rta_len);
  }
  return out;
}

void join_attrs(Bytes& payload, const std::vector<Attr>& attrs) {
  payload.resize(kFixed);
  for (const auto& a : attrs) {
    rtattr head{};
    head.rta_type = a.type;
    head.rta_len = static_cast<std::uint16_t>(RTA_LENGTH(a.data.size()));
    auto at = payload.size();
    payload.resize(at + RTA_ALIGN(head.rta_len));
    std::memcpy(payload.data() + at, &head, sizeof head);
    std::copy(a.data.begin(), a.data.end(), payload.begin() + static_cast<std::ptrdiff_t>(at + 4));
  }
}

void mutate_bytes(Bytes& bytes, std::size_t max_size) {
  if (bytes.empty()) bytes.push_back(0);
  auto size = bytes.size();
  bytes.resize(std::max(max_size, size) + 1);
  bytes.resize(LLVMFuzzerMutate(bytes.data(), size, std::max(max_size, size)));
}

Message new_record(std::mt19937& rng) {
  Message m;
  m.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  m.header.nlmsg_flags = NLM_F_MULTI;
  m.header.nlmsg_seq = 1;
  m.payload.assign(kFixed, 0);
  inet_diag_msg msg{};
  msg.idiag_family = rng() % 2 == 0 ? AF_INET : AF_INET6;
  msg.idiag_state = static_cast<std::uint8_t>(1 + rng() % 12);
  msg.id.idiag_sport = htons(static_cast<std::uint16_t>(rng()));
  msg.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  std::memcpy(m.payload.data(), &msg, sizeof msg);
  return m;
}

constexpr std::uint16_t kAttrTypes[] = {INET_DIAG_MEMINFO, INET_DIAG_INFO,      INET_DIAG_CONG,
                                        INET_DIAG_TOS,     INET_DIAG_SKMEMINFO, INET_DIAG_SHUTDOWN,
                                        INET_DIAG_MARK,    INET_DIAG_CGROUP_ID};

// One structural edit; false when it made nothing new.
bool edit(std::vector<Message>& messages, std::mt19937& rng, std::size_t max_size) {
  if (messages.empty() || rng() % 8 == 0) {
    messages.insert(messages.begin() + static_cast<std::ptrdiff_t>(rng() % (messages.size() + 1)),
                    new_record(rng));
    return true;
  }
  auto& m = messages[rng() % messages.size()];
  bool record = m.header.nlmsg_type == SOCK_DIAG_BY_FAMILY && m.payload.size() >= kFixed;
  switch (rng() % 7) {
    case 0:  // the record itself: family, state, ports, addresses, queues...
      if (record) {
        Bytes fixed(m.payload.begin(), m.payload.begin() + kFixed);
        mutate_bytes(fixed, kFixed);
        fixed.resize(kFixed);
        std::copy(fixed.begin(), fixed.end(), m.payload.begin());
      } else {
        mutate_bytes(m.payload, max_size / 2);
      }
      return true;
    case 1: {  // one attribute's value, its length following
      if (!record) return false;
      auto attrs = split_attrs(m.payload);
      if (attrs.empty()) return false;
      mutate_bytes(attrs[rng() % attrs.size()].data, 512);
      join_attrs(m.payload, attrs);
      return true;
    }
    case 2: {  // an attribute more, of a type the parser looks at or any other
      if (!record) return false;
      auto attrs = split_attrs(m.payload);
      Attr a;
      a.type = rng() % 4 == 0 ? static_cast<std::uint16_t>(rng() % 32)
                              : kAttrTypes[rng() % std::size(kAttrTypes)];
      a.data.assign(rng() % 300, 0);
      if (rng() % 2 == 0) mutate_bytes(a.data, a.data.size());
      attrs.insert(attrs.begin() + static_cast<std::ptrdiff_t>(rng() % (attrs.size() + 1)), a);
      join_attrs(m.payload, attrs);
      return true;
    }
    case 3: {  // an attribute fewer
      auto attrs = record ? split_attrs(m.payload) : std::vector<Attr>{};
      if (attrs.empty()) return false;
      attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(rng() % attrs.size()));
      join_attrs(m.payload, attrs);
      return true;
    }
    case 4: {  // another message type or flags: the end of the dump, an error, noise
      constexpr std::uint16_t kTypes[] = {NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, SOCK_DIAG_BY_FAMILY};
      if (rng() % 2 == 0) {
        m.header.nlmsg_type = kTypes[rng() % std::size(kTypes)];
      } else {
        m.header.nlmsg_flags ^= static_cast<std::uint16_t>(NLM_F_DUMP_INTR);
      }
      return true;
    }
    case 5:  // a message twice
      if (messages.size() > 64) return false;
      messages.insert(messages.begin() + static_cast<std::ptrdiff_t>(rng() % messages.size()),
                      messages[rng() % messages.size()]);
      return true;
    default:  // a message fewer
      messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(rng() % messages.size()));
      return true;
  }
}

// After a structural edit, sometimes break one length on purpose, by a little.
void break_a_length(Bytes& out, std::mt19937& rng) {
  if (out.size() < NLMSG_HDRLEN || rng() % 4 != 0) return;
  auto messages = split_messages(out.data(), out.size());
  if (messages.empty()) return;
  std::size_t at = 0;
  auto pick = rng() % messages.size();
  for (std::size_t i = 0; i < pick; ++i) at += NLMSG_ALIGN(messages[i].header.nlmsg_len);
  static constexpr int kDeltas[] = {-4, -1, 1, 4, 8, 4096};
  auto delta = kDeltas[rng() % std::size(kDeltas)];
  if (rng() % 2 == 0 && messages[pick].payload.size() >= kFixed + sizeof(rtattr)) {
    // the first attribute's rta_len
    std::uint16_t len = 0;
    auto field = at + NLMSG_HDRLEN + kFixed;
    std::memcpy(&len, out.data() + field, sizeof len);
    len = static_cast<std::uint16_t>(len + delta);
    std::memcpy(out.data() + field, &len, sizeof len);
  } else {
    std::uint32_t len = 0;
    std::memcpy(&len, out.data() + at, sizeof len);
    len = static_cast<std::uint32_t>(static_cast<std::int64_t>(len) + delta);
    std::memcpy(out.data() + at, &len, sizeof len);
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  std::mt19937 rng(seed);
  if (rng() % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
  auto messages = split_messages(data, size);
  if (!edit(messages, rng, max_size)) return LLVMFuzzerMutate(data, size, max_size);
  auto out = join_messages(messages);
  break_a_length(out, rng);
  if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::copy(out.begin(), out.end(), data);
  return out.size();
}

#endif  // SOCKKIT_LIBFUZZER
