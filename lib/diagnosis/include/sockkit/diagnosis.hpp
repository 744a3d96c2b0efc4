// The diagnosis: the rules of findings.hpp applied to one sample of the sockets (a
// census and the observations gathered with it) and the kernel's counters, limits and
// totals. Pure over its inputs except for the owner lookup, which the caller passes in
// (sk-states scans /proc; the tests scan their own processes).
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "sockkit/census.hpp"
#include "sockkit/export.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/kernel_counters.hpp"
#include "sockkit/observations.hpp"
#include "sockkit/process_map.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// The kernel's side of one sample.
struct KernelReadings {
  CounterSet counters;  // /proc/net/netstat and snmp of the namespace
  SockStat sockstat;
  NetSysctls sysctls;  // the namespace's; host-wide limits may be filled from outside
};

// Reads counters, sockstat and sysctls of the calling thread's namespace. Host-wide
// limits (tcp_max_orphans, tcp_mem) exist only in the initial namespace: a caller that
// enters another one reads them first with read_net_sysctls() and keeps them with
// keep_host_limits().
[[nodiscard]] KernelReadings read_kernel_readings();
void keep_host_limits(KernelReadings& readings, const NetSysctls& host);

struct Diagnosis {
  std::vector<Finding> findings;  // critical first, then warning, then info; rule order within
  // Every rule's measure; nullopt when it could not be taken (a limit the kernel hides).
  std::array<std::optional<double>, kRuleCount> measures{};
  std::array<Levels, kRuleCount> levels{};     // as applied
  std::vector<Listener> listeners_with_drops;  // for the next sample's deltas
  std::uint64_t busiest_port_use = 0;          // ephemeral ports toward the busiest destination
  std::size_t owner_lookups = 0;               // inodes looked up (0: /proc was not scanned)
};

struct DiagnosisInput {
  const Census* census = nullptr;
  const Observations* observations = nullptr;
  const KernelReadings* readings = nullptr;
  // --watch: the previous sample, for rates and counter deltas; interval in seconds.
  const Diagnosis* previous = nullptr;
  const KernelReadings* previous_readings = nullptr;
  double interval_s = 0;
  // -p: name processes in every finding, not only in those that need an owner.
  bool owners_everywhere = false;
};

// Scans for the holders of the given socket inodes (ProcessMap::scan in sk-states).
using OwnerLookup = std::function<ProcessMap(std::span<const std::uint32_t>)>;

// A rule's levels on this host before the user's overrides.
[[nodiscard]] Levels default_levels(RuleId id, const KernelReadings& readings);
// The defaults with the user's overrides on top.
[[nodiscard]] Levels applied_levels(RuleId id, const KernelReadings& readings,
                                    const Thresholds& thresholds);

// Applies every rule. `lookup` may be empty: findings then name no processes.
[[nodiscard]] Diagnosis diagnose(const DiagnosisInput& input, const Thresholds& thresholds,
                                 const OwnerLookup& lookup);

}  // namespace sockkit

SOCKKIT_API_END
