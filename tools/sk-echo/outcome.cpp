// The client's outcomes: their names, and the library's classification of a failed
// call mapped onto them.
#include "client.hpp"

namespace sk_echo {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::intact: return "intact";
    case Outcome::mismatch: return "mismatch";
    case Outcome::timeout: return "timeout";
    case Outcome::refused: return "refused";
    case Outcome::reset: return "reset";
    case Outcome::closed: return "closed";
    case Outcome::unreachable: return "unreachable";
    case Outcome::local: return "local";
    case Outcome::other: return "other";
  }
  return "other";
}

Outcome outcome_of(const sockkit::Failure& failure) noexcept {
  using sockkit::FailureKind;
  switch (failure.kind) {
    case FailureKind::refused: return Outcome::refused;
    case FailureKind::reset: return Outcome::reset;
    case FailureKind::timeout: return Outcome::timeout;
    // The path, or this host's routes and rules, stopped the packets: either way the
    // server was not reached.
    case FailureKind::unreachable:
    case FailureKind::local_firewall:
    case FailureKind::no_route: return Outcome::unreachable;
    case FailureKind::no_local_address:
    case FailureKind::out_of_resources: return Outcome::local;
    case FailureKind::other: return Outcome::other;
  }
  return Outcome::other;
}

Outcome outcome_of_errno(int err, bool at_once) noexcept {
  return outcome_of(sockkit::classify_failure(err, std::nullopt, at_once));
}

void set_failure(EchoResult& result, int err, const std::optional<sockkit::IcmpError>& icmp,
                 bool at_once) noexcept {
  result.error = err;
  result.failure = sockkit::classify_failure(err, icmp, at_once);
  result.outcome = outcome_of(result.failure);
}

}  // namespace sk_echo
