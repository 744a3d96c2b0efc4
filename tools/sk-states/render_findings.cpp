// The findings for people (a section under the counts), for scripts (JSON) and for
// Prometheus (one series per rule and the kernel counters the rules read).
#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

using sockkit::Finding;
using sockkit::Json;

namespace {

constexpr std::size_t kLabelWidth = 13;

std::string endpoint(const sockkit::IpAddress& address, std::optional<std::uint16_t> port) {
  return port ? endpoint_text(address, *port) : address.unmapped().to_string();
}

std::string signed_delta(std::optional<std::int64_t> delta) {
  return delta ? fmt::format(" ({:+})", *delta) : "";
}

std::string level_text(double value, sockkit::RuleUnit unit) {
  return unit == sockkit::RuleUnit::percent ? fmt::format("{:.0f}%", value)
                                            : sockkit::group_thousands(std::uint64_t(value));
}

std::string measure_row(const Finding& f) {
  auto unit = sockkit::rule_info(f.rule).unit;
  std::string levels;
  if (f.levels.warn) levels += "warn " + level_text(*f.levels.warn, unit);
  if (f.levels.crit)
    levels += (levels.empty() ? "" : ", ") + ("critical " + level_text(*f.levels.crit, unit));
  auto value = unit == sockkit::RuleUnit::percent
                   ? fmt::format("{:.1f}%", f.value)
                   : sockkit::group_thousands(std::uint64_t(f.value));
  return levels.empty() ? value : fmt::format("{} ({})", value, levels);
}

// Label and comma-joined items on one line; nothing when there are none.
void row(std::string& out, std::string_view label, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
  out += fmt::format("  {:<{}}{}\n", label, kLabelWidth, joined);
}

std::vector<std::string> evidence_items(const sockkit::Evidence& e, std::string_view what) {
  std::vector<std::string> items;
  if (what == "local ports") {
    for (const auto& p : e.local_ports) items.push_back(fmt::format(":{} {}", p.port, p.sockets));
  } else if (what == "peers") {
    for (const auto& p : e.peers)
      items.push_back(fmt::format("{} {}", endpoint(p.address, p.port), p.sockets));
  } else if (what == "processes") {
    for (const auto& p : e.processes)
      items.push_back(fmt::format("{} (pid {}) {}", p.command, p.pid, p.sockets));
  } else if (what == "counters") {
    for (const auto& c : e.counters)
      items.push_back(fmt::format("{} {}{}", c.name, c.value, signed_delta(c.delta)));
  } else if (what == "limits") {
    for (const auto& l : e.limits) items.push_back(fmt::format("{} {}", l.name, l.value));
  }
  return items;
}

void listener_rows(std::string& out, const sockkit::Evidence& e) {
  for (std::size_t i = 0; i < e.listeners.size(); ++i) {
    const auto& l = e.listeners[i];
    std::string line =
        fmt::format("{} queue {}/{}", endpoint(l.address, l.port), l.queue, l.backlog);
    if (l.drops) line += fmt::format(", {} dropped{}", *l.drops, signed_delta(l.drops_delta));
    if (l.pid) line += fmt::format(", {} (pid {})", l.command, *l.pid);
    out += fmt::format("  {:<{}}{}\n", i == 0 ? "listeners" : "", kLabelWidth, line);
  }
}

void tuple_rows(std::string& out, const sockkit::Evidence& e) {
  for (std::size_t i = 0; i < e.tuples.size(); ++i) {
    const auto& t = e.tuples[i];
    out += fmt::format("  {:<{}}{} -> {}: {} of {} ports ({} TIME_WAIT)\n",
                       i == 0 ? "destinations" : "", kLabelWidth, t.local_address.unmapped(),
                       endpoint(t.address, t.port), sockkit::group_thousands(t.used),
                       sockkit::group_thousands(t.range), sockkit::group_thousands(t.time_wait));
  }
}

void prose_rows(std::string& out, const Finding& f, std::size_t width) {
  auto indent = 2 + kLabelWidth;
  auto why = sockkit::wrap_text(sockkit::rule_why(f.rule), std::max(width, indent + 40), indent);
  out += fmt::format("  {:<{}}{}", "why", kLabelWidth, why.substr(indent));
  bool first = true;
  for (auto check : sockkit::rule_checks(f.rule)) {
    out += fmt::format("  {:<{}}{}\n", first ? "next" : "", kLabelWidth, check);
    first = false;
  }
  out += fmt::format("  {:<{}}{}\n", "more", kLabelWidth, sockkit::rule_explain_command(f.rule));
}

sockkit::Style severity_style(sockkit::Severity severity) {
  switch (severity) {
    case sockkit::Severity::critical: return sockkit::Style::red;
    case sockkit::Severity::warning: return sockkit::Style::yellow;
    case sockkit::Severity::info: return sockkit::Style::cyan;
  }
  return sockkit::Style::plain;
}

std::string finding_text(const Finding& f, const RenderContext& context, bool brief) {
  const auto& paint = context.paint;
  const auto& e = f.evidence;
  std::string out =
      fmt::format("{}  {}  {}\n",
                  paint(severity_style(f.severity),
                        fmt::format("{:<8}", upper(sockkit::severity_name(f.severity)))),
                  paint(sockkit::Style::bold, sockkit::rule_info(f.rule).key), f.title);
  row(out, sockkit::rule_info(f.rule).unit == sockkit::RuleUnit::percent ? "measure" : "sockets",
      {measure_row(f)});
  // One socket per port is a spread of ephemeral ports: noise, not evidence.
  if (!e.local_ports.empty() && e.local_ports.front().sockets > 1) {
    row(out, "local ports", evidence_items(e, "local ports"));
  }
  row(out, "peers", evidence_items(e, "peers"));
  listener_rows(out, e);
  tuple_rows(out, e);
  row(out, "processes", evidence_items(e, "processes"));
  if (e.rate_per_s) row(out, "growth", {fmt::format("{:+.1f}/s", *e.rate_per_s)});
  row(out, "counters", evidence_items(e, "counters"));
  row(out, "limits", evidence_items(e, "limits"));
  for (const auto& note : e.notes) row(out, "note", {note});
  if (!brief) prose_rows(out, f, context.width);
  return out;
}

}  // namespace

std::string findings_text(const sockkit::Diagnosis& diagnosis, const RenderContext& context,
                          bool brief) {
  if (diagnosis.findings.empty()) return "no findings\n";
  std::string out = context.paint(sockkit::Style::bold, "FINDINGS") + "\n";
  for (std::size_t i = 0; i < diagnosis.findings.size(); ++i) {
    if (i > 0 && !brief) out += "\n";
    out += finding_text(diagnosis.findings[i], context, brief);
  }
  return out;
}

}  // namespace sk_states
