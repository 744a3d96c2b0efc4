// Looking inside many network namespaces from one process. A netlink socket belongs to
// the namespace its creator was in when it was opened, so each worker thread enters a
// namespace (setns), opens its sockets there, reads, and goes back: no process is
// forked per namespace, and a bounded set of threads keeps several in flight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "sockkit/export.hpp"
#include "sockkit/netns_discovery.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class NetnsStatus : std::uint8_t {
  pending,
  counted,      // entered (or it was the caller's own): every reader works as usual
  via_proc,     // not enterable (no CAP_SYS_ADMIN): read from /proc/PID/net of a process in it
  vanished,     // gone before it could be opened (deleted, its last process exited)
  unreachable,  // not enterable and no readable process in it
  failed,       // the visit threw; the message is in WalkTally::first_failure
};

// How the visit reaches the namespace's tables.
enum class NetnsAccess : std::uint8_t {
  entered,     // the thread is inside: netlink, /proc/thread-self/net and /proc/sys are its
  proc_files,  // the thread is outside; proc_net_dir() points at /proc/PID/net
};

struct WalkTally {
  std::size_t counted = 0;
  std::size_t via_proc = 0;
  std::size_t vanished = 0;
  std::size_t unreachable = 0;
  std::size_t failed = 0;
  std::string first_failure;
};

struct WalkOptions {
  unsigned threads = 0;  // 0: one per CPU, at most 4
};

// Calls `visit(index, access)` once for each namespace that can be looked into, from a
// worker thread, concurrently for different indices; `statuses[i]` tells what happened
// to entries[i]. An exception from a visit fails that namespace only.
WalkTally walk_netns(std::span<const NetnsEntry> entries, std::span<NetnsStatus> statuses,
                     const WalkOptions& options,
                     const std::function<void(std::size_t, NetnsAccess)>& visit);

[[nodiscard]] std::string_view netns_status_name(NetnsStatus status);

}  // namespace sockkit

SOCKKIT_API_END
