#include "sockkit/netns.hpp"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sockkit {

std::string netns_dir() {
  const char* dir = std::getenv("SOCKKIT_NETNS_DIR");
  return (dir != nullptr && dir[0] != '\0') ? dir : "/run/netns";
}

void validate_netns_name(std::string_view name) {
  bool bad = name.empty() || name == "." || name == ".." || name.size() > 255 ||
             name.find_first_of("/\n") != std::string_view::npos ||
             name.find('\0') != std::string_view::npos;
  if (bad) {
    throw InputError(fmt::format(
        "invalid network namespace name \"{}\": expected a name from `ip netns list`", name));
  }
}

namespace {

Fd open_named_netns(std::string_view name) {
  validate_netns_name(name);
  auto path = fmt::format("{}/{}", netns_dir(), name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return Fd(fd);
  int err = errno;
  if (err == ENOENT) {
    throw InputError(fmt::format(
        "network namespace \"{}\" does not exist (no {}; see `ip netns list`)", name, path));
  }
  if (err == EACCES || err == EPERM) {
    throw PermissionError(fmt::format("cannot open {}: permission denied (run as root)", path));
  }
  throw_errno(err, fmt::format("cannot open {}", path));
}

void switch_to(const Fd& ns, std::string_view name) {
  if (::setns(ns.get(), CLONE_NEWNET) == 0) return;
  int err = errno;
  if (err == EPERM) {
    throw PermissionError(
        fmt::format("entering network namespace \"{}\" needs CAP_SYS_ADMIN (run as root)", name));
  }
  if (err == EINVAL) {
    throw InputError(fmt::format("{}/{} is not a network namespace", netns_dir(), name));
  }
  throw_errno(err, fmt::format("cannot enter network namespace \"{}\"", name));
}

}  // namespace

NetnsScope::NetnsScope(std::string_view name) {
  Fd target = open_named_netns(name);
  original_ = open_file("/proc/thread-self/ns/net", O_RDONLY);
  switch_to(target, name);
}

NetnsScope::~NetnsScope() {
  // Going back cannot fail while we hold the original's descriptor and had the
  // privilege to leave it; there is nobody to report to in a destructor anyway.
  if (original_) (void)::setns(original_.get(), CLONE_NEWNET);
}

void enter_netns(std::string_view name) {
  NetnsScope scope(name);
  scope.commit();
}

}  // namespace sockkit
