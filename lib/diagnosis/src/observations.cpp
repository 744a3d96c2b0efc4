// How the observations of one sample are gathered: per-state profiles, listeners with
// something queued or dropped, and ephemeral port use per destination.
#include "sockkit/observations.hpp"

#include <linux/sock_diag.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace sockkit {
namespace {

// Index into the profile array; -1 for states without a profile.
int profile_index(std::uint8_t state) {
  switch (static_cast<TcpState>(state)) {
    case TcpState::close_wait: return 0;
    case TcpState::fin_wait1: return 1;
    case TcpState::fin_wait2: return 2;
    case TcpState::last_ack: return 3;
    case TcpState::closing: return 4;
    case TcpState::syn_sent: return 5;
    case TcpState::syn_recv:
    case TcpState::new_syn_recv: return 6;
    default: return -1;
  }
}

std::size_t hash_bytes(const void* data, std::size_t size) {
  return std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(data), size));
}

IpAddress address_of(const std::array<std::uint8_t, 16>& bytes, std::uint8_t family) {
  if (family == AF_INET) return IpAddress::v4(std::span<const std::uint8_t, 4>(bytes.data(), 4));
  return IpAddress::v6(std::span<const std::uint8_t, 16>(bytes));
}

constexpr std::uint8_t kRetransmitTimer = 1;

}  // namespace

IpAddress PeerKey::ip() const {
  return address_of(address, family);
}

std::size_t PeerKeyHash::operator()(const PeerKey& key) const noexcept {
  std::array<std::uint8_t, 19> bytes{};
  std::memcpy(bytes.data(), key.address.data(), 16);
  bytes[16] = key.family;
  std::memcpy(bytes.data() + 17, &key.port, 2);
  return hash_bytes(bytes.data(), bytes.size());
}

std::size_t Observations::TupleKeyHash::operator()(const TupleKey& key) const noexcept {
  std::array<std::uint8_t, 35> bytes{};
  std::memcpy(bytes.data(), key.local.data(), 16);
  std::memcpy(bytes.data() + 16, key.remote.data(), 16);
  bytes[32] = key.family;
  std::memcpy(bytes.data() + 33, &key.port, 2);
  return hash_bytes(bytes.data(), bytes.size());
}

std::optional<std::uint32_t> meminfo_drops(std::span<const std::byte> skmeminfo) {
  constexpr std::size_t offset = SK_MEMINFO_DROPS * sizeof(std::uint32_t);
  if (skmeminfo.size() < offset + sizeof(std::uint32_t)) return std::nullopt;
  std::uint32_t drops = 0;
  std::memcpy(&drops, skmeminfo.data() + offset, sizeof drops);
  return drops;
}

void Observations::add(const SocketRecord& record) {
  if (record.transport != Transport::tcp) return;
  auto state = static_cast<TcpState>(record.state);
  if (state == TcpState::listen) {
    add_listener(record);
    return;
  }
  add_port_use(record);
  int index = profile_index(record.state);
  if (index < 0) return;
  auto& profile = profiles_[static_cast<std::size_t>(index)];
  ++profile.sockets;
  if (record.timer == kRetransmitTimer && record.retrans > 0) ++profile.retransmitting;
  ++profile.local_ports[record.local_port];
  PeerKey peer;
  peer.address = record.remote_addr;
  peer.family = record.family;
  // Outgoing connects are about one service; elsewhere the peer's port is ephemeral.
  if (state == TcpState::syn_sent) peer.port = record.remote_port;
  ++profile.peers[peer];
  if (record.inode != 0) profile.inodes.push_back(record.inode);
}

void Observations::add_listener(const SocketRecord& record) {
  ++listener_count_;
  auto drops = meminfo_drops(record.skmeminfo);
  if (record.rqueue == 0 && drops.value_or(0) == 0) return;
  listeners_.push_back(
      {record.local_ip(), record.local_port, record.rqueue, record.wqueue, drops, record.inode});
}

void Observations::add_port_use(const SocketRecord& record) {
  if (!ephemeral_ || record.local_port < ephemeral_->first ||
      record.local_port > ephemeral_->last) {
    return;
  }
  auto state = static_cast<TcpState>(record.state);
  if (state == TcpState::syn_recv || state == TcpState::new_syn_recv) return;  // not ours
  TupleKey key;
  key.local = record.local_addr;
  key.remote = record.remote_addr;
  key.family = record.family;
  key.port = record.remote_port;
  if (last_count_ == nullptr || !(key == last_key_)) {
    last_count_ = &tuples_[key];
    last_key_ = key;
  }
  auto& count = *last_count_;
  busiest_valid_ = false;
  ++count.used;
  if (state == TcpState::time_wait) ++count.time_wait;
  if (count.sample_inode == 0) count.sample_inode = record.inode;
}

void Observations::clear_connections() {
  profiles_ = {};
  tuples_.clear();
  last_count_ = nullptr;
  busiest_valid_ = false;
}

void Observations::clear_listeners() {
  listeners_.clear();
  listener_count_ = 0;
}

const StateProfile& Observations::profile(TcpState state) const {
  static const StateProfile empty;
  int index = profile_index(static_cast<std::uint8_t>(state));
  return index < 0 ? empty : profiles_[static_cast<std::size_t>(index)];
}

std::vector<TupleUse> Observations::busiest_tuples(std::size_t n) const {
  if (!busiest_valid_ || (n > busiest_.size() && busiest_.size() < tuples_.size())) {
    sort_busiest(std::max(n, kBusiestKept));
  }
  return {busiest_.begin(),
          busiest_.begin() + static_cast<std::ptrdiff_t>(std::min(n, busiest_.size()))};
}

void Observations::sort_busiest(std::size_t n) const {
  std::vector<TupleUse> all;
  all.reserve(tuples_.size());
  for (const auto& [key, count] : tuples_) {
    all.push_back({address_of(key.local, key.family), address_of(key.remote, key.family), key.port,
                   count.used, count.time_wait, count.sample_inode});
  }
  auto by_use = [](const TupleUse& a, const TupleUse& b) {
    if (a.used != b.used) return a.used > b.used;
    if (a.port != b.port) return a.port < b.port;
    auto x = a.address.bytes(), y = b.address.bytes();
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  };
  auto keep = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    by_use);
  all.resize(keep);
  busiest_ = std::move(all);
  busiest_valid_ = true;
}

}  // namespace sockkit
