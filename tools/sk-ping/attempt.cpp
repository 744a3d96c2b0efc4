#include "attempt.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <exception>

#include "sockkit/kernel_counters.hpp"

namespace sk_ping {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::connected: return "connected";
    case Outcome::reply: return "reply";
    case Outcome::refused: return "refused";
    case Outcome::timeout: return "timeout";
    case Outcome::unreachable: return "unreachable";
    case Outcome::error: return "error";
    case Outcome::mismatch: return "mismatch";
    case Outcome::in_flight: return "in_flight";
  }
  return "error";
}

Outcome failure_outcome(int err, const std::optional<sockkit::IcmpError>& icmp, bool local) {
  using sockkit::FailureKind;
  switch (sockkit::classify_failure(err, icmp, local).kind) {
    case FailureKind::timeout: return Outcome::timeout;
    case FailureKind::refused: return Outcome::refused;
    case FailureKind::unreachable:
    case FailureKind::local_firewall:
    case FailureKind::no_route: return Outcome::unreachable;
    case FailureKind::reset:
    case FailureKind::no_local_address:
    case FailureKind::out_of_resources:
    case FailureKind::other: return Outcome::error;
  }
  return Outcome::error;
}

double wall_clock_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool succeeded(Outcome outcome) noexcept {
  return outcome == Outcome::connected || outcome == Outcome::reply;
}

std::string_view close_end_name(CloseEnd end) {
  switch (end) {
    case CloseEnd::none: return "none";
    case CloseEnd::fin: return "fin";
    case CloseEnd::reset: return "reset";
    case CloseEnd::timeout: return "timeout";
  }
  return "none";
}

double syn_retry_offset_s(unsigned k, unsigned linear_timeouts) {
  // The first linear_timeouts + 1 waits are the initial 1 s (the kernel keeps its backoff
  // at zero while the retry count is within the sysctl); each one after doubles.
  double offset = 0;
  for (unsigned i = 1; i <= std::min(k, 64U); ++i) {
    int doublings = static_cast<int>(i) - 1 - static_cast<int>(linear_timeouts);
    offset += std::ldexp(1.0, std::clamp(doublings, 0, 7));  // capped as TCP_RTO_MAX is (120 s)
  }
  return offset;
}

unsigned read_syn_linear_timeouts() {
  try {
    auto value = sockkit::read_net_sysctl_int("ipv4/tcp_syn_linear_timeouts");
    // Kernels before 6.5 have no such sysctl: every retry doubles, as with 0.
    if (!value || *value < 0) return 0;
    return static_cast<unsigned>(std::min<std::int64_t>(*value, 64));
  } catch (const std::exception&) {
    // Only the labels of retried SYNs depend on it: the timing stands without it.
    return 0;
  }
}

void AttemptResult::add_answer(std::string_view bytes) noexcept {
  answer_bytes += bytes.size();
  auto take = std::min(bytes.size(), answer.size() - answer_size);
  std::copy_n(bytes.data(), take, answer.data() + answer_size);
  answer_size = static_cast<std::uint8_t>(answer_size + take);
}

void AttemptResult::add_close_state(sockkit::TcpState state) noexcept {
  if (close_state_count > 0 && close_states[close_state_count - 1] == state) return;
  if (close_state_count < close_states.size()) close_states[close_state_count++] = state;
}

}  // namespace sk_ping
