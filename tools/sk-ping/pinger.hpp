// The run: resolve, start an attempt every interval (drift-free, never in bursts),
// stop at the count, the deadline or a signal, and hand every result to the report.
#pragma once

#include <functional>

#include "attempt.hpp"
#include "tally.hpp"

namespace sk_ping {

struct RunHooks {
  // Called once after the first lookup, before the first attempt.
  std::function<void(const sockkit::SockAddress& peer, double dns_ms)> started;
  std::function<void(const AttemptResult& result)> attempt;
};

// Throws sockkit::ResolveError when the name does not resolve at the start, and
// InputError for a --source of the other family.
[[nodiscard]] Tally run_pings(const Plan& plan, const RunHooks& hooks);

}  // namespace sk_ping
