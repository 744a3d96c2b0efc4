// The driver: every rule of the table measured, levelled, filled with evidence, its
// owners looked up in one scan, and titled; plus the kernel readings a sample needs.
#include "sockkit/diagnosis.hpp"

#include <algorithm>
#include <cmath>

#include "rule_steps.hpp"

namespace sockkit {

KernelReadings read_kernel_readings() {
  KernelReadings readings;
  readings.counters = read_netstat();
  readings.sockstat = read_sockstat();
  readings.sysctls = read_net_sysctls();
  return readings;
}

void keep_host_limits(KernelReadings& readings, const NetSysctls& host) {
  if (!readings.sysctls.tcp_max_orphans) readings.sysctls.tcp_max_orphans = host.tcp_max_orphans;
  if (!readings.sysctls.tcp_mem) readings.sysctls.tcp_mem = host.tcp_mem;
}

namespace {

Levels levels(double warn, double crit) {
  return {warn, crit, false};
}

// Percent of `part` in `whole`, for defaults derived from a sysctl.
double share(double part, double whole) {
  return whole > 0 ? part * 100.0 / whole : 0;
}

}  // namespace

Levels default_levels(RuleId id, const KernelReadings& readings) {
  switch (id) {
    case RuleId::close_wait: return levels(50, 500);
    case RuleId::time_wait: {
      // Half the table is a pile-up worth a look; near the top the kernel starts
      // destroying TIME_WAIT sockets early. 262,144 is the usual size when unknown.
      auto buckets = static_cast<double>(readings.sysctls.tcp_max_tw_buckets.value_or(262144));
      return levels(std::max(1.0, std::floor(buckets * 0.5)),
                    std::max(1.0, std::floor(buckets * 0.9)));
    }
    case RuleId::port_exhaustion: return levels(50, 90);
    case RuleId::fin_wait2:
    case RuleId::fin_wait1:
    case RuleId::last_ack: return levels(100, 1000);
    case RuleId::closing: return levels(20, 200);
    case RuleId::syn_recv: return levels(100, 1000);
    case RuleId::syn_sent: return levels(20, 200);
    case RuleId::accept_queue: return levels(90, 100);
    case RuleId::orphans: return levels(50, 90);
    case RuleId::tcp_memory: {
      // Warn where the kernel itself starts to squeeze buffers (tcp_mem's pressure value).
      const auto& mem = readings.sysctls.tcp_mem;
      double pressure =
          mem ? std::floor(share(static_cast<double>((*mem)[1]), static_cast<double>((*mem)[2])))
              : 66;
      return levels(std::clamp(pressure, 1.0, 90.0), 90);
    }
  }
  return {};
}

Levels applied_levels(RuleId id, const KernelReadings& readings, const Thresholds& thresholds) {
  auto applied = default_levels(id, readings);
  const auto& user = thresholds.overrides(id);
  if (user.off) return {std::nullopt, std::nullopt, true};
  if (user.warn) {
    applied.warn = user.warn;
    // A warning level set above the default critical one moves the critical level out of
    // its way unless the user set that too.
    if (!user.crit && applied.crit && *applied.crit < *user.warn) applied.crit = std::nullopt;
  }
  if (user.crit) applied.crit = user.crit;
  return applied;
}

namespace {

std::optional<Severity> severity_for(double value, const Levels& levels) {
  if (levels.off || value <= 0) return std::nullopt;
  if (levels.crit && value >= *levels.crit) return Severity::critical;
  if (levels.warn && value >= *levels.warn) return Severity::warning;
  return std::nullopt;
}

std::optional<Severity> worse(std::optional<Severity> a, std::optional<Severity> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

void look_up_owners(std::vector<Finding>& findings, const detail::RuleContext& ctx,
                    const OwnerLookup& lookup, Diagnosis& out) {
  if (!lookup) return;
  std::vector<std::uint32_t> inodes;
  for (const auto& finding : findings) {
    detail::wanted_inodes(finding, ctx, ctx.input.owners_everywhere, inodes);
  }
  if (inodes.empty()) return;
  out.owner_lookups = inodes.size();
  auto owners = lookup(inodes);
  for (auto& finding : findings) detail::attach_owners(finding, ctx, owners);
}

std::vector<Listener> listeners_with_drops(const Observations& observations) {
  std::vector<Listener> out;
  for (const auto& listener : observations.listeners()) {
    if (listener.drops.value_or(0) > 0) out.push_back(listener);
  }
  return out;
}

}  // namespace

Diagnosis diagnose(const DiagnosisInput& input, const Thresholds& thresholds,
                   const OwnerLookup& lookup) {
  detail::RuleContext ctx{input, *input.census, *input.observations, *input.readings};
  Diagnosis out;
  std::vector<Finding> findings;
  for (const auto& rule : rule_infos()) {
    auto index = static_cast<std::size_t>(rule.id);
    auto measure = detail::rule_measure(rule.id, ctx);
    auto applied = applied_levels(rule.id, *input.readings, thresholds);
    out.measures[index] = measure;
    out.levels[index] = applied;
    if (applied.off) continue;
    auto severity = worse(measure ? severity_for(*measure, applied) : std::nullopt,
                          detail::rule_floor(rule.id, ctx));
    if (!severity) continue;
    Finding finding;
    finding.rule = rule.id;
    finding.severity = *severity;
    finding.value = measure.value_or(0);
    finding.levels = applied;
    detail::fill_evidence(finding, ctx);
    findings.push_back(std::move(finding));
  }
  look_up_owners(findings, ctx, lookup, out);
  for (auto& finding : findings) detail::compose_text(finding, ctx);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  out.findings = std::move(findings);
  out.listeners_with_drops = listeners_with_drops(*input.observations);
  auto busiest = input.observations->busiest_tuples(1);
  if (!busiest.empty()) out.busiest_port_use = busiest.front().used;
  return out;
}

}  // namespace sockkit
