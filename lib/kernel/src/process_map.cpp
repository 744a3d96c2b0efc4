#include "sockkit/process_map.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/proc_net.hpp"

namespace sockkit {

namespace {

// One getdents64 call returns as many records as fit: 32 KiB is about 1,300 descriptors.
using DirBuffer = std::array<std::byte, 32 * 1024>;

// A whole string of decimal digits no greater than `max`.
bool parse_decimal(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty() || text.size() > 10) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return false;
  out = value;
  return true;
}

// Lists a directory with getdents64 into a caller's buffer: unlike readdir, no DIR and
// no allocation per directory, which matters when every process's fd directory is read.
class DirLister {
 public:
  DirLister(int dir_fd, DirBuffer& buffer) : fd_(dir_fd), buffer_(buffer) {}

  // The next name (NUL-terminated in the buffer, so it can be passed to *at calls), or
  // false at the end or on an error, which error() then holds.
  bool next(std::string_view& name) {
    while (true) {
      if (pos_ >= end_) {
        ssize_t got = ::getdents64(fd_, buffer_.data(), buffer_.size());
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          error_ = got < 0 ? errno : 0;
          return false;
        }
        pos_ = 0;
        end_ = static_cast<std::size_t>(got);
      }
      const std::byte* record = buffer_.data() + pos_;
      unsigned short length = 0;
      std::memcpy(&length, record + offsetof(struct dirent64, d_reclen), sizeof length);
      if (length == 0 || pos_ + length > end_) {  // never from the kernel; don't loop on it
        error_ = EIO;
        return false;
      }
      pos_ += length;
      const auto* text = reinterpret_cast<const char*>(record + offsetof(struct dirent64, d_name));
      name = std::string_view(text, ::strnlen(text, length - offsetof(struct dirent64, d_name)));
      if (name != "." && name != "..") return true;
    }
  }
  [[nodiscard]] int error() const { return error_; }

 private:
  int fd_;
  DirBuffer& buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  int error_ = 0;
};

// The process is gone (or its pid already reused and gone again): not an error.
bool vanished(int err) {
  return err == ENOENT || err == ESRCH;
}

// Reads a small /proc file into `buffer`; its size, or -1 with errno set.
ssize_t read_small(int root_fd, const char* path, std::span<char> buffer) {
  Fd file(::openat(root_fd, path, O_RDONLY | O_CLOEXEC));
  if (!file) return -1;
  std::size_t used = 0;
  while (used < buffer.size()) {
    ssize_t got = ::read(file.get(), buffer.data() + used, buffer.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  return static_cast<ssize_t>(used);
}

// The effective uid from the status line "Uid:\t<real>\t<effective>\t<saved>\t<fs>".
bool parse_status_uid(std::string_view status, std::uint32_t& uid) {
  auto at = status.starts_with("Uid:") ? 0 : status.find("\nUid:");
  if (at == std::string_view::npos) return false;
  auto line = status.substr(at + (status[at] == '\n' ? 5 : 4));
  line = line.substr(0, line.find('\n'));
  std::uint64_t value = 0;
  for (int field = 0; field < 2; ++field) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    line = line.substr(start);
    auto end = std::min(line.find_first_of(" \t"), line.size());
    if (field == 1) {
      if (!parse_decimal(line.substr(0, end), UINT32_MAX, value)) return false;
    }
    line = line.substr(end);
  }
  uid = static_cast<std::uint32_t>(value);
  return true;
}

// What every worker of one scan reads and shares.
struct Shared {
  int root_fd = -1;
  std::string_view root;
  std::span<const std::uint32_t> wanted;  // sorted, unique
  bool every_socket = false;              // keep every socket, not only the wanted
  std::span<const int> pids;              // ascending
  Holders holders = Holders::every;
  std::atomic<std::size_t> next{0};  // the first pid no worker has claimed yet
  std::atomic<bool> failed{false};   // a worker threw: the others stop at their next batch
  // Holders::lowest: which wanted sockets (by index) have a holder, and how many lack one.
  std::unique_ptr<std::atomic<bool>[]> held;
  std::atomic<std::size_t> unheld{0};
};

// What a scan, or one worker's share of it, found.
struct Found {
  std::vector<SocketOwner> owners;
  std::vector<ProcessInfo> processes;
  std::vector<int> unreadable;  // pids: Holders::lowest counts only some of them
  std::exception_ptr error;     // what reading `error_pid` threw
  int error_pid = INT_MAX;
};

// Each worker has its own, so workers share nothing they write.
struct Worker {
  DirBuffer buffer;  // reused for every fd directory: no allocation per process
  Found found;
};

// Reads comm and status of a process that holds a wanted socket. False when it vanished.
bool read_process(const Shared& scan, int pid, ProcessInfo& info) {
  std::array<char, 32> path{};
  std::array<char, 4096> text{};  // status is about 1.5 KiB; Uid is in its first lines
  fmt::format_to_n(path.data(), path.size() - 1, "{}/comm", pid);
  ssize_t got = read_small(scan.root_fd, path.data(), std::span(text.data(), 64));
  if (got < 0) {
    if (vanished(errno)) return false;
    throw_errno(fmt::format("cannot read {}/{}", scan.root, path.data()));
  }
  std::string_view comm(text.data(), static_cast<std::size_t>(got));
  // Only the newline goes: a name set with prctl(PR_SET_NAME) may end in a space.
  if (comm.ends_with('\n')) comm.remove_suffix(1);
  info.command.assign(comm);

  path.fill('\0');
  fmt::format_to_n(path.data(), path.size() - 1, "{}/status", pid);
  got = read_small(scan.root_fd, path.data(), text);
  if (got < 0) {
    if (vanished(errno)) return false;
    throw_errno(fmt::format("cannot read {}/{}", scan.root, path.data()));
  }
  if (!parse_status_uid(std::string_view(text.data(), static_cast<std::size_t>(got)), info.uid)) {
    throw std::runtime_error(
        fmt::format("{}/{}: no \"Uid:\" line with a number", scan.root, path.data()));
  }
  return true;
}

// Holders::lowest: counts the sockets of a process that was read to the end.
void mark_held(Shared& scan, std::span<const SocketOwner> owners) {
  for (const auto& owner : owners) {
    auto at = std::lower_bound(scan.wanted.begin(), scan.wanted.end(), owner.inode);
    auto index = static_cast<std::size_t>(at - scan.wanted.begin());
    if (!scan.held[index].exchange(true, std::memory_order_relaxed)) {
      scan.unheld.fetch_sub(1, std::memory_order_relaxed);
    }
  }
}

void scan_process(Shared& scan, Worker& worker, int pid) {
  std::array<char, 32> path{};  // "<pid>/fd", relative to the root
  fmt::format_to_n(path.data(), path.size() - 1, "{}/fd", pid);
  Fd dir(::openat(scan.root_fd, path.data(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    if (vanished(errno) || errno == ENOTDIR) return;
    if (errno == EACCES || errno == EPERM) {
      worker.found.unreadable.push_back(pid);
      return;
    }
    throw_errno(fmt::format("cannot open {}/{}", scan.root, path.data()));
  }

  const std::size_t first = worker.found.owners.size();
  bool denied = false;
  DirLister fds(dir.get(), worker.buffer);
  std::string_view name;
  // Every descriptor is read: a wanted socket can sit behind any number of others.
  while (fds.next(name)) {
    std::uint64_t fd = 0;
    if (!parse_decimal(name, INT_MAX, fd)) continue;
    std::array<char, 32> link;  // "socket:[4294967295]" is 19 bytes
    ssize_t length = ::readlinkat(dir.get(), name.data(), link.data(), link.size());
    if (length < 0) {
      // Closed since it was listed (ENOENT), or the process changed hands (EACCES).
      if (errno == EACCES || errno == EPERM) denied = true;
      continue;
    }
    if (static_cast<std::size_t>(length) == link.size()) continue;  // longer than a socket's
    auto inode = parse_socket_link(std::string_view(link.data(), static_cast<std::size_t>(length)));
    if (!inode) continue;
    if (!scan.every_socket && !std::binary_search(scan.wanted.begin(), scan.wanted.end(), *inode))
      continue;
    worker.found.owners.push_back({*inode, pid, static_cast<int>(fd)});
  }
  if (fds.error() != 0) {
    worker.found.owners.resize(first);
    if (vanished(fds.error())) return;
    throw_errno(fds.error(), fmt::format("cannot list {}/{}", scan.root, path.data()));
  }
  if (denied) worker.found.unreadable.push_back(pid);
  if (worker.found.owners.size() == first) return;

  ProcessInfo info;
  info.pid = pid;
  bool alive = false;
  try {
    alive = read_process(scan, pid, info);
  } catch (...) {
    worker.found.owners.resize(first);  // no descriptor without its process
    throw;
  }
  if (!alive) {
    worker.found.owners.resize(first);  // it exited: its descriptors are closed by now
    return;
  }
  worker.found.processes.push_back(std::move(info));
  if (scan.holders == Holders::lowest)
    mark_held(scan, std::span(worker.found.owners).subspan(first));
}

// Claims pids a few at a time until none are left: processes differ a lot in how many
// descriptors they hold, so a fixed split would leave one worker idle. Never throws (it
// may run on a thread of its own); its first error is kept for scan() to rethrow.
// A failure stops the others only between batches: batches are claimed in pid order, so
// every pid below the failing one is still read, and the lowest failing pid is always
// found, whichever thread gets there first. For the same reason Holders::lowest may stop
// claiming once every wanted socket has a holder: all lower pids are already claimed.
void run_worker(Shared& scan, Worker& worker) noexcept {
  constexpr std::size_t batch = 8;
  while (!scan.failed.load(std::memory_order_relaxed) &&
         (scan.holders == Holders::every || scan.unheld.load(std::memory_order_relaxed) > 0)) {
    const std::size_t first = scan.next.fetch_add(batch, std::memory_order_relaxed);
    if (first >= scan.pids.size()) return;
    for (int pid : scan.pids.subspan(first, std::min(batch, scan.pids.size() - first))) {
      try {
        scan_process(scan, worker, pid);
      } catch (...) {
        worker.found.error = std::current_exception();
        worker.found.error_pid = pid;
        scan.failed.store(true, std::memory_order_relaxed);
        return;
      }
    }
  }
}

// The numeric entries of the root, ascending. Names with a leading zero are no pid's
// (and reading "012/fd" as pid 12 would be wrong): /proc never lists one.
std::vector<int> list_pids(int root_fd, std::string_view root) {
  auto buffer = std::make_unique<DirBuffer>();
  DirLister entries(root_fd, *buffer);
  std::vector<int> pids;
  std::string_view name;
  while (entries.next(name)) {
    std::uint64_t pid = 0;
    // Threads are not listed; "self", "net" and the like are skipped.
    if (name.starts_with('0') || !parse_decimal(name, INT_MAX, pid)) continue;
    pids.push_back(static_cast<int>(pid));
  }
  if (entries.error() != 0) throw_errno(entries.error(), fmt::format("cannot list {}", root));
  std::sort(pids.begin(), pids.end());
  return pids;
}

// How many workers share the walk. Almost all of its time is spent in the kernel
// resolving one /proc/PID/fd/N link per descriptor, and the links of different
// processes resolve independently, so the walk scales with the CPUs we may run on.
// Capped: beyond a few threads, start-up and the dcache's shared locks eat the gain.
std::size_t worker_count(std::size_t pids) {
  constexpr std::size_t most = 4;
  constexpr std::size_t pids_per_worker = 32;  // below that a thread costs more than it saves
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  std::size_t usable = 1;
  if (::sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
    usable = static_cast<std::size_t>(std::max(CPU_COUNT(&cpus), 1));
  }
  return std::clamp(std::min(usable, pids / pids_per_worker), std::size_t{1}, most);
}

// Runs `workers` over the pids: the calling thread is one of them. If a thread cannot
// be started the others simply claim its share.
void run_workers(Shared& shared, std::span<Worker> workers) {
  std::vector<std::jthread> threads;
  threads.reserve(workers.size() - 1);
  for (auto& worker : workers.subspan(1)) {
    try {
      threads.emplace_back([&shared, &worker] { run_worker(shared, worker); });
    } catch (const std::system_error&) {
      break;
    }
  }
  run_worker(shared, workers.front());
}  // the jthreads join here

// The workers' findings as one, in an order that does not depend on which worker read
// which process. Of their errors the one of the lowest pid is kept (that one, not
// whichever came first, so the same tree always gives the same error).
Found merge(std::span<Worker> workers) {
  Found all;
  for (auto& worker : workers) {
    auto& found = worker.found;
    if (found.error && found.error_pid < all.error_pid) {
      all.error = found.error;
      all.error_pid = found.error_pid;
    }
    all.owners.insert(all.owners.end(), found.owners.begin(), found.owners.end());
    std::move(found.processes.begin(), found.processes.end(), std::back_inserter(all.processes));
    all.unreadable.insert(all.unreadable.end(), found.unreadable.begin(), found.unreadable.end());
  }
  std::sort(all.owners.begin(), all.owners.end(), [](const auto& a, const auto& b) {
    return std::tie(a.inode, a.pid, a.fd) < std::tie(b.inode, b.pid, b.fd);
  });
  std::sort(all.processes.begin(), all.processes.end(),
            [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return all;
}

// Holders::lowest: keeps each socket's lowest holder and the processes that are one. The
// batches claimed just before the scan stopped may have found higher holders, unreadable
// processes or an error too; they go, so the result is what reading one pid after the
// other and stopping at the last holder needed would give, however far each thread got.
void keep_lowest(Found& found, std::size_t wanted) {
  auto& owners = found.owners;  // sorted by inode, pid, fd
  std::size_t kept = 0;
  std::size_t sockets = 0;
  int highest = 0;  // the highest lowest holder
  for (const auto& owner : owners) {
    const bool first = kept == 0 || owner.inode != owners[kept - 1].inode;
    if (first) {
      ++sockets;
      highest = std::max(highest, owner.pid);
    }
    if (first || owner.pid == owners[kept - 1].pid) owners[kept++] = owner;
  }
  owners.resize(kept);
  std::vector<int> owning;
  owning.reserve(owners.size());
  for (const auto& owner : owners) owning.push_back(owner.pid);
  std::sort(owning.begin(), owning.end());
  std::erase_if(found.processes, [&](const ProcessInfo& process) {
    return !std::binary_search(owning.begin(), owning.end(), process.pid);
  });
  // Every pid below the highest holder was read; when a socket has no holder, every pid.
  if (sockets == wanted) {
    std::erase_if(found.unreadable, [&](int pid) { return pid > highest; });
    if (found.error_pid > highest) found.error = nullptr;
  }
}

}  // namespace

std::optional<std::uint32_t> parse_socket_link(std::string_view link) {
  constexpr std::string_view prefix = "socket:[";
  if (!link.starts_with(prefix) || !link.ends_with(']')) return std::nullopt;
  std::uint64_t value = 0;
  if (!parse_decimal(link.substr(prefix.size(), link.size() - prefix.size() - 1), UINT32_MAX,
                     value)) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

ProcessMap ProcessMap::scan(std::span<const std::uint32_t> wanted_inodes) {
  return scan(wanted_inodes, Holders::every);
}

ProcessMap ProcessMap::scan(std::span<const std::uint32_t> wanted_inodes, Holders holders) {
  if (wanted_inodes.empty()) return {};
  return scan_sockets(wanted_inodes, holders, false);
}

ProcessMap ProcessMap::scan_every_socket() {
  return scan_sockets({}, Holders::every, true);
}

ProcessMap ProcessMap::scan_sockets(std::span<const std::uint32_t> wanted_inodes, Holders holders,
                                    bool every_socket) {
  ProcessMap map;
  std::vector<std::uint32_t> wanted(wanted_inodes.begin(), wanted_inodes.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  const std::string root = proc_root();
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_errno(fmt::format("cannot open {}", root));
  const std::vector<int> pids = list_pids(root_fd.get(), root);

  Shared shared;
  shared.root_fd = root_fd.get();
  shared.root = root;
  shared.wanted = wanted;
  shared.every_socket = every_socket;
  shared.pids = pids;
  shared.holders = holders;
  if (holders == Holders::lowest) {
    shared.held = std::make_unique<std::atomic<bool>[]>(wanted.size());
    shared.unheld = wanted.size();
  }
  std::vector<Worker> workers(worker_count(pids.size()));
  run_workers(shared, workers);
  auto found = merge(workers);
  if (holders == Holders::lowest) keep_lowest(found, wanted.size());
  if (found.error) std::rethrow_exception(found.error);
  map.owners_ = std::move(found.owners);
  map.processes_ = std::move(found.processes);
  map.unreadable_ = found.unreadable.size();
  return map;
}

std::span<const SocketOwner> ProcessMap::owners(std::uint32_t inode) const {
  auto [first, last] = std::equal_range(
      owners_.begin(), owners_.end(), SocketOwner{.inode = inode},
      [](const SocketOwner& a, const SocketOwner& b) { return a.inode < b.inode; });
  return {first, last};
}

const ProcessInfo* ProcessMap::owner(std::uint32_t inode) const {
  auto held = owners(inode);
  return held.empty() ? nullptr : process(held.front().pid);
}

const ProcessInfo* ProcessMap::process(int pid) const {
  auto it = std::lower_bound(processes_.begin(), processes_.end(), pid,
                             [](const ProcessInfo& info, int key) { return info.pid < key; });
  return it != processes_.end() && it->pid == pid ? &*it : nullptr;
}

}  // namespace sockkit
