#include "sockkit/netns_walk.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sockkit/netns.hpp"
#include "sockkit/proc_net.hpp"

namespace sockkit {

namespace {

// A process in the namespace whose /proc/PID/net we may read: without CAP_SYS_ADMIN
// that is the only view of a namespace we cannot enter.
std::string readable_proc_net(const NetnsEntry& entry) {
  const auto root = proc_root();
  for (int pid : {entry.pid, entry.last_pid}) {
    if (pid == 0) continue;
    // The pid may have been reused by a process elsewhere since the namespace was found.
    struct stat st {};
    auto ns = fmt::format("{}/{}/ns/net", root, pid);
    if (::stat(ns.c_str(), &st) != 0 || st.st_ino != entry.inode) continue;
    auto dir = fmt::format("{}/{}/net", root, pid);
    if (::access((dir + "/tcp").c_str(), R_OK) == 0) return dir;
  }
  return {};
}

class Worker {
 public:
  Worker(std::span<const NetnsEntry> entries, std::span<NetnsStatus> statuses,
         const std::function<void(std::size_t, NetnsAccess)>& visit, std::atomic<std::size_t>& next,
         WalkTally& tally, std::mutex& tally_mutex)
      : entries_(entries),
        statuses_(statuses),
        visit_(visit),
        next_(next),
        tally_(tally),
        tally_mutex_(tally_mutex) {}

  // Nothing may leave a thread: an escaping exception would end the process.
  void run() noexcept {
    try {
      home_ = Fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      home_inode_ = home_ ? netns_inode(home_) : 0;
      for (auto i = next_++; i < entries_.size() && !stranded_; i = next_++) {
        statuses_[i] = look(i);
      }
    } catch (...) {
      // What is left pending is picked up by the other workers or stays pending.
    }
  }

 private:
  NetnsStatus look(std::size_t index) {
    const auto& entry = entries_[index];
    try {
      if (entry.inode == home_inode_) return visit(index, NetnsAccess::entered);
      bool refused = false;
      Fd ns = reopen_netns(entry, &refused);
      if (!ns && !refused) return NetnsStatus::vanished;
      if (ns && ::setns(ns.get(), CLONE_NEWNET) == 0) {
        auto status = visit(index, NetnsAccess::entered);
        go_home();
        return status;
      }
      // Not ours to enter (no CAP_SYS_ADMIN over it): its processes may still show it.
      auto dir = readable_proc_net(entry);
      if (dir.empty()) return NetnsStatus::unreachable;
      ProcNetDirOverride view(dir);
      auto status = visit(index, NetnsAccess::proc_files);
      return status == NetnsStatus::counted ? NetnsStatus::via_proc : status;
    } catch (const std::exception& e) {
      go_home();
      std::lock_guard lock(tally_mutex_);
      if (tally_.first_failure.empty()) {
        tally_.first_failure = fmt::format("network namespace {}: {}", entry.inode, e.what());
      }
      return NetnsStatus::failed;
    } catch (...) {
      go_home();
      return NetnsStatus::failed;
    }
  }

  NetnsStatus visit(std::size_t index, NetnsAccess access) {
    visit_(index, access);
    return NetnsStatus::counted;
  }

  // Going back should not fail while we hold the descriptor of where we came from; if
  // it does, this thread is somewhere else and takes no more namespaces.
  void go_home() noexcept {
    if (!home_ || ::setns(home_.get(), CLONE_NEWNET) != 0) stranded_ = true;
  }

  std::span<const NetnsEntry> entries_;
  std::span<NetnsStatus> statuses_;
  const std::function<void(std::size_t, NetnsAccess)>& visit_;
  std::atomic<std::size_t>& next_;
  WalkTally& tally_;
  std::mutex& tally_mutex_;
  Fd home_;
  std::uint64_t home_inode_ = 0;
  bool stranded_ = false;
};

unsigned thread_count(const WalkOptions& options, std::size_t entries) {
  unsigned wanted = options.threads;
  if (wanted == 0) wanted = std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
  return static_cast<unsigned>(std::min<std::size_t>(wanted, std::max<std::size_t>(entries, 1)));
}

}  // namespace

WalkTally walk_netns(std::span<const NetnsEntry> entries, std::span<NetnsStatus> statuses,
                     const WalkOptions& options,
                     const std::function<void(std::size_t, NetnsAccess)>& visit) {
  WalkTally tally;
  std::mutex tally_mutex;
  std::atomic<std::size_t> next{0};
  std::fill(statuses.begin(), statuses.end(), NetnsStatus::pending);
  {
    std::vector<std::jthread> threads;
    auto count = thread_count(options, entries.size());
    threads.reserve(count);
    for (unsigned t = 0; t < count; ++t) {
      try {
        threads.emplace_back(
            [&] { Worker(entries, statuses, visit, next, tally, tally_mutex).run(); });
      } catch (const std::system_error&) {
        break;  // out of threads: those started share the work
      }
    }
    if (threads.empty()) Worker(entries, statuses, visit, next, tally, tally_mutex).run();
  }
  for (auto status : statuses) {
    switch (status) {
      case NetnsStatus::counted: ++tally.counted; break;
      case NetnsStatus::via_proc: ++tally.via_proc; break;
      case NetnsStatus::vanished: ++tally.vanished; break;
      case NetnsStatus::unreachable: ++tally.unreachable; break;
      case NetnsStatus::failed: ++tally.failed; break;
      case NetnsStatus::pending: break;
    }
  }
  return tally;
}

std::string_view netns_status_name(NetnsStatus status) {
  switch (status) {
    case NetnsStatus::pending: return "pending";
    case NetnsStatus::counted: return "counted";
    case NetnsStatus::via_proc: return "via_proc";
    case NetnsStatus::vanished: return "vanished";
    case NetnsStatus::unreachable: return "unreachable";
    case NetnsStatus::failed: return "failed";
  }
  return "pending";
}

}  // namespace sockkit
