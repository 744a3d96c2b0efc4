#include "sockkit/stats_render.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sockkit/stats_json.hpp"

namespace sockkit {

std::string stats_text(const Summary& s, std::string_view unit) {
  if (s.count() == 0) return "none";
  return fmt::format(
      "min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} {}, p50/p90/p99 = "
      "{:.3f}/{:.3f}/{:.3f} {}",
      s.min(), s.mean(), s.max(), s.mdev(), unit, s.percentile(50), s.percentile(90),
      s.percentile(99), unit);
}

Json stats_json(const Summary& s) {
  bool known = s.count() > 0;
  auto value = [&](double v) { return known ? Json(std::round(v * 1e6) / 1e6) : Json(nullptr); };
  Json j = {{"count", s.count()},
            {"min", value(s.min())},
            {"mean", value(s.mean())},
            {"max", value(s.max())},
            {"mdev", value(s.mdev())}};
  for (const auto& p : kStatsPercentiles) j[std::string(p.key)] = value(s.percentile(p.percent));
  return j;
}

void prom_stats(PromWriter& out, std::string_view name, std::string_view help, const Summary& s,
                const std::vector<Label>& labels, double to_base) {
  out.family(name, MetricType::summary, help);
  auto with_quantile = labels;
  with_quantile.push_back({"quantile", ""});
  for (const auto& p : kStatsPercentiles) {
    with_quantile.back().value = p.quantile;
    out.sample(with_quantile, s.count() > 0 ? s.percentile(p.percent) * to_base : std::nan(""));
  }
  out.sample(labels, s.sum() * to_base, "_sum");
  out.sample(labels, static_cast<double>(s.count()), "_count");
}

}  // namespace sockkit
