// Taking one look at every network namespace of the host: find them, count each from a
// worker thread inside it, and add up the host-wide sums.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "diagnose.hpp"
#include "render.hpp"
#include "sockkit/netns_walk.hpp"
#include "sockkit/process_map.hpp"

namespace sk_states {

struct NetnsRun {
  sockkit::NetnsDiscovery discovery;
  std::vector<sockkit::NetnsStatus> statuses;  // one per discovery.namespaces entry
  std::vector<Sample> samples;                 // likewise; empty unless counted or via_proc
  sockkit::WalkTally tally;
  Sample total;  // the sums over every namespace seen, timed over the whole run

  [[nodiscard]] bool seen(std::size_t index) const {
    return statuses[index] == sockkit::NetnsStatus::counted ||
           statuses[index] == sockkit::NetnsStatus::via_proc;
  }
};

class NetnsSampler {
 public:
  // Reads the host-wide limits here, in the initial namespace, for every namespace's rules.
  explicit NetnsSampler(const Query& query);

  [[nodiscard]] NetnsRun take_counts(const Query& query);
  // --by: `merged` gets every namespace's groups (with the netns key, each its inode).
  [[nodiscard]] NetnsRun take_groups(const Query& query, sockkit::GroupCounter& merged,
                                     std::optional<sockkit::ProcessMap>& owners);
  [[nodiscard]] NetnsRun take_list(const Query& query, std::vector<ListedSocket>& sockets);

 private:
  // Finds the namespaces (and keeps one Diagnoser per namespace that still exists).
  [[nodiscard]] NetnsRun discover();
  // Looks into each: `visit(index, entry, query, sockstat)` on a worker thread inside it
  // returns its Sample (sockstat: the namespace's, read to skip empty ones; nullptr when
  // unreadable); then the sums.
  template <typename Visit>
  void walk(NetnsRun& run, const Query& query, const Visit& visit);

  std::optional<sockkit::NetSysctls> host_limits_;
  std::map<std::uint64_t, Diagnoser> diagnosers_;  // by inode: rates across --watch samples
  bool watching_ = false;
};

// Warnings about what the walk could not see (stderr, one line each).
void warn_about_walk(const NetnsRun& run);

}  // namespace sk_states
