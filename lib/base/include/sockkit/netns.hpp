// Network namespaces as a user names them: a name bound under /run/netns (as `ip netns
// exec NAME`), any namespace file (/var/run/docker/netns/ID, /proc/PID/ns/net), or the
// namespace a process lives in (as `nsenter -t PID -n`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// One --netns value, parsed: which of the three forms, and what it points at.
struct NetnsSpec {
  enum class Kind : std::uint8_t { name, path, pid };
  Kind kind = Kind::name;
  std::string text;  // as the user wrote it: "blue", "/var/run/docker/netns/1a2b", "pid:4121"
  int pid = 0;       // Kind::pid only
  // netns_dir()/NAME, the path itself, or /proc/PID/ns/net.
  [[nodiscard]] std::string path() const;
};

// The largest pid Linux can hand out (PID_MAX_LIMIT on 64-bit).
inline constexpr int max_pid = 4194304;

// "NAME" (no '/': a name under /run/netns), "PATH" (contains '/'), "pid:PID" (PID
// 1..max_pid). Throws InputError, e.g. `invalid --netns "pid:x": expected NAME, PATH or
// pid:PID`. Nothing is opened: whether the namespace exists, open_netns says.
[[nodiscard]] NetnsSpec parse_netns_spec(std::string_view text);

// Opens the namespace file and checks it is a network namespace. Throws InputError for
// a missing process, name or file, and for a file that is not a network namespace;
// PermissionError naming the privilege when the file may not be opened.
[[nodiscard]] Fd open_netns(const NetnsSpec& spec);

// Whether an open file is a network namespace: NS_GET_NSTYPE, or on kernels before 4.11
// (which lack it) the nsfs file system.
[[nodiscard]] bool is_network_namespace(const Fd& fd);

// The namespace's identity: the inode of its nsfs file, what `ls -Li /proc/PID/ns/net`
// and lsns show.
[[nodiscard]] std::uint64_t netns_inode(const Fd& ns);
// Of the calling thread's namespace (/proc/thread-self/ns/net).
[[nodiscard]] std::uint64_t current_netns_inode();

// Throws InputError unless `name` could be a file name under /run/netns.
void validate_netns_name(std::string_view name);

// Enters a network namespace for the calling thread and goes back on destruction, so a
// reader can look into a namespace and return. Throws open_netns' errors, and
// PermissionError naming CAP_SYS_ADMIN when entering is not allowed.
class NetnsScope {
 public:
  explicit NetnsScope(const NetnsSpec& spec);
  // An already opened namespace; `what` names it in errors ("pid:4121", "/run/netns/blue").
  NetnsScope(const Fd& ns, std::string_view what);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

  // Stay in the namespace for good (what --netns does for a whole command).
  void commit() noexcept { original_.reset(); }

 private:
  Fd original_;
};

// Parses, opens and enters the namespace for the rest of the process; call before
// starting threads.
void enter_netns(std::string_view spec_text);

// Where the namespace files live; SOCKKIT_NETNS_DIR overrides it for tests.
[[nodiscard]] std::string netns_dir();

}  // namespace sockkit

SOCKKIT_API_END
