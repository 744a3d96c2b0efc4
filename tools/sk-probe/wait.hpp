// --wait: probe again and again until every target answers open or the time is up,
// the replacement for wait-for-it loops in container entrypoints and CI jobs.
#pragma once

#include "probe.hpp"
#include "report.hpp"

namespace sk_probe {

// Rounds of probes over what is not open yet, a quarter of a second apart; each
// result is the last one seen. Returns the totals over the final results.
[[nodiscard]] ScanTotals run_wait(const ScanPlan& plan, Millis limit, Report& report);

}  // namespace sk_probe
