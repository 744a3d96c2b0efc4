// The server's counters. Each worker thread counts into a WorkerTotals of its own, on
// cache lines no other thread writes, so counting every recv and send never moves a line
// between cores; the totals printed are their sum, taken when asked for. Only the count
// of open connections is shared (--max-connections limits the threads together), and it
// changes once per connection, not per byte. Also the record of one finished connection
// for -v.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sockkit/address.hpp"
#include "sockkit/console.hpp"

namespace sk_echo {

// How a connection ended.
enum class End : std::uint8_t { eof, reset, idle, max_bytes, rejected, shutdown, error };
inline constexpr std::size_t kEndCount = 7;
[[nodiscard]] std::string_view end_name(End end);

// A count with one writer, its worker thread, and readers anywhere: the writer adds with
// a plain load and store (no locked instruction), since nobody else writes it.
class Tally {
 public:
  void add(std::uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t get() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Two 64-byte lines: the adjacent-line prefetcher moves them in pairs.
inline constexpr std::size_t kCacheLine = 128;

struct alignas(kCacheLine) WorkerTotals {
  Tally accepted;
  Tally bytes_in;
  Tally bytes_out;
  Tally accept_errors;
  std::array<Tally, kEndCount> ends{};
  Tally udp_in;
  Tally udp_out;
  Tally udp_bytes;
  Tally udp_limited;

  void count_end(End end) noexcept { ends[static_cast<std::size_t>(end)].add(1); }
};

// Every worker's counts added up at one moment. Each count is read once, so while
// connections move the sum may be a few bytes apart between in and out, as any live
// total is.
struct TotalsSnapshot {
  std::uint64_t accepted = 0;
  std::uint64_t active = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t accept_errors = 0;
  std::array<std::uint64_t, kEndCount> ends{};
  std::uint64_t udp_in = 0;
  std::uint64_t udp_out = 0;
  std::uint64_t udp_bytes = 0;
  std::uint64_t udp_limited = 0;
};

class Totals {
 public:
  explicit Totals(unsigned workers);
  [[nodiscard]] WorkerTotals& worker(unsigned index) noexcept { return workers_[index]; }
  [[nodiscard]] std::atomic<std::uint64_t>& active() noexcept { return active_; }
  [[nodiscard]] TotalsSnapshot snapshot() const noexcept;

 private:
  std::unique_ptr<WorkerTotals[]> workers_;
  unsigned count_;
  alignas(kCacheLine) std::atomic<std::uint64_t> active_{0};
};

struct ConnectionRecord {
  sockkit::SockAddress peer;
  sockkit::SockAddress local;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  double duration_s = 0;
  End end = End::eof;
};

// One line, ending in '\n': text ("connection PEER tcp end=eof in=5 out=5
// duration_ms=1.234") or a JSON object with "type":"connection".
[[nodiscard]] std::string render_connection(const ConnectionRecord& record,
                                            sockkit::cli::Format format);
[[nodiscard]] std::string render_totals(const TotalsSnapshot& totals, sockkit::cli::Format format);
[[nodiscard]] std::string render_listening(const sockkit::SockAddress& address,
                                           std::string_view protocol, sockkit::cli::Format format);

}  // namespace sk_echo
