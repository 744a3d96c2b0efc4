// Load mode: many connections echoing at once, closed loop (each connection sends
// its next request when the last echo is back) or open loop (requests start on a
// fixed schedule, and their latency counts from when they were due, so a stalled
// server cannot hide behind a client that waits for it), or a connection per
// request (--connect-rate).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "client.hpp"
#include "config.hpp"
#include "sockkit/address.hpp"
#include "sockkit/stats.hpp"

namespace sk_echo {

inline constexpr std::size_t kOutcomeCount = 9;

struct LoadStats {
  std::uint64_t completed = 0;   // requests echoed back intact
  std::uint64_t failed = 0;      // requests that ended in an error (errors says which)
  std::uint64_t unfinished = 0;  // in flight when the run ended
  std::uint64_t behind = 0;      // open loop: due by the end but never started (no free connection)
  std::uint64_t bytes = 0;       // payload bytes echoed back intact
  std::uint64_t opened = 0;      // connections established
  std::array<std::uint64_t, kOutcomeCount> errors{};  // indexed by Outcome; intact unused
  std::array<int, kOutcomeCount> first_errno{};       // the errno behind each kind, if any
  sockkit::Summary latency{0};                        // ms, request sent (or due) to echo complete
  sockkit::Summary handshake{0};                      // ms, connect() to established
  double elapsed_s = 0;
  bool interrupted = false;  // SIGINT, SIGTERM or SIGHUP ended the run early

  [[nodiscard]] std::uint64_t error_total() const noexcept;

  // The run's accounting, one call per event, so that each count changes in one place
  // and completed + failed + unfinished adds up to the requests started (and the
  // connections that failed while idle).
  // A request echoed back intact, `latency_ms` after it was sent (or due).
  void count_intact(double latency_ms);
  // A request or an idle connection ended in `outcome` (not intact), `error` its errno or 0.
  void count_failure(Outcome outcome, int error) noexcept;
  // A connect() ended with `error` (0: established, `handshake_ms` after it began). A
  // reset or broken pipe still completed the handshake, so it counts as opened, untimed.
  void count_connect(int error, double handshake_ms);
};

// Open loop: how many of the requests due by `elapsed_s` at `rate` per second (no more
// than `limit`; 0: no limit) never started, when `started` did.
[[nodiscard]] std::uint64_t requests_behind(double elapsed_s, double rate, std::uint64_t limit,
                                            std::uint64_t started) noexcept;

// Runs until the requests are done, the duration is over, or a stop signal.
// Throws std::system_error only when the machinery itself (epoll, signalfd) fails;
// what the peer does is counted, not thrown.
[[nodiscard]] LoadStats run_load(const ClientConfig& config, const sockkit::SockAddress& peer);

// Text for people (a few aligned lines), or one JSON object with "type":"load".
[[nodiscard]] std::string render_load(const LoadStats& stats, const ClientConfig& config,
                                      const sockkit::SockAddress& peer);

}  // namespace sk_echo
