#include "sockkit/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sockkit {

std::string netns_dir() {
  const char* dir = std::getenv("SOCKKIT_NETNS_DIR");
  return (dir != nullptr && dir[0] != '\0') ? dir : "/run/netns";
}

namespace {

bool process_exists(int pid) {
  struct stat st {};
  return ::stat(fmt::format("/proc/{}", pid).c_str(), &st) == 0;
}

[[noreturn]] void throw_missing(const NetnsSpec& spec, const std::string& path) {
  switch (spec.kind) {
    case NetnsSpec::Kind::pid:
      throw InputError(fmt::format("no process {} (for --netns {})", spec.pid, spec.text));
    case NetnsSpec::Kind::name:
      throw InputError(fmt::format(
          "network namespace \"{}\" does not exist (no {}; see `ip netns list`)", spec.text, path));
    case NetnsSpec::Kind::path: break;
  }
  throw InputError(fmt::format("no such file {} (for --netns {})", path, spec.text));
}

[[noreturn]] void throw_open_error(int err, const NetnsSpec& spec, const std::string& path) {
  // A zombie keeps /proc/PID but loses its namespace links: that is a missing
  // namespace, not a missing process.
  if (err == ENOENT && (spec.kind != NetnsSpec::Kind::pid || !process_exists(spec.pid))) {
    throw_missing(spec, path);
  }
  if (err == EACCES || err == EPERM) {
    // Reading another user's /proc/PID/ns/* takes the right to ptrace that process.
    // Root can be refused too: a security module, or a process that is not dumpable.
    auto needs = ::geteuid() == 0 ? "refused even to root: the file or process is protected"
                 : spec.kind == NetnsSpec::Kind::pid
                     ? "needs root, or CAP_SYS_PTRACE to read another user's process"
                     : "needs root";
    throw PermissionError(fmt::format("cannot open {}: permission denied ({})", path, needs));
  }
  if (err == ENOTDIR) throw_missing(spec, path);
  throw_errno(err, fmt::format("cannot open {} (for --netns {})", path, spec.text));
}

[[noreturn]] void throw_not_netns(const std::string& path) {
  throw InputError(fmt::format("{} is not a network namespace file", path));
}

void switch_to(const Fd& ns, std::string_view what) {
  if (::setns(ns.get(), CLONE_NEWNET) == 0) return;
  int err = errno;
  if (err == EPERM) {
    throw PermissionError(
        fmt::format("entering network namespace \"{}\" needs CAP_SYS_ADMIN (run as root)", what));
  }
  if (err == EINVAL) throw InputError(fmt::format("{} is not a network namespace file", what));
  throw_errno(err, fmt::format("cannot enter network namespace \"{}\"", what));
}

}  // namespace

bool is_network_namespace(const Fd& fd) {
  int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
  if (type >= 0) return type == CLONE_NEWNET;
  // Where the ioctl is missing only nsfs can be checked (setns then refuses another type).
  if (errno != ENOTTY && errno != EINVAL) return false;
  struct statfs fs {};
  return ::fstatfs(fd.get(), &fs) == 0 && fs.f_type == static_cast<decltype(fs.f_type)>(NSFS_MAGIC);
}

Fd open_netns(const NetnsSpec& spec) {
  auto path = spec.path();
  // A namespace file is a regular file of nsfs; checking first means a FIFO or a
  // device given by mistake is never opened.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_open_error(errno, spec, path);
  if (!S_ISREG(st.st_mode)) throw_not_netns(path);
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw < 0) throw_open_error(errno, spec, path);
  Fd fd(raw);
  if (!is_network_namespace(fd)) throw_not_netns(path);
  return fd;
}

std::uint64_t netns_inode(const Fd& ns) {
  struct stat st {};
  if (::fstat(ns.get(), &st) != 0) throw_errno("cannot stat a network namespace descriptor");
  return st.st_ino;
}

std::uint64_t current_netns_inode() {
  struct stat st {};
  if (::stat("/proc/thread-self/ns/net", &st) != 0) {
    throw_errno("cannot stat /proc/thread-self/ns/net");
  }
  return st.st_ino;
}

NetnsScope::NetnsScope(const NetnsSpec& spec) {
  Fd target = open_netns(spec);
  original_ = open_file("/proc/thread-self/ns/net", O_RDONLY);
  switch_to(target, spec.text);
}

NetnsScope::NetnsScope(const Fd& ns, std::string_view what) {
  original_ = open_file("/proc/thread-self/ns/net", O_RDONLY);
  switch_to(ns, what);
}

NetnsScope::~NetnsScope() {
  // Going back cannot fail while we hold the original's descriptor and had the
  // privilege to leave it; there is nobody to report to in a destructor anyway.
  if (original_) (void)::setns(original_.get(), CLONE_NEWNET);
}

void enter_netns(std::string_view spec_text) {
  NetnsScope scope(parse_netns_spec(spec_text));
  scope.commit();
}

}  // namespace sockkit
