// One ping attempt, what it found, and the run's plan: plain data shared by the TCP and
// UDP engines, the statistics and the renderers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sockkit/address.hpp"
#include "sockkit/icmp_error.hpp"
#include "sockkit/outcome.hpp"
#include "sockkit/tcp_state.hpp"

namespace sk_ping {

using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;

enum class Outcome : std::uint8_t {
  connected,    // TCP: the handshake completed (and the request was answered as expected)
  reply,        // UDP: the echo came back
  refused,      // TCP: a reset; UDP: ICMP port unreachable
  timeout,      // no answer within --timeout
  unreachable,  // an ICMP error (named) or a local firewall
  error,        // a local failure: no port, no route, no memory
  mismatch,     // --send/--expect: connected, but the answer was not the one expected
  in_flight,    // the run ended (count, deadline, Ctrl-C) before it was answered
};
inline constexpr std::size_t kOutcomeCount = 8;
[[nodiscard]] std::string_view outcome_name(Outcome outcome);
[[nodiscard]] bool succeeded(Outcome outcome) noexcept;
// The failures, in the order summaries list them.
inline constexpr std::array kFailures = {Outcome::refused, Outcome::timeout,  Outcome::unreachable,
                                         Outcome::error,   Outcome::mismatch, Outcome::in_flight};
// What a failed connect() or send() ended in, from its errno, the ICMP error (if any)
// the error queue held, and whether connect() failed at once on this host (`local`):
// refused, timeout, unreachable or error, as the library classifies the failure.
[[nodiscard]] Outcome failure_outcome(int err, const std::optional<sockkit::IcmpError>& icmp,
                                      bool local = false);

[[nodiscard]] inline double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}
// Seconds since the Unix epoch, for timestamps people read.
[[nodiscard]] double wall_clock_s();

// How the four-way close of --close ended.
enum class CloseEnd : std::uint8_t { none, fin, reset, timeout };
[[nodiscard]] std::string_view close_end_name(CloseEnd end);

// How much of an answer a result keeps to show: enough to recognise a protocol.
inline constexpr std::size_t kAnswerHead = 64;

struct AttemptResult {
  std::uint64_t seq = 0;
  double timestamp_s = 0;  // wall clock when it started
  sockkit::SockAddress peer;
  Outcome outcome = Outcome::error;
  double rtt_ms = -1;         // the handshake, or the UDP echo; < 0 without an answer
  double kernel_rtt_ms = -1;  // TCP_INFO's smoothed RTT after the handshake
  unsigned syn_retrans = 0;   // SYNs sent again before an answer (or before giving up)
  int error = 0;              // errno behind refused, unreachable, error
  std::optional<sockkit::IcmpError> icmp;
  std::string_view note;  // a fixed phrase saying why, when the outcome needs one
  bool local = false;     // TCP: connect() failed at once, on this host: no SYN left it
  double dns_ms = -1;     // --resolve-each: the lookup before this attempt
  // --send / --expect
  double ttfb_ms = -1;  // from the request (or the handshake) to the first byte back
  bool matched = false;
  // The first bytes of the answer, kept so a mismatch can show what came instead.
  std::array<char, kAnswerHead> answer{};
  std::uint8_t answer_size = 0;
  std::uint64_t answer_bytes = 0;  // all that came back before the request phase ended
  // --close
  CloseEnd close_end = CloseEnd::none;
  double close_ms = -1;           // our FIN to the peer's FIN
  std::uint64_t close_bytes = 0;  // what the peer still sent after our FIN
  std::array<sockkit::TcpState, 4> close_states{};
  std::uint8_t close_state_count = 0;
  double time_wait_left_s = -1;  // the TIME_WAIT sock_diag showed after the close
  // --udp
  bool duplicate = false;
  bool reordered = false;
  bool late = false;  // came after its timeout was reported

  // The library's reading of error, icmp and local.
  [[nodiscard]] sockkit::Failure failure() const noexcept {
    return sockkit::classify_failure(error, icmp, local);
  }
  void add_close_state(sockkit::TcpState state) noexcept;
  void add_answer(std::string_view bytes) noexcept;
  [[nodiscard]] std::string_view answer_head() const noexcept {
    return {answer.data(), answer_size};
  }
};

struct Plan {
  std::string target;  // as the user typed it, for headers and labels
  std::string host;
  std::uint16_t port = 80;
  sockkit::IpVersion version = sockkit::IpVersion::any;
  bool udp = false;
  std::uint64_t count = 0;  // 0: until interrupted or the deadline
  Nanos interval = std::chrono::seconds(1);
  std::optional<Nanos> deadline;
  Nanos timeout = std::chrono::seconds(4);
  std::optional<sockkit::SockAddress> source;
  bool resolve_each = false;
  bool close = false;
  std::optional<std::string> send;
  std::optional<std::string> expect;
  std::size_t size = 64;  // UDP datagram bytes
  // net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+, 0 before): how many SYN retries
  // wait 1 s each before the wait starts doubling. Read after entering --netns.
  unsigned syn_linear_timeouts = 0;
};

// When the kernel sends the k-th retransmitted SYN, in seconds after the first
// (1 s initial timeout; linear, then doubling).
[[nodiscard]] double syn_retry_offset_s(unsigned k, unsigned linear_timeouts);
// The sysctl above, read under the /proc root (sockkit::proc_root); 0 when the kernel
// has none or its text is not a number.
[[nodiscard]] unsigned read_syn_linear_timeouts();

}  // namespace sk_ping
