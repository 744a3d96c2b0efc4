// What a probe's answer, or its silence, makes of a port, and how long silence is
// waited for: the decisions of the scan, apart from its sockets so tests can ask them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "probe.hpp"
#include "sockkit/outcome.hpp"
#include "sockkit/rtt_estimator.hpp"

namespace sk_probe {

// The state of a port whose probe failed: a refusal or a reset is closed, the
// kernel's own timeout filtered (UDP: open|filtered), anything on the path or in this
// host's routes and rules unreachable (UDP: filtered, since only a port unreachable
// proves a closed UDP port), a local failure an error.
[[nodiscard]] State failure_state(const sockkit::Failure& failure, bool udp) noexcept;

// The state of a port that stayed silent through every try.
[[nodiscard]] State silence_state(bool udp) noexcept;

// Whether a silent probe is sent again: `attempts` made so far, `retries` allowed after
// the first.
[[nodiscard]] bool retry_after_silence(unsigned attempts, unsigned retries) noexcept;

// Whether an answer's time is a round trip: a failure on this host (a local firewall,
// no route, no local address, out of descriptors) took none. `error` 0: no failure.
[[nodiscard]] bool teaches_round_trip(int error, sockkit::FailureKind kind) noexcept;

// The adaptive timeout: how long a probe to a host waits before it counts as silent.
// Each host's answers teach its own estimate; a host still silent uses what the
// answers of all hosts taught this thread, or failing that what another thread
// published, or failing all that the configured --timeout (the ceiling).
class ProbeTimeouts {
 public:
  using Nanos = std::chrono::nanoseconds;
  static constexpr Nanos kFloor = std::chrono::milliseconds(100);

  // `shared`: the path's timeout as the last thread to learn one published it (ns, 0:
  // none yet), shared by every thread of the scan.
  ProbeTimeouts(std::size_t hosts, Nanos ceiling, std::atomic<std::int64_t>& shared);

  void learn(std::uint32_t host, Nanos round_trip);
  [[nodiscard]] Nanos timeout_for(std::uint32_t host) const noexcept;

 private:
  std::vector<sockkit::RttEstimator> hosts_;
  sockkit::RttEstimator path_;
  Nanos ceiling_;
  std::atomic<std::int64_t>& shared_;
};

}  // namespace sk_probe
