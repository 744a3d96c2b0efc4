// Which processes hold a socket: the inode a socket record carries (sock_diag or
// /proc/net) mapped to pid, descriptor and command, the way `ss -p` does it, by reading
// the links "socket:[INODE]" in /proc/PID/fd. Only the inodes asked for are kept, and
// only their holders' comm and status are read: `ss -p` builds the whole table, which is
// what makes `ss -tanp` several times slower than `ss -tan`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// A process that holds at least one of the sockets asked for.
struct ProcessInfo {
  int pid = 0;
  std::string command;    // /proc/PID/comm without its newline (the kernel keeps 15 bytes)
  std::uint32_t uid = 0;  // effective uid (second "Uid:" field of status), the user ps shows
};

// One descriptor that refers to a socket. A socket has several after fork() or dup().
struct SocketOwner {
  std::uint32_t inode = 0;
  int pid = 0;
  int fd = 0;
};

// Which holders of each wanted socket a scan must find.
enum class Holders : std::uint8_t {
  // Every descriptor in every process, as `ss -p` lists them: the whole of /proc is read.
  every,
  // Only the lowest pid holding it, the one owner() names (a diagnosis that credits each
  // socket to one process needs no more). Processes are read in pid order and the scan
  // stops once every wanted socket has a holder, so it reads only part of /proc.
  lowest,
};

class ProcessMap {
 public:
  // An empty map: what a caller holds when nobody asked for processes.
  ProcessMap() = default;

  // Reads <proc_root()>/PID/fd of every process and keeps the descriptors whose socket
  // is one of `wanted_inodes` (any order, duplicates allowed; empty: nothing is read).
  // Processes that exit during the scan are left out silently; those whose fd directory
  // we may not open are counted in unreadable_processes(). Throws std::system_error
  // naming the path when the root cannot be listed or descriptors run out.
  // Not atomic: a descriptor opened or closed during the scan may be missed or kept.
  [[nodiscard]] static ProcessMap scan(std::span<const std::uint32_t> wanted_inodes);
  // The same with Holders::lowest: owner() gives the same answer as the full scan, while
  // owners() lists only that process's descriptors and process() knows only such owners;
  // unreadable_processes() counts those below the highest owner (all of them when some
  // wanted socket has no holder, since then every process was read).
  [[nodiscard]] static ProcessMap scan(std::span<const std::uint32_t> wanted_inodes,
                                       Holders holders);

  // Every socket descriptor of every process: one walk that answers any later question
  // about any socket, which is what many small questions (one per network namespace)
  // cost less as.
  [[nodiscard]] static ProcessMap scan_every_socket();

  // The holder with the lowest pid, or nullptr when no readable process holds it.
  [[nodiscard]] const ProcessInfo* owner(std::uint32_t inode) const;
  // Every descriptor on the socket, by pid then fd; empty when none.
  [[nodiscard]] std::span<const SocketOwner> owners(std::uint32_t inode) const;
  // A process that holds a wanted socket; nullptr for any other pid.
  [[nodiscard]] const ProcessInfo* process(int pid) const;
  // Processes whose /proc/PID/fd was closed to us (EACCES): other users' processes need
  // root or CAP_SYS_PTRACE. Callers say so once rather than show a silent gap.
  [[nodiscard]] std::size_t unreadable_processes() const { return unreadable_; }

 private:
  [[nodiscard]] static ProcessMap scan_sockets(std::span<const std::uint32_t> wanted,
                                               Holders holders, bool every_socket);

  std::vector<SocketOwner> owners_;     // sorted by inode, pid, fd
  std::vector<ProcessInfo> processes_;  // sorted by pid
  std::size_t unreadable_ = 0;
};

// The inode in a /proc/PID/fd link "socket:[12345]"; nullopt for any other target
// (files, pipes, "anon_inode:[eventfd]") and for malformed or out-of-range numbers.
[[nodiscard]] std::optional<std::uint32_t> parse_socket_link(std::string_view link);

}  // namespace sockkit

SOCKKIT_API_END
