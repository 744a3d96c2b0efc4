// Counting sockets by state, and by groups of fields, without keeping the sockets:
// memory stays flat however many sockets the kernel reports.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"
#include "sockkit/sock_diag.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct StateCounts {
  std::array<std::uint64_t, 16> by_state{};  // indexed by kernel state number

  void add(std::uint8_t state) noexcept { ++by_state[state & 0x0fU]; }
  [[nodiscard]] std::uint64_t operator[](TcpState state) const noexcept {
    return by_state[static_cast<std::size_t>(state)];
  }
  [[nodiscard]] std::uint64_t total() const noexcept;
  StateCounts& operator+=(const StateCounts& other) noexcept;
};

struct FamilyCounts {
  StateCounts ipv4;
  StateCounts ipv6;
  [[nodiscard]] StateCounts both() const noexcept;
  FamilyCounts& operator+=(const FamilyCounts& other) noexcept {
    ipv4 += other.ipv4;
    ipv6 += other.ipv6;
    return *this;
  }
};

struct Census {
  FamilyCounts tcp;
  FamilyCounts udp;

  void add(const SocketRecord& record) noexcept;
  void clear() noexcept { *this = Census{}; }
  [[nodiscard]] std::uint64_t total() const noexcept;
  Census& operator+=(const Census& other) noexcept {
    tcp += other.tcp;
    udp += other.udp;
    return *this;
  }
};

// Bits for a state mask: bit N is kernel state N, as idiag_states expects.
[[nodiscard]] constexpr std::uint32_t state_bit(TcpState state) noexcept {
  return 1U << static_cast<unsigned>(state);
}
inline constexpr std::uint32_t kAllTcpStates = 0xfffU << 1U;  // states 1..12

// A comma-separated list of states and groups in any spelling the knowledge base
// accepts, plus ss(8)'s groups all, connected, synchronized, bucket and big, and
// teardown (FIN_WAIT1 FIN_WAIT2 CLOSING TIME_WAIT CLOSE_WAIT LAST_ACK). As in ss,
// "closing" is the CLOSING state. Throws InputError naming the bad word and what is
// allowed.
[[nodiscard]] std::uint32_t parse_state_list(std::string_view text);

// The state keys of a mask, in kernel order: {"time_wait", "close_wait"}.
[[nodiscard]] std::vector<std::string_view> state_keys(std::uint32_t mask);

enum class GroupKey : std::uint8_t { state, lport, rport, laddr, raddr, process, netns };

// "state,raddr,process" -> keys; throws InputError for unknown or repeated keys.
[[nodiscard]] std::vector<GroupKey> parse_group_keys(std::string_view text);
[[nodiscard]] std::string_view group_key_name(GroupKey key);

// One group: the fields asked for are set, the others stay zero.
struct GroupValue {
  Transport transport = Transport::tcp;
  std::uint8_t state = 0;
  std::uint16_t lport = 0;
  std::uint16_t rport = 0;
  IpAddress laddr;
  IpAddress raddr;
  int pid = 0;              // process: the owner's pid, 0 when no readable process holds the socket
  std::uint64_t netns = 0;  // netns: the namespace's inode
  friend bool operator==(const GroupValue&, const GroupValue&) = default;
};

struct GroupValueHash {
  std::size_t operator()(const GroupValue& value) const noexcept;
};

class GroupCounter {
 public:
  explicit GroupCounter(std::vector<GroupKey> keys) : keys_(std::move(keys)) {}
  // `owner_pid` is the socket's owner for the process key (0: none); the caller looks
  // owners up, since that needs every socket's inode first.
  // `netns` is the inode of the namespace the socket was read in, for the netns key.
  void add(const SocketRecord& record, int owner_pid = 0, std::uint64_t netns = 0);
  void clear() { counts_.clear(); }
  // Adds another counter's groups (same keys): one counter per namespace, merged after.
  void merge(const GroupCounter& other);

  struct Row {
    GroupValue value;
    std::uint64_t count;
  };
  // Largest first (ties in a stable order of the values); `top` 0 means all.
  [[nodiscard]] std::vector<Row> rows(std::size_t top = 0) const;
  [[nodiscard]] const std::vector<GroupKey>& keys() const noexcept { return keys_; }

 private:
  std::vector<GroupKey> keys_;
  std::unordered_map<GroupValue, std::uint64_t, GroupValueHash> counts_;
};

}  // namespace sockkit

SOCKKIT_API_END
