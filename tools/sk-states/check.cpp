// --check: the Nagios plugin status line. One line, "SK-STATES WARNING - what | perfdata",
// and the plugin exit codes; info findings never change the status.
#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/console.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

namespace {

std::string perf_level(const std::optional<double>& level) {
  return level ? fmt::format("{:.0f}", *level) : "";
}

std::optional<sockkit::Levels> state_levels(const Query& query, const sockkit::Diagnosis& d,
                                            sockkit::TcpState state) {
  for (const auto& rule : sockkit::rule_infos()) {
    if (rule.state == state) return d.levels[static_cast<std::size_t>(rule.id)];
  }
  for (const auto& check : query.state_checks) {
    if (check.state == state) return check.levels;
  }
  return std::nullopt;
}

std::string perfdata(const Query& query, const Sample& sample, const sockkit::Diagnosis& d) {
  std::string out;
  auto counts = sample.census.tcp.both();
  for (auto state : shown_states(sockkit::Transport::tcp)) {
    auto levels = state_levels(query, d, state).value_or(sockkit::Levels{});
    auto n = counts[state] +
             (state == sockkit::TcpState::syn_recv ? counts[sockkit::TcpState::new_syn_recv] : 0);
    out += fmt::format(" {}={};{};{}", sockkit::tcp_state_info(state).key, n,
                       perf_level(levels.warn), perf_level(levels.crit));
  }
  for (const auto& rule : sockkit::rule_infos()) {
    const auto& measure = d.measures[static_cast<std::size_t>(rule.id)];
    if (rule.state || !measure) continue;
    const auto& levels = d.levels[static_cast<std::size_t>(rule.id)];
    out += fmt::format(" {}={:.1f}%;{};{}", rule.key, *measure, perf_level(levels.warn),
                       perf_level(levels.crit));
  }
  return out;
}

struct Problem {
  sockkit::Severity severity;
  std::string text;
};

std::vector<Problem> problems(const Query& query, const Sample& sample,
                              const sockkit::Diagnosis& d) {
  std::vector<Problem> out;
  for (const auto& f : d.findings) {
    if (f.severity != sockkit::Severity::info) out.push_back({f.severity, f.brief});
  }
  for (const auto& check : query.state_checks) {
    auto n = static_cast<double>(sample.census.tcp.both()[check.state]);
    std::optional<sockkit::Severity> severity;
    if (check.levels.crit && n >= *check.levels.crit) {
      severity = sockkit::Severity::critical;
    } else if (check.levels.warn && n >= *check.levels.warn) {
      severity = sockkit::Severity::warning;
    }
    if (severity) {
      out.push_back({*severity, fmt::format("{} {}", sockkit::group_thousands(std::uint64_t(n)),
                                            sockkit::tcp_state_name(check.state))});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Problem& a, const Problem& b) { return a.severity > b.severity; });
  return out;
}

}  // namespace

CheckResult check_result(const Query& query, const Sample& sample) {
  const auto& d = *sample.diagnosis;
  auto found = problems(query, sample, d);
  CheckResult result;
  std::string status = "OK";
  std::string text;
  if (found.empty()) {
    result.code = sockkit::cli::nagios_ok;
    auto infos = std::count_if(d.findings.begin(), d.findings.end(),
                               [](const auto& f) { return f.severity == sockkit::Severity::info; });
    text = fmt::format(
        "{} TCP sockets, {}", sockkit::group_thousands(sample.census.tcp.both().total()),
        infos == 0 ? std::string("no findings") : fmt::format("no problems ({} info)", infos));
  } else {
    bool critical = found.front().severity == sockkit::Severity::critical;
    result.code = critical ? sockkit::cli::nagios_critical : sockkit::cli::nagios_warning;
    status = critical ? "CRITICAL" : "WARNING";
    for (const auto& p : found) text += (text.empty() ? "" : ", ") + p.text;
  }
  // '|' starts the performance data in the plugin format, so it cannot appear before it.
  std::replace(text.begin(), text.end(), '|', '/');
  result.line = fmt::format("SK-STATES {} - {} |{}\n", status, text, perfdata(query, sample, d));
  return result;
}

}  // namespace sk_states
