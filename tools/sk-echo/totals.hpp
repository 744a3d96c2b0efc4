// The server's counters, shared by every worker thread (relaxed atomics: each is an
// independent tally), and the record of one finished connection for -v.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "sockkit/address.hpp"
#include "sockkit/cli.hpp"

namespace sk_echo {

// How a connection ended.
enum class End : std::uint8_t { eof, reset, idle, max_bytes, rejected, shutdown, error };
inline constexpr std::size_t kEndCount = 7;
[[nodiscard]] std::string_view end_name(End end);

struct Totals {
  using Counter = std::atomic<std::uint64_t>;
  Counter accepted{0};
  Counter active{0};
  Counter bytes_in{0};
  Counter bytes_out{0};
  Counter accept_errors{0};
  std::array<Counter, kEndCount> ends{};
  Counter udp_in{0};
  Counter udp_out{0};
  Counter udp_bytes{0};
  Counter udp_limited{0};

  static void add(Counter& c, std::uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
  void count_end(End end) { add(ends[static_cast<std::size_t>(end)], 1); }
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
[[nodiscard]] std::string render_totals(const Totals& totals, sockkit::cli::Format format);
[[nodiscard]] std::string render_listening(const sockkit::SockAddress& address,
                                           std::string_view protocol, sockkit::cli::Format format);

}  // namespace sk_echo
