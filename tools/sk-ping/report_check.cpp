// --check: the Nagios plugin line, as check_tcp and check_ping write theirs.
#include <fmt/format.h>

#include "report.hpp"
#include "sockkit/console.hpp"

namespace sk_ping {

namespace {

bool crossed(const Threshold& level, double rtt_ms, double loss_pct, bool have_rtt) {
  return (level.rtt_ms && have_rtt && rtt_ms >= *level.rtt_ms) ||
         (level.loss_pct && loss_pct >= *level.loss_pct);
}

// Plain decimals, as plugin performance data wants them: 0.00005, never 5e-05.
std::string plain(double value) {
  auto text = fmt::format("{:.9f}", value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

// Seconds, or "U" (without a unit) for what the run could not measure, as the plugin
// guidelines write an unknown value.
std::string perf_seconds(bool known, double seconds) {
  return known ? plain(seconds) + "s" : "U";
}

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

std::string level_text(const std::optional<double>& value, double scale) {
  return value ? plain(*value * scale) : "";
}

}  // namespace

std::pair<std::string, int> check_line(const Settings& settings, const Tally& t) {
  const auto& plan = settings.plan;
  bool have_rtt = t.rtt.count() > 0;
  double avg = t.rtt.mean();
  double loss = t.loss_pct();
  int code = sockkit::cli::nagios_ok;
  if (t.answered() == 0 || crossed(settings.crit, avg, loss, have_rtt)) {
    code = sockkit::cli::nagios_critical;
  } else if (crossed(settings.warn, avg, loss, have_rtt)) {
    code = sockkit::cli::nagios_warning;
  }
  static constexpr const char* kStatus[] = {"OK", "WARNING", "CRITICAL"};
  std::string text;
  if (t.answered() == 0) {
    text = fmt::format("{}: {}", plan.target, failures_text(t));
  } else {
    text = fmt::format("{}: {}/{} {}, {} avg {:.3f} ms, {:.1f}% loss", plan.target, t.answered(),
                       t.sent, plan.udp ? "replies" : "connected", plan.udp ? "rtt" : "handshake",
                       avg, loss);
  }
  auto perf = fmt::format(
      "time={};{};{};0 loss={:.1f}%;{};{};0;100 dns={}", perf_seconds(have_rtt, avg / 1000),
      level_text(settings.warn.rtt_ms, 0.001), level_text(settings.crit.rtt_ms, 0.001), loss,
      level_text(settings.warn.loss_pct, 1), level_text(settings.crit.loss_pct, 1),
      perf_seconds(t.dns.count() > 0, t.dns.mean() / 1000));
  return {fmt::format("SK-PING {} - {} | {}\n", kStatus[code], text, perf), code};
}

}  // namespace sk_ping
