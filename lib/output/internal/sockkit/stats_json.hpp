// A timing statistic as JSON, the one shape every command prints under a key named for
// what was measured and its unit ("rtt_ms", "latency_ms"):
//   {"count": N, "min": .., "mean": .., "max": .., "mdev": .., "p50": .., "p90": ..,
//    "p99": .., "p999": ..}
// Values keep six decimals (nanoseconds of a statistic in milliseconds); without values
// "count" is 0 and the others are null, so the object's shape never changes.
#pragma once

#include "sockkit/json.hpp"
#include "sockkit/stats.hpp"

namespace sockkit {

[[nodiscard]] Json stats_json(const Summary& stats);

}  // namespace sockkit
