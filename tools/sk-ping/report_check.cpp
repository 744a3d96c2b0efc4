// --check: the Nagios plugin line, as check_tcp and check_ping write theirs, through the
// library's Nagios layer (sockkit/nagios.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "report.hpp"
#include "sockkit/nagios.hpp"

namespace sk_ping {

namespace {

// "refused (3 of 3)", "timeout (2 of 3), unreachable (1 of 3, ...)": what became of
// the attempts when none got through.
std::string failures_text(const Tally& t) {
  std::string out;
  for (auto outcome : kFailures) {
    if (t.count(outcome) == 0) continue;
    auto why = cause_text(t.cause(outcome));
    fmt::format_to(std::back_inserter(out), "{}{} ({} of {}{})", out.empty() ? "" : ", ",
                   outcome == Outcome::in_flight ? "unanswered" : outcome_name(outcome),
                   t.count(outcome), t.sent, why.empty() ? "" : ", " + why);
  }
  return out.empty() ? "no attempt made" : out;
}

// The worst status over the average handshake (unknown when nothing connected) and the
// loss; nothing getting through is CRITICAL whatever the levels.
sockkit::cli::NagiosCode check_code(const Settings& settings, const Tally& t) {
  using sockkit::nagios::grade;
  if (t.answered() == 0) return sockkit::cli::nagios_critical;
  std::optional<double> avg;
  if (t.rtt.count() > 0) avg = t.rtt.mean();
  return std::max({grade(avg, settings.warn.rtt_ms, settings.crit.rtt_ms),
                   grade(t.loss_pct(), settings.warn.loss_pct, settings.crit.loss_pct)});
}

}  // namespace

std::pair<std::string, int> check_line(const Settings& settings, const Tally& t) {
  using sockkit::nagios::PerfItem;
  using sockkit::nagios::Unit;
  const auto& plan = settings.plan;
  auto code = check_code(settings, t);
  std::string text;
  if (t.answered() == 0) {
    text = fmt::format("{}: {}", plan.target, failures_text(t));
  } else {
    text = fmt::format("{}: {}/{} {}, {} avg {:.3f} ms, {:.1f}% loss", plan.target, t.answered(),
                       t.sent, plan.udp ? "replies" : "connected", plan.udp ? "rtt" : "handshake",
                       t.rtt.mean(), t.loss_pct());
  }
  auto seconds = [](const sockkit::Summary& s) {
    return s.count() > 0 ? std::optional<double>(s.mean() / 1000) : std::nullopt;
  };
  auto to_seconds = [](const std::optional<double>& ms) {
    return ms ? std::optional<double>(*ms / 1000) : std::nullopt;
  };
  std::vector<PerfItem> perf = {
      {.label = "time",
       .value = seconds(t.rtt),
       .unit = Unit::seconds,
       .warn = to_seconds(settings.warn.rtt_ms),
       .crit = to_seconds(settings.crit.rtt_ms),
       .min = 0},
      {.label = "loss",
       .value = t.loss_pct(),
       .unit = Unit::percent,
       .warn = settings.warn.loss_pct,
       .crit = settings.crit.loss_pct,
       .min = 0,
       .max = 100},
      {.label = "dns", .value = seconds(t.dns), .unit = Unit::seconds},
  };
  return {sockkit::nagios::status_line("SK-PING", code, text, perf), code};
}

}  // namespace sk_ping
