// UDP echo on one socket: every datagram goes back to its sender, exactly as large
// as it came (never larger: an echo must not amplify), within a per-source rate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "read_buffers.hpp"
#include "sockets.hpp"
#include "sockkit/event_loop.hpp"
#include "totals.hpp"

namespace sk_echo {

// A token bucket per source address: `rate` replies per second, bursts of one
// second's worth (at least one reply). The table is cleared when it reaches
// kMaxSources, so a flood of spoofed sources costs bounded memory (and briefly resets
// everyone's bucket).
class RateLimiter {
 public:
  static constexpr std::size_t kMaxSources = 65536;
  explicit RateLimiter(double rate) : rate_(rate), burst_(std::max(rate, 1.0)) {}
  [[nodiscard]] bool allow(const sockkit::IpAddress& source,
                           sockkit::EventLoop::Clock::time_point now);

 private:
  struct Key {
    std::uint64_t high = 0, low = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept { return k.high * 31 ^ k.low; }
  };
  struct Bucket {
    double tokens;
    sockkit::EventLoop::Clock::time_point refilled;
  };
  double rate_;
  double burst_;
  std::unordered_map<Key, Bucket, KeyHash> buckets_;
};

class UdpEcho : public sockkit::IoHandler {
 public:
  // Datagrams land in the worker's current read buffer, shared with its TCP connections.
  UdpEcho(BoundSocket socket, ReadBuffers& buffers, double rate, WorkerTotals& totals,
          sockkit::EventLoop& loop);
  void on_io(int fd, std::uint32_t events) override;

 private:
  BoundSocket socket_;
  ReadBuffers& buffers_;
  bool limited_;
  RateLimiter limiter_;
  WorkerTotals& totals_;
  sockkit::EventLoop& loop_;
};

}  // namespace sk_echo
