#include "netns_sampling.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "sampling.hpp"
#include "sockkit/console.hpp"
#include "sockkit/kernel_counters.hpp"

namespace sk_states {

namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// The four ways one query is asked: in the host's namespace or another's (where the
// host-wide rules stay quiet: orphans and TCP memory are one pool for the whole host,
// judged once, in the host's row), entered or read from /proc/PID/net.
struct QueryVariants {
  Query host;
  Query guest;
  Query host_proc;
  Query guest_proc;

  explicit QueryVariants(const Query& query) : host(query), guest(query) {
    guest.thresholds.set_off(sockkit::RuleId::orphans);
    guest.thresholds.set_off(sockkit::RuleId::tcp_memory);
    host_proc = host;
    guest_proc = guest;
    host_proc.read.source = sockkit::SourceKind::proc;
    guest_proc.read.source = sockkit::SourceKind::proc;
  }

  [[nodiscard]] const Query& pick(const sockkit::NetnsEntry& entry,
                                  sockkit::NetnsAccess access) const {
    bool proc = access == sockkit::NetnsAccess::proc_files;
    if (entry.host) return proc ? host_proc : host;
    return proc ? guest_proc : guest;
  }
};

// The kernel's per-namespace socket counts (sockstat: inuse and TIME_WAIT) say when a
// namespace holds nothing to dump. That matters because a sock_diag dump walks the
// host-wide hash tables whatever the namespace: on a host with 262,144 established
// buckets each dump costs milliseconds even when it finds nothing, and reading sockstat
// costs microseconds. When sockstat cannot be read the dumps run to be sure.
std::optional<sockkit::SockStat> try_read_sockstat() {
  try {
    return sockkit::read_sockstat();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool holds_nothing(const Query& query, const sockkit::SockStat& stat) {
  bool tcp = query.read.tcp && stat.tcp_inuse + stat.tcp6_inuse + stat.tcp_tw > 0;
  bool udp = query.read.udp && stat.udp_inuse + stat.udp6_inuse > 0;
  return !tcp && !udp;
}

// The owners the findings name. The first namespace that asks gets a scan of /proc for
// its own sockets, which stops once each has a holder (usually one namespace asks, and
// that scan is all it costs). Should others ask too, one scan of every socket on the
// host answers them all: a scan per namespace would read every process's descriptors
// once for each.
class SharedOwners {
 public:
  sockkit::ProcessMap operator()(std::span<const std::uint32_t> inodes) {
    if (!asked_.exchange(true))
      return checked(sockkit::ProcessMap::scan(inodes, sockkit::Holders::lowest));
    std::call_once(once_, [this] { map_ = checked(sockkit::ProcessMap::scan_every_socket()); });
    return map_;
  }

 private:
  static sockkit::ProcessMap checked(sockkit::ProcessMap map) {
    if (map.unreadable_processes() > 0 && ::geteuid() != 0) {
      warn_unreadable(map.unreadable_processes());
    }
    return map;
  }

  std::atomic<bool> asked_{false};
  std::once_flag once_;
  sockkit::ProcessMap map_;
};

}  // namespace

NetnsSampler::NetnsSampler(const Query& query) : watching_(query.watch_seconds.has_value()) {
  if (query.findings) host_limits_ = sockkit::read_net_sysctls();
}

NetnsRun NetnsSampler::discover() {
  NetnsRun run;
  run.discovery = sockkit::discover_netns();
  const auto& entries = run.discovery.namespaces;
  run.statuses.resize(entries.size());
  run.samples.resize(entries.size());
  if (host_limits_) {
    // Built here, on this thread, so that the workers only ever touch their own element.
    std::map<std::uint64_t, Diagnoser> kept;
    for (const auto& entry : entries) {
      auto node = diagnosers_.extract(entry.inode);
      if (node) {
        kept.insert(std::move(node));
      } else {
        kept.try_emplace(entry.inode, *host_limits_).first->second.keep_history(watching_);
      }
    }
    diagnosers_ = std::move(kept);  // namespaces that went away take their history along
  }
  return run;
}

template <typename Visit>
void NetnsSampler::walk(NetnsRun& run, const Query& query, const Visit& visit) {
  auto start = std::chrono::steady_clock::now();
  const auto& entries = run.discovery.namespaces;
  const QueryVariants variants(query);
  run.tally = sockkit::walk_netns(
      entries, run.statuses, {}, [&](std::size_t index, sockkit::NetnsAccess access) {
        const auto& entry = entries[index];
        const auto& asked = variants.pick(entry, access);
        auto stat = try_read_sockstat();
        if (stat && holds_nothing(asked, *stat)) {
          run.samples[index].report.source =
              asked.read.source.value_or(sockkit::SourceKind::netlink);
          return;
        }
        run.samples[index] = visit(index, entry, asked, stat ? &*stat : nullptr);
      });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!run.seen(i)) continue;
    run.total.census += run.samples[i].census;
    run.total.report.merge(run.samples[i].report);
  }
  run.total.walk = WalkSummary{entries.size(), run.tally};
  run.total.duration_ms = elapsed_ms(start);
}

NetnsRun NetnsSampler::take_counts(const Query& query) {
  auto start = std::chrono::steady_clock::now();
  auto run = discover();
  SharedOwners shared;
  const sockkit::OwnerLookup owners = [&](std::span<const std::uint32_t> inodes) {
    return shared(inodes);
  };
  walk(run, query,
       [&](std::size_t, const sockkit::NetnsEntry& entry, const Query& asked,
           const sockkit::SockStat* sockstat) {
         if (!host_limits_) return take_census(asked, nullptr);
         auto sample = diagnosers_.at(entry.inode).take(asked, &owners, sockstat);
         if (sample.kernel) keep_shown_counters(*sample.kernel);
         return sample;
       });
  run.total.duration_ms = elapsed_ms(start);
  return run;
}

NetnsRun NetnsSampler::take_groups(const Query& query, sockkit::GroupCounter& merged,
                                   std::optional<sockkit::ProcessMap>& owners) {
  auto start = std::chrono::steady_clock::now();
  auto run = discover();
  const auto count = run.discovery.namespaces.size();
  if (!query.processes) {
    std::vector<sockkit::GroupCounter> counters(count, sockkit::GroupCounter(query.group_keys));
    walk(run, query,
         [&](std::size_t index, const sockkit::NetnsEntry& entry, const Query& asked,
             const sockkit::SockStat*) {
           return take_census(asked, &counters[index], entry.inode);
         });
    // A namespace that failed halfway leaves out what it had counted, as the sums do.
    for (std::size_t i = 0; i < count; ++i) {
      if (run.seen(i)) merged.merge(counters[i]);
    }
  } else {
    // Socket inodes are unique host-wide, so one walk of /proc names every owner.
    std::vector<std::vector<sockkit::SocketRecord>> records(count);
    walk(run, query,
         [&](std::size_t index, const sockkit::NetnsEntry&, const Query& asked,
             const sockkit::SockStat*) { return take_records(asked, records[index]); });
    std::vector<std::uint32_t> inodes;
    for (std::size_t i = 0; i < count; ++i) {
      if (!run.seen(i)) records[i].clear();
      for (const auto& record : records[i]) inodes.push_back(record.inode);
    }
    owners = scan_owners(inodes, sockkit::Holders::lowest);
    for (std::size_t i = 0; i < count; ++i) {
      for (const auto& record : records[i]) {
        const auto* owner = owners->owner(record.inode);
        merged.add(record, owner != nullptr ? owner->pid : 0, run.discovery.namespaces[i].inode);
      }
    }
  }
  run.total.duration_ms = elapsed_ms(start);
  return run;
}

NetnsRun NetnsSampler::take_list(const Query& query, std::vector<ListedSocket>& sockets) {
  auto start = std::chrono::steady_clock::now();
  auto run = discover();
  std::vector<std::vector<ListedSocket>> lists(run.discovery.namespaces.size());
  walk(run, query,
       [&](std::size_t index, const sockkit::NetnsEntry& entry, const Query& asked,
           const sockkit::SockStat*) {
         return sk_states::take_list(asked, lists[index], entry.inode);
       });
  for (std::size_t i = 0; i < lists.size(); ++i) {
    if (run.seen(i)) sockets.insert(sockets.end(), lists[i].begin(), lists[i].end());
  }
  run.total.duration_ms = elapsed_ms(start);
  return run;
}

void warn_about_walk(const NetnsRun& run) {
  const auto& tally = run.tally;
  auto warn = [](const std::string& text) { sockkit::cli::print_warning("sk-states", text); };
  if (!tally.first_failure.empty()) {
    warn(fmt::format("network namespaces that could not be read: {}; the first: {}", tally.failed,
                     tally.first_failure));
  }
  if (tally.unreachable > 0) {
    warn(fmt::format(
        "network namespaces not seen: {} (entering them needs CAP_SYS_ADMIN, and no process in "
        "them is readable here; run as root to count them)",
        tally.unreachable));
  }
  if (tally.via_proc > 0) {
    warn(
        fmt::format("{} network namespaces were read from /proc/PID/net without CAP_SYS_ADMIN "
                    "(their findings use the host's sysctls)",
                    tally.via_proc));
  }
  if (run.discovery.unreadable_processes > 0 && ::geteuid() != 0) {
    warn(
        fmt::format("{} processes of other users could not be read, so namespaces held only by "
                    "them are missing; run as root (or with CAP_SYS_PTRACE) to find them",
                    run.discovery.unreadable_processes));
  }
}

}  // namespace sk_states
