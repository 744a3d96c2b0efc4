#include "sockkit/process_map.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <stdexcept>
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

// What one scan accumulates; the buffers live on the stack of scan().
struct Scan {
  int root_fd = -1;
  std::string_view root;
  std::span<const std::uint32_t> wanted;  // sorted, unique
  DirBuffer* fd_buffer = nullptr;
  std::vector<SocketOwner> owners;
  std::vector<ProcessInfo> processes;
  std::size_t unreadable = 0;
};

// Reads comm and status of a process that holds a wanted socket. False when it vanished.
bool read_process(Scan& scan, std::string_view pid_name, ProcessInfo& info) {
  std::array<char, 32> path{};
  std::array<char, 4096> text{};  // status is about 1.5 KiB; Uid is in its first lines
  fmt::format_to_n(path.data(), path.size() - 1, "{}/comm", pid_name);
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
  fmt::format_to_n(path.data(), path.size() - 1, "{}/status", pid_name);
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

void scan_process(Scan& scan, std::string_view pid_name, int pid) {
  std::array<char, 32> path{};  // "<pid>/fd", relative to the root
  fmt::format_to_n(path.data(), path.size() - 1, "{}/fd", pid_name);
  Fd dir(::openat(scan.root_fd, path.data(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    if (vanished(errno) || errno == ENOTDIR) return;
    if (errno == EACCES || errno == EPERM) {
      ++scan.unreadable;
      return;
    }
    throw_errno(fmt::format("cannot open {}/{}", scan.root, path.data()));
  }

  const std::size_t first = scan.owners.size();
  bool denied = false;
  DirLister fds(dir.get(), *scan.fd_buffer);
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
    if (!inode || !std::binary_search(scan.wanted.begin(), scan.wanted.end(), *inode)) continue;
    scan.owners.push_back({*inode, pid, static_cast<int>(fd)});
  }
  if (fds.error() != 0) {
    scan.owners.resize(first);
    if (vanished(fds.error())) return;
    throw_errno(fds.error(), fmt::format("cannot list {}/{}", scan.root, path.data()));
  }
  if (denied) ++scan.unreadable;
  if (scan.owners.size() == first) return;

  ProcessInfo info;
  info.pid = pid;
  if (!read_process(scan, pid_name, info)) {
    scan.owners.resize(first);  // it exited: its descriptors are closed by now
    return;
  }
  scan.processes.push_back(std::move(info));
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
  ProcessMap map;
  if (wanted_inodes.empty()) return map;
  std::vector<std::uint32_t> wanted(wanted_inodes.begin(), wanted_inodes.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  const std::string root = proc_root();
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_errno(fmt::format("cannot open {}", root));

  DirBuffer pid_buffer;
  DirBuffer fd_buffer;
  Scan state;
  state.root_fd = root_fd.get();
  state.root = root;
  state.wanted = wanted;
  state.fd_buffer = &fd_buffer;
  DirLister pids(root_fd.get(), pid_buffer);
  std::string_view name;
  while (pids.next(name)) {
    std::uint64_t pid = 0;
    // Only numeric entries are processes (threads are not listed; "self", "net" etc. skip).
    if (!parse_decimal(name, INT_MAX, pid) || pid == 0) continue;
    scan_process(state, name, static_cast<int>(pid));
  }
  if (pids.error() != 0) throw_errno(pids.error(), fmt::format("cannot list {}", root));

  std::sort(state.owners.begin(), state.owners.end(), [](const auto& a, const auto& b) {
    return std::tie(a.inode, a.pid, a.fd) < std::tie(b.inode, b.pid, b.fd);
  });
  std::sort(state.processes.begin(), state.processes.end(),
            [](const auto& a, const auto& b) { return a.pid < b.pid; });
  map.owners_ = std::move(state.owners);
  map.processes_ = std::move(state.processes);
  map.unreadable_ = state.unreadable;
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
