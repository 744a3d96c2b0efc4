// One way to show a timing statistic (sockkit/stats.hpp) in every command: a text line
// in ping's words, one JSON object (sockkit/stats_json.hpp, internal) and a Prometheus
// summary, over the same numbers and the same percentiles.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/export.hpp"
#include "sockkit/prometheus.hpp"
#include "sockkit/stats.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct StatsPercentile {
  double percent;             // for Summary::percentile
  std::string_view key;       // the JSON key
  std::string_view quantile;  // the Prometheus quantile label
};

// The percentiles a JSON statistic and a Prometheus summary carry. The text line shows
// the first three: p99.9 of a short ping run is its maximum, and the line is long enough.
inline constexpr std::array<StatsPercentile, 4> kStatsPercentiles = {{
    {50, "p50", "0.5"},
    {90, "p90", "0.9"},
    {99, "p99", "0.99"},
    {99.9, "p999", "0.999"},
}};

// "min/avg/max/mdev = 0.120/0.155/0.173/0.024 ms, p50/p90/p99 = 0.171/0.173/0.173 ms",
// three decimals, `unit` as the statistic's values are counted; "none" without values.
[[nodiscard]] std::string stats_text(const Summary& stats, std::string_view unit = "ms");

// A summary family `name`: the quantiles of kStatsPercentiles, _sum and _count, each
// value times `to_base` (0.001 for a statistic in milliseconds, as metrics are in
// seconds). Quantiles of a statistic without values are NaN, as the format has it.
void prom_stats(PromWriter& out, std::string_view name, std::string_view help, const Summary& stats,
                const std::vector<Label>& labels, double to_base);

}  // namespace sockkit

SOCKKIT_API_END
