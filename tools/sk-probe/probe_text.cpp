// Names of states and the reason behind each result, in the words of the man page.
#include <cerrno>

#include <fmt/format.h>

#include "probe.hpp"
#include "sockkit/icmp_error.hpp"
#include "sockkit/outcome.hpp"

namespace sk_probe {

std::string_view state_name(State state) {
  switch (state) {
    case State::open: return "open";
    case State::closed: return "closed";
    case State::filtered: return "filtered";
    case State::unreachable: return "unreachable";
    case State::error: return "error";
    case State::open_filtered: return "open|filtered";
  }
  return "error";
}

std::string reason_of(const Result& r) {
  if (r.icmp_type >= 0) {
    return sockkit::describe_icmp({.type = r.icmp_type, .code = r.icmp_code, .v6 = r.icmp6});
  }
  if (r.self_connect) return "the probe connected to itself: nothing listens";
  if (r.state == State::open) {
    if (r.udp) return "reply";
    return r.banner.empty() ? "syn-ack" : "syn-ack, banner";
  }
  bool silent = r.error == 0 || r.error == ETIMEDOUT;
  if ((r.state == State::filtered || r.state == State::open_filtered) && silent) {
    return fmt::format("no reply to {} {}", r.attempts, r.attempts == 1 ? "try" : "tries");
  }
  // A UDP refusal whose ICMP error the queue no longer held: no reset was involved.
  if (r.udp && r.failure == sockkit::FailureKind::refused) return "refused";
  return sockkit::failure_reason({.kind = r.failure, .error = r.error, .icmp = std::nullopt});
}

}  // namespace sk_probe
