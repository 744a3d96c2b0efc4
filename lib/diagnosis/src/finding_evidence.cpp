// The evidence each finding shows, picked from the sample's observations: counts, ports,
// peers, listeners, destinations, the kernel's counters and limits, and the processes
// behind the sockets.
#include <algorithm>
#include <map>
#include <tuple>

#include "rule_steps.hpp"

namespace sockkit::detail {
namespace {

template <typename Row, typename Less>
void keep_largest(std::vector<Row>& rows, Less less) {
  auto keep = std::min(kTopEvidence, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(),
                    less);
  rows.resize(keep);
}

std::vector<CountedPort> top_ports(const StateProfile& profile) {
  std::vector<CountedPort> rows;
  for (const auto& [port, sockets] : profile.local_ports) rows.push_back({port, sockets});
  keep_largest(rows, [](const CountedPort& a, const CountedPort& b) {
    return a.sockets != b.sockets ? a.sockets > b.sockets : a.port < b.port;
  });
  return rows;
}

bool peer_less(const PeerKey& a, const PeerKey& b) {
  if (a.family != b.family) return a.family < b.family;
  if (a.address != b.address) return a.address < b.address;
  return a.port < b.port;
}

std::vector<CountedPeer> top_peers(const StateProfile& profile) {
  std::vector<std::pair<PeerKey, std::uint64_t>> rows(profile.peers.begin(), profile.peers.end());
  keep_largest(rows, [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : peer_less(a.first, b.first);
  });
  std::vector<CountedPeer> out;
  for (const auto& [key, sockets] : rows) {
    std::optional<std::uint16_t> port;
    if (key.port != 0) port = key.port;
    out.push_back({key.ip(), port, sockets});
  }
  return out;
}

void add_limit(Evidence& evidence, std::string_view name, std::optional<std::int64_t> value) {
  if (value) evidence.limits.push_back({name, *value});
}

void add_limits(RuleId id, const KernelReadings& kernel, Evidence& evidence) {
  const auto& s = kernel.sysctls;
  switch (id) {
    case RuleId::time_wait:
      add_limit(evidence, "tcp_max_tw_buckets", s.tcp_max_tw_buckets);
      add_limit(evidence, "tcp_tw_reuse", s.tcp_tw_reuse);
      break;
    case RuleId::port_exhaustion:
      if (s.ip_local_port_range) {
        add_limit(evidence, "ip_local_port_range_first", s.ip_local_port_range->first);
        add_limit(evidence, "ip_local_port_range_last", s.ip_local_port_range->last);
      }
      add_limit(evidence, "tcp_tw_reuse", s.tcp_tw_reuse);
      break;
    case RuleId::fin_wait2: add_limit(evidence, "tcp_fin_timeout", s.tcp_fin_timeout); break;
    case RuleId::syn_recv:
      add_limit(evidence, "tcp_max_syn_backlog", s.tcp_max_syn_backlog);
      add_limit(evidence, "somaxconn", s.somaxconn);
      add_limit(evidence, "tcp_syncookies", s.tcp_syncookies);
      break;
    case RuleId::accept_queue: add_limit(evidence, "somaxconn", s.somaxconn); break;
    case RuleId::orphans: add_limit(evidence, "tcp_max_orphans", s.tcp_max_orphans); break;
    case RuleId::tcp_memory:
      if (s.tcp_mem) {
        add_limit(evidence, "tcp_mem_low", static_cast<std::int64_t>((*s.tcp_mem)[0]));
        add_limit(evidence, "tcp_mem_pressure", static_cast<std::int64_t>((*s.tcp_mem)[1]));
        add_limit(evidence, "tcp_mem_high", static_cast<std::int64_t>((*s.tcp_mem)[2]));
      }
      break;
    default: break;
  }
}

void add_listeners(const RuleContext& ctx, Finding& finding) {
  auto& evidence = finding.evidence;
  for (const auto& seen : ctx.observations.listeners()) {
    ListenerEvidence listener{seen, std::nullopt, std::nullopt, {}};
    auto before = previous_drops(ctx, seen);
    if (before && seen.drops) listener.drops_delta = std::int64_t{*seen.drops} - *before;
    evidence.listeners.push_back(std::move(listener));
  }
  // The listener that explains the finding comes first: when the measure fired, the
  // fullest queue it counted (2 or more waiting); otherwise the one whose drops rose
  // since the last sample, then the one that dropped the most.
  bool queue_fired = finding.levels.warn && finding.value >= *finding.levels.warn;
  auto rank = [queue_fired](const ListenerEvidence& l) {
    bool measured = l.queue >= 2 && l.backlog > 0;
    double fill = measured ? double(l.queue) / l.backlog : -1.0;
    auto delta = double(l.drops_delta.value_or(0));
    auto drops = double(l.drops.value_or(0));
    return queue_fired ? std::make_tuple(fill, delta, drops) : std::make_tuple(delta, drops, fill);
  };
  keep_largest(evidence.listeners, [&](const ListenerEvidence& a, const ListenerEvidence& b) {
    auto ra = rank(a), rb = rank(b);
    return ra != rb ? ra > rb : a.port < b.port;
  });
  evidence.sockets = evidence.listeners.size();
}

void add_tuples(const RuleContext& ctx, Evidence& evidence) {
  auto range = ctx.observations.ephemeral_range();
  if (!range) return;
  for (const auto& tuple : ctx.observations.busiest_tuples(3)) {
    evidence.tuples.push_back({tuple.local_address, tuple.address, tuple.port, tuple.used,
                               tuple.time_wait, range->count()});
  }
  if (!evidence.tuples.empty()) evidence.sockets = evidence.tuples.front().used;
}

std::optional<double> rate_of(RuleId id, const RuleContext& ctx, double value) {
  const auto* previous = ctx.input.previous;
  if (previous == nullptr || ctx.input.interval_s <= 0) return std::nullopt;
  const auto& before = previous->measures[static_cast<std::size_t>(id)];
  if (!before) return std::nullopt;
  return (value - *before) / ctx.input.interval_s;
}

}  // namespace

void fill_evidence(Finding& finding, const RuleContext& ctx) {
  auto& evidence = finding.evidence;
  const auto& rule = rule_info(finding.rule);
  if (rule.state) {
    evidence.sockets = state_count(ctx, *rule.state);
    const auto& profile = ctx.observations.profile(*rule.state);
    evidence.local_ports = top_ports(profile);
    evidence.peers = top_peers(profile);
  }
  if (finding.rule == RuleId::accept_queue) add_listeners(ctx, finding);
  if (finding.rule == RuleId::port_exhaustion || finding.rule == RuleId::time_wait) {
    add_tuples(ctx, evidence);
  }
  if (finding.rule == RuleId::time_wait) evidence.sockets = state_count(ctx, TcpState::time_wait);
  if (finding.rule == RuleId::orphans) evidence.sockets = ctx.kernel.sockstat.tcp_orphan;
  for (const auto& counter : rule_counters(finding.rule)) {
    // A counter this kernel does not have is left out rather than shown as 0.
    if (ctx.kernel.counters.get(counter.section, counter.name)) {
      evidence.counters.push_back(read_counter(ctx, counter));
    }
  }
  add_limits(finding.rule, ctx.kernel, evidence);
  evidence.rate_per_s = rate_of(finding.rule, ctx, finding.value);
}

namespace {

bool needs_owner(RuleId id) {
  return id == RuleId::close_wait || id == RuleId::syn_sent || id == RuleId::accept_queue ||
         id == RuleId::port_exhaustion;
}

}  // namespace

void wanted_inodes(const Finding& finding, const RuleContext& ctx, bool everywhere,
                   std::vector<std::uint32_t>& out) {
  if (!needs_owner(finding.rule) && !everywhere) return;
  const auto& rule = rule_info(finding.rule);
  if (rule.state) {
    const auto& inodes = ctx.observations.profile(*rule.state).inodes;
    out.insert(out.end(), inodes.begin(), inodes.end());
  }
  if (finding.rule == RuleId::accept_queue) {
    for (const auto& listener : ctx.observations.listeners()) {
      if (listener.inode != 0) out.push_back(listener.inode);
    }
  }
  if (finding.rule == RuleId::port_exhaustion) {
    auto busiest = ctx.observations.busiest_tuples(1);
    if (!busiest.empty() && busiest.front().sample_inode != 0) {
      out.push_back(busiest.front().sample_inode);
    }
  }
}

namespace {

void count_owners(std::span<const std::uint32_t> inodes, const ProcessMap& owners,
                  std::vector<CountedProcess>& out) {
  std::map<int, std::uint64_t> by_pid;
  for (auto inode : inodes) {
    if (const auto* owner = owners.owner(inode)) ++by_pid[owner->pid];
  }
  for (const auto& [pid, sockets] : by_pid) {
    out.push_back({pid, owners.process(pid)->command, sockets});
  }
  keep_largest(out, [](const CountedProcess& a, const CountedProcess& b) {
    return a.sockets != b.sockets ? a.sockets > b.sockets : a.pid < b.pid;
  });
}

}  // namespace

void attach_owners(Finding& finding, const RuleContext& ctx, const ProcessMap& owners) {
  auto& evidence = finding.evidence;
  const auto& rule = rule_info(finding.rule);
  if (rule.state)
    count_owners(ctx.observations.profile(*rule.state).inodes, owners, evidence.processes);
  for (auto& listener : evidence.listeners) {
    const auto* owner = listener.inode != 0 ? owners.owner(listener.inode) : nullptr;
    if (owner == nullptr) continue;
    listener.pid = owner->pid;
    listener.command = owner->command;
  }
  // The busiest destination's ports are mostly TIME_WAIT, which no process holds: name
  // the holder of one of its live connections, credited with the live ones only.
  if (finding.rule != RuleId::port_exhaustion) return;
  auto busiest = ctx.observations.busiest_tuples(1);
  if (busiest.empty()) return;
  if (const auto* owner = owners.owner(busiest.front().sample_inode)) {
    evidence.processes.push_back(
        {owner->pid, owner->command, busiest.front().used - busiest.front().time_wait});
  }
}

}  // namespace sockkit::detail
