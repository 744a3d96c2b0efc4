#include "sockkit/census.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

std::uint64_t StateCounts::total() const noexcept {
  std::uint64_t sum = 0;
  for (auto n : by_state) sum += n;
  return sum;
}

StateCounts& StateCounts::operator+=(const StateCounts& other) noexcept {
  for (std::size_t i = 0; i < by_state.size(); ++i) by_state[i] += other.by_state[i];
  return *this;
}

StateCounts FamilyCounts::both() const noexcept {
  StateCounts sum = ipv4;
  sum += ipv6;
  return sum;
}

void Census::add(const SocketRecord& record) noexcept {
  auto& counts = record.transport == Transport::tcp ? tcp : udp;
  (record.family == AF_INET ? counts.ipv4 : counts.ipv6).add(record.state);
}

std::uint64_t Census::total() const noexcept {
  return tcp.ipv4.total() + tcp.ipv6.total() + udp.ipv4.total() + udp.ipv6.total();
}

namespace {

using enum TcpState;

struct StateGroup {
  std::string_view name;
  std::uint32_t mask;
};

constexpr std::uint32_t bits(std::initializer_list<TcpState> states) {
  std::uint32_t mask = 0;
  for (auto s : states) mask |= state_bit(s);
  return mask;
}

constexpr std::uint32_t kConnected = kAllTcpStates & ~bits({listen, close});
constexpr std::uint32_t kBucket = bits({syn_recv, time_wait, new_syn_recv});

// ss(8)'s groups with its meanings, and teardown for the states after a FIN. No name
// here may spell a state: each word of --state means one thing, as in ss.
constexpr StateGroup kGroups[] = {
    {"all", kAllTcpStates},
    {"connected", kConnected},
    {"synchronized", kConnected & ~bits({syn_sent})},
    {"bucket", kBucket},
    {"big", kAllTcpStates & ~kBucket},
    {"teardown", bits({fin_wait1, fin_wait2, closing, time_wait, close_wait, last_ack})},
};

bool same_word(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() &&
         std::equal(word.begin(), word.end(), lower.begin(),
                    [](char a, char b) { return detail::lower_ascii(a) == b; });
}

// Earlier builds spelled the CLOSING state this way and used "closing" for the group;
// refusing it makes an old script fail loudly rather than count something else.
bool is_old_closing_state(std::string_view word) {
  return same_word(word, "closing-state") || same_word(word, "closing_state");
}

std::uint32_t parse_state_word(std::string_view word) {
  for (const auto& group : kGroups) {
    if (same_word(word, group.name)) return group.mask;
  }
  if (is_old_closing_state(word)) {
    throw InputError(fmt::format(
        "invalid state \"{}\": the CLOSING state is spelled closing (the group of states "
        "after a FIN is teardown)",
        word));
  }
  if (auto state = parse_tcp_state(word)) {
    // The kernel reports half-open connections as SYN_RECV; asking for either
    // spelling must find them.
    if (*state == syn_recv || *state == new_syn_recv) return bits({syn_recv, new_syn_recv});
    return state_bit(*state);
  }
  throw InputError(fmt::format(
      "invalid state \"{}\": expected a TCP state (e.g. time-wait, close-wait) or a group: all, "
      "connected, synchronized, teardown, bucket, big",
      word));
}

}  // namespace

std::uint32_t parse_state_list(std::string_view text) {
  if (text.empty()) throw InputError("invalid state list \"\": expected states such as time-wait");
  std::uint32_t mask = 0;
  detail::for_each_item(text, [&](std::string_view word) {
    if (word.empty()) {
      throw InputError(fmt::format("invalid state list \"{}\": an entry is empty", text));
    }
    mask |= parse_state_word(word);
  });
  return mask;
}

std::vector<std::string_view> state_keys(std::uint32_t mask) {
  std::vector<std::string_view> keys;
  for (const auto& info : tcp_states()) {
    if (info.state == new_syn_recv) continue;  // reported as syn_recv
    if ((mask & state_bit(info.state)) != 0) keys.push_back(info.key);
  }
  return keys;
}

namespace {

constexpr std::pair<std::string_view, GroupKey> kGroupKeys[] = {
    {"state", GroupKey::state}, {"lport", GroupKey::lport}, {"rport", GroupKey::rport},
    {"laddr", GroupKey::laddr}, {"raddr", GroupKey::raddr}, {"process", GroupKey::process},
    {"netns", GroupKey::netns},
};

}  // namespace

std::string_view group_key_name(GroupKey key) {
  for (const auto& [name, value] : kGroupKeys) {
    if (value == key) return name;
  }
  return "?";
}

std::vector<GroupKey> parse_group_keys(std::string_view text) {
  std::vector<GroupKey> keys;
  detail::for_each_item(text, [&](std::string_view word) {
    auto it = std::find_if(std::begin(kGroupKeys), std::end(kGroupKeys),
                           [&](const auto& entry) { return entry.first == word; });
    if (it == std::end(kGroupKeys)) {
      throw InputError(fmt::format(
          "invalid grouping key \"{}\": expected state, lport, rport, laddr, raddr, process or "
          "netns",
          word));
    }
    if (std::find(keys.begin(), keys.end(), it->second) != keys.end()) {
      throw InputError(fmt::format("grouping key \"{}\" is given twice", word));
    }
    keys.push_back(it->second);
  });
  return keys;
}

std::size_t GroupValueHash::operator()(const GroupValue& value) const noexcept {
  std::size_t hash = static_cast<std::size_t>(value.transport) * 31U + value.state;
  hash = hash * 1000003U + value.lport;
  hash = hash * 1000003U + value.rport;
  for (auto byte : value.laddr.bytes()) hash = hash * 131U + byte;
  for (auto byte : value.raddr.bytes()) hash = hash * 131U + byte;
  hash = hash * 1000003U + static_cast<std::size_t>(value.pid);
  return hash * 1000003U + static_cast<std::size_t>(value.netns);
}

void GroupCounter::add(const SocketRecord& record, int owner_pid, std::uint64_t netns) {
  GroupValue value;
  value.transport = record.transport;
  for (auto key : keys_) {
    switch (key) {
      case GroupKey::state: value.state = record.state; break;
      case GroupKey::lport: value.lport = record.local_port; break;
      case GroupKey::rport: value.rport = record.remote_port; break;
      case GroupKey::laddr: value.laddr = record.local_ip().unmapped(); break;
      case GroupKey::raddr: value.raddr = record.remote_ip().unmapped(); break;
      case GroupKey::process: value.pid = owner_pid; break;
      case GroupKey::netns: value.netns = netns; break;
    }
  }
  ++counts_[value];
}

void GroupCounter::merge(const GroupCounter& other) {
  for (const auto& [value, count] : other.counts_) counts_[value] += count;
}

std::vector<GroupCounter::Row> GroupCounter::rows(std::size_t top) const {
  std::vector<Row> out;
  out.reserve(counts_.size());
  for (const auto& [value, count] : counts_) out.push_back({value, count});
  auto order = [](const Row& a, const Row& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.value.transport != b.value.transport) return a.value.transport < b.value.transport;
    if (a.value.state != b.value.state) return a.value.state < b.value.state;
    if (a.value.lport != b.value.lport) return a.value.lport < b.value.lport;
    if (a.value.rport != b.value.rport) return a.value.rport < b.value.rport;
    if (a.value.pid != b.value.pid) return a.value.pid < b.value.pid;
    if (a.value.netns != b.value.netns) return a.value.netns < b.value.netns;
    if (a.value.laddr.bytes().size() != b.value.laddr.bytes().size() ||
        !std::equal(a.value.laddr.bytes().begin(), a.value.laddr.bytes().end(),
                    b.value.laddr.bytes().begin())) {
      return std::lexicographical_compare(
          a.value.laddr.bytes().begin(), a.value.laddr.bytes().end(), b.value.laddr.bytes().begin(),
          b.value.laddr.bytes().end());
    }
    return std::lexicographical_compare(a.value.raddr.bytes().begin(), a.value.raddr.bytes().end(),
                                        b.value.raddr.bytes().begin(), b.value.raddr.bytes().end());
  };
  std::sort(out.begin(), out.end(), order);
  if (top != 0 && out.size() > top) out.resize(top);
  return out;
}

}  // namespace sockkit
