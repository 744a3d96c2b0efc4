// /proc/net/tcp, tcp6, udp and udp6: the fallback when netlink is refused, and a
// second opinion on request. Parsed line by line from a fixed buffer into the same
// SocketRecord the netlink reader produces, so everything downstream is shared.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/sock_diag.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// The /proc root: $SOCKKIT_PROC_ROOT if set (tests replay recorded files), else /proc.
[[nodiscard]] std::string proc_root();

// The calling thread's /proc/net: <root>/net under $SOCKKIT_PROC_ROOT, else
// /proc/thread-self/net (a thread that entered a namespace sees that namespace's
// tables there, where /proc/net would show the process's), or what a
// ProcNetDirOverride on this thread says.
[[nodiscard]] std::string proc_net_dir();

// Points this thread's proc_net_dir() at another directory (/proc/PID/net: a namespace
// seen from outside) for the scope's lifetime.
class ProcNetDirOverride {
 public:
  explicit ProcNetDirOverride(std::string dir);
  ~ProcNetDirOverride();
  ProcNetDirOverride(const ProcNetDirOverride&) = delete;
  ProcNetDirOverride& operator=(const ProcNetDirOverride&) = delete;

 private:
  std::string previous_;
};

// Parses one data line of /proc/net/{tcp,tcp6,udp,udp6} ("  0: 0100007F:0016 ...").
// Returns false for the header line and for anything malformed.
[[nodiscard]] bool parse_proc_net_line(std::string_view line, Transport transport, int family,
                                       SocketRecord& out);

// Reads proc_net_dir()/<tcp|udp>[6], visiting each socket. Throws std::system_error
// naming the file when it cannot be read; a missing tcp6/udp6 (IPv6 disabled) is
// no sockets, not an error.
void read_proc_net(Transport transport, int family,
                   const std::function<void(const SocketRecord&)>& visit);

}  // namespace sockkit

SOCKKIT_API_END
