#include "verdict.hpp"

namespace sk_probe {

State failure_state(const sockkit::Failure& failure, bool udp) noexcept {
  using sockkit::FailureKind;
  switch (failure.kind) {
    case FailureKind::refused:
    case FailureKind::reset: return State::closed;
    case FailureKind::timeout: return silence_state(udp);
    case FailureKind::unreachable:
    case FailureKind::local_firewall:
    case FailureKind::no_route: return udp ? State::filtered : State::unreachable;
    case FailureKind::no_local_address:
    case FailureKind::out_of_resources:
    case FailureKind::other: return State::error;
  }
  return State::error;
}

State silence_state(bool udp) noexcept {
  return udp ? State::open_filtered : State::filtered;
}

bool retry_after_silence(unsigned attempts, unsigned retries) noexcept {
  return attempts <= retries;
}

bool teaches_round_trip(int error, sockkit::FailureKind kind) noexcept {
  return error == 0 || !sockkit::is_local_failure(kind);
}

ProbeTimeouts::ProbeTimeouts(std::size_t hosts, Nanos ceiling, std::atomic<std::int64_t>& shared)
    : hosts_(hosts), ceiling_(ceiling), shared_(shared) {}

void ProbeTimeouts::learn(std::uint32_t host, Nanos round_trip) {
  hosts_[host].add(round_trip);
  path_.add(round_trip);
  shared_.store(path_.timeout(kFloor, ceiling_).count(), std::memory_order_relaxed);
}

ProbeTimeouts::Nanos ProbeTimeouts::timeout_for(std::uint32_t host) const noexcept {
  if (hosts_[host].known()) return hosts_[host].timeout(kFloor, ceiling_);
  if (path_.known()) return path_.timeout(kFloor, ceiling_);
  auto shared = shared_.load(std::memory_order_relaxed);
  return shared > 0 ? Nanos(shared) : ceiling_;
}

}  // namespace sk_probe
