// The observations: what the diagnosis rules need from the sockets themselves, gathered
// while the census runs (what a finding then shows the user is its evidence,
// findings.hpp): per troubled state the local ports, peers and socket inodes; the listeners
// whose accept queue holds anything; and how many ephemeral ports each destination
// uses. A healthy socket costs one branch; only sockets in a troubled state, listeners
// and connections from an ephemeral port touch a table.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/sock_diag.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// An address and, where it matters, a port, as a hashable key.
struct PeerKey {
  std::array<std::uint8_t, 16> address{};
  std::uint8_t family = 0;
  std::uint16_t port = 0;  // 0 when the port is not part of the key
  friend bool operator==(const PeerKey&, const PeerKey&) = default;
  [[nodiscard]] IpAddress ip() const;
};
struct PeerKeyHash {
  std::size_t operator()(const PeerKey& key) const noexcept;
};

// The sockets of one troubled state.
struct StateProfile {
  std::uint64_t sockets = 0;
  std::uint64_t retransmitting = 0;  // a resend pending (retransmit timer with retries)
  std::unordered_map<std::uint16_t, std::uint64_t> local_ports;
  std::unordered_map<PeerKey, std::uint64_t, PeerKeyHash> peers;
  std::vector<std::uint32_t> inodes;  // non-zero only: orphans and TIME_WAIT have none
};

// Ephemeral ports in use toward one destination from one local address.
struct TupleUse {
  IpAddress local_address;
  IpAddress address;
  std::uint16_t port = 0;
  std::uint64_t used = 0;
  std::uint64_t time_wait = 0;
  std::uint32_t sample_inode = 0;  // one owned socket of the tuple, to name its process
};

// Gathers the observations of one sample, socket record by socket record.
class Observations {
 public:
  // `ephemeral`: net.ipv4.ip_local_port_range. Connections whose local port lies in it
  // count toward their destination's port use; nullopt leaves port use uncounted.
  explicit Observations(std::optional<PortRange> ephemeral = std::nullopt)
      : ephemeral_(ephemeral) {}
  // Not copied or moved: it keeps a pointer into its own map.
  Observations(const Observations&) = delete;
  Observations& operator=(const Observations&) = delete;

  void add(const SocketRecord& record);
  // Forget what a restarted dump counted: connections and listeners apart, because
  // sk-states reads listeners in a dump of their own.
  void clear_connections();
  void clear_listeners();

  // The profile of CLOSE_WAIT, FIN_WAIT1/2, LAST_ACK, CLOSING, SYN_SENT or SYN_RECV
  // (NEW_SYN_RECV counts as SYN_RECV); an empty profile for any other state.
  [[nodiscard]] const StateProfile& profile(TcpState state) const;
  // Listeners with a connection waiting or a drop counted; the rest are left out.
  [[nodiscard]] const std::vector<Listener>& listeners() const noexcept { return listeners_; }
  [[nodiscard]] std::uint64_t listener_count() const noexcept { return listener_count_; }
  // The `n` destinations using the most ephemeral ports, most first.
  [[nodiscard]] std::vector<TupleUse> busiest_tuples(std::size_t n) const;
  [[nodiscard]] std::optional<PortRange> ephemeral_range() const noexcept { return ephemeral_; }

 private:
  struct TupleKey {
    std::array<std::uint8_t, 16> local{};
    std::array<std::uint8_t, 16> remote{};
    std::uint8_t family = 0;
    std::uint16_t port = 0;
    friend bool operator==(const TupleKey&, const TupleKey&) = default;
  };
  struct TupleKeyHash {
    std::size_t operator()(const TupleKey& key) const noexcept;
  };
  struct TupleCount {
    std::uint64_t used = 0;
    std::uint64_t time_wait = 0;
    std::uint32_t sample_inode = 0;
  };

  void add_listener(const SocketRecord& record);
  void add_port_use(const SocketRecord& record);
  void sort_busiest(std::size_t n) const;

  std::optional<PortRange> ephemeral_;
  std::array<StateProfile, 8> profiles_{};  // see profile_index()
  std::vector<Listener> listeners_;
  std::uint64_t listener_count_ = 0;
  std::unordered_map<TupleKey, TupleCount, TupleKeyHash> tuples_;
  // A dump lists a client's sockets toward one destination close together, so most
  // records hit the tuple before them: compared, not hashed. Map nodes never move.
  TupleKey last_key_;
  TupleCount* last_count_ = nullptr;
  // Several rules ask for the busiest destinations of one sample; sorted once.
  static constexpr std::size_t kBusiestKept = 8;
  mutable std::vector<TupleUse> busiest_;
  mutable bool busiest_valid_ = false;
};

// SK_MEMINFO_DROPS of an INET_DIAG_SKMEMINFO payload, nullopt when it is too short.
[[nodiscard]] std::optional<std::uint32_t> meminfo_drops(std::span<const std::byte> skmeminfo);

}  // namespace sockkit

SOCKKIT_API_END
