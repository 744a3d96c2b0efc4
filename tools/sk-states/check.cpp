// --check: the Nagios plugin status line. One line, "SK-STATES WARNING - what | perfdata",
// and the plugin exit codes; info findings never change the status. The line and the
// performance data are written by the library's Nagios layer (sockkit/nagios.hpp).
#include <fmt/format.h>

#include "render.hpp"
#include "render_netns.hpp"
#include "sockkit/nagios.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

namespace {

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

std::vector<sockkit::nagios::PerfItem> perfdata(const Query& query, const Sample& sample,
                                                const sockkit::Diagnosis& d) {
  using sockkit::nagios::Unit;
  std::vector<sockkit::nagios::PerfItem> out;
  auto counts = sample.census.tcp.both();
  for (auto state : shown_states(sockkit::Transport::tcp)) {
    auto levels = state_levels(query, d, state).value_or(sockkit::Levels{});
    auto n = counts[state] +
             (state == sockkit::TcpState::syn_recv ? counts[sockkit::TcpState::new_syn_recv] : 0);
    out.push_back({.label = std::string(sockkit::tcp_state_info(state).key),
                   .value = static_cast<double>(n),
                   .warn = levels.warn,
                   .crit = levels.crit});
  }
  for (const auto& rule : sockkit::rule_infos()) {
    const auto& measure = d.measures[static_cast<std::size_t>(rule.id)];
    if (rule.state || !measure) continue;
    const auto& levels = d.levels[static_cast<std::size_t>(rule.id)];
    out.push_back({.label = std::string(rule.key),
                   .value = *measure,
                   .unit = Unit::percent,
                   .warn = levels.warn,
                   .crit = levels.crit});
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
    auto n = sample.census.tcp.both()[check.state];
    auto code =
        sockkit::nagios::grade(static_cast<double>(n), check.levels.warn, check.levels.crit);
    if (code != sockkit::cli::nagios_ok) {
      out.push_back({code == sockkit::cli::nagios_critical ? sockkit::Severity::critical
                                                           : sockkit::Severity::warning,
                     fmt::format("{} {}", sockkit::group_thousands(n),
                                 sockkit::tcp_state_name(check.state))});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Problem& a, const Problem& b) { return a.severity > b.severity; });
  return out;
}

std::size_t info_findings(const sockkit::Diagnosis& d) {
  return static_cast<std::size_t>(
      std::count_if(d.findings.begin(), d.findings.end(),
                    [](const auto& f) { return f.severity == sockkit::Severity::info; }));
}

}  // namespace

CheckResult check_result(const Query& query, const Sample& sample) {
  const auto& d = *sample.diagnosis;
  auto found = problems(query, sample, d);
  auto code = sockkit::cli::nagios_ok;
  std::string text;
  if (found.empty()) {
    auto infos = info_findings(d);
    text = fmt::format(
        "{} TCP sockets, {}", sockkit::group_thousands(sample.census.tcp.both().total()),
        infos == 0 ? std::string("no findings") : fmt::format("no problems ({} info)", infos));
  } else {
    bool critical = found.front().severity == sockkit::Severity::critical;
    code = critical ? sockkit::cli::nagios_critical : sockkit::cli::nagios_warning;
    for (const auto& p : found) text += (text.empty() ? "" : ", ") + p.text;
  }
  return {sockkit::nagios::status_line("SK-STATES", code, text, perfdata(query, sample, d)), code};
}

CheckResult check_netns(const Query& query, const NetnsRun& run) {
  std::vector<Problem> found;
  const sockkit::Diagnosis* levels = nullptr;  // the host's, whose rules are all on
  std::size_t infos = 0;
  for (std::size_t i = 0; i < run.samples.size(); ++i) {
    const auto& sample = run.samples[i];
    if (!run.seen(i) || !sample.diagnosis) continue;
    const auto& entry = run.discovery.namespaces[i];
    if (levels == nullptr || entry.host) levels = &*sample.diagnosis;
    auto where = netns_where(entry);
    for (auto& problem : problems(query, sample, *sample.diagnosis)) {
      problem.text += " in " + where;
      found.push_back(std::move(problem));
    }
    infos += info_findings(*sample.diagnosis);
  }
  // A namespace nobody looked into may hold the problem: a monitor must not read OK.
  auto unseen = run.tally.failed + run.tally.unreachable;
  if (unseen > 0) {
    found.push_back({sockkit::Severity::warning,
                     fmt::format("network namespaces not read: {} ({})", unseen,
                                 run.tally.failed > 0 ? "reading failed"
                                                      : "entering them needs CAP_SYS_ADMIN")});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Problem& a, const Problem& b) { return a.severity > b.severity; });
  auto code = sockkit::cli::nagios_ok;
  std::string text;
  auto seen = run.tally.counted + run.tally.via_proc;
  if (found.empty()) {
    text = fmt::format(
        "{} TCP sockets in {} network namespaces, {}",
        sockkit::group_thousands(run.total.census.tcp.both().total()), seen,
        infos == 0 ? std::string("no findings") : fmt::format("no problems ({} info)", infos));
  } else {
    code = found.front().severity == sockkit::Severity::critical ? sockkit::cli::nagios_critical
                                                                 : sockkit::cli::nagios_warning;
    for (const auto& p : found) text += (text.empty() ? "" : ", ") + p.text;
  }
  const sockkit::Diagnosis none;
  auto perf = perfdata(query, run.total, levels != nullptr ? *levels : none);
  perf.push_back({.label = "namespaces", .value = static_cast<double>(seen)});
  return {sockkit::nagios::status_line("SK-STATES", code, text, perf), code};
}

}  // namespace sk_states
