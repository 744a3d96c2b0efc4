// The datagram of a UDP echo ping and the bookkeeping of what came back. Each request
// carries a run id, a sequence number and its send time, so an echo service needs no
// state and the pinger can tell a late, duplicated or reordered reply from a new one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct PingDatagram {
  std::uint32_t run_id = 0;  // tells our replies from another pinger's on the same service
  std::uint64_t seq = 0;
  std::uint64_t sent_ns = 0;  // the sender's steady clock
};

// "SKPG", a version byte, 3 reserved, run id, sequence, send time: network byte order.
inline constexpr std::size_t kPingHeaderSize = 28;

// Writes the header at the start of `out` (at least kPingHeaderSize bytes); the rest
// is left as the caller filled it.
void encode_ping(const PingDatagram& ping, std::span<std::byte> out) noexcept;
// nullopt for anything that is not a whole header of ours: too short, another magic
// or version.
[[nodiscard]] std::optional<PingDatagram> decode_ping(std::span<const std::byte> in) noexcept;

// Which sequence numbers have been seen, over a sliding window of the newest 65,536,
// in fixed memory (8 KiB), so a ping can run for days.
class SequenceWindow {
 public:
  static constexpr std::uint64_t kSpan = 65536;

  enum class Arrival : std::uint8_t {
    first,      // a reply not seen before
    duplicate,  // seen before: the network (or the service) sent it twice
    stale,      // older than the window: too old to tell
  };
  struct Verdict {
    Arrival arrival = Arrival::first;
    bool reordered = false;  // first seen after a higher sequence number
  };

  SequenceWindow() : bits_(kSpan / 64) {}
  // Sequence numbers start at 1.
  [[nodiscard]] Verdict record(std::uint64_t seq) noexcept;
  [[nodiscard]] std::uint64_t highest() const noexcept { return highest_; }

 private:
  [[nodiscard]] bool test_and_set(std::uint64_t seq) noexcept;
  void clear(std::uint64_t seq) noexcept;

  std::vector<std::uint64_t> bits_;
  std::uint64_t highest_ = 0;
};

}  // namespace sockkit

SOCKKIT_API_END
