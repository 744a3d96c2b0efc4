#include "sockkit/fd.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "sockkit/error.hpp"

namespace sockkit {

void Fd::reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
}

namespace {

std::string_view domain_name(int domain) {
  switch (domain) {
    case AF_INET: return "IPv4";
    case AF_INET6: return "IPv6";
    case AF_NETLINK: return "netlink";
    case AF_UNIX: return "unix";
    default: return "unknown-family";
  }
}

std::string_view type_name(int type) {
  switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    case SOCK_STREAM: return "stream";
    case SOCK_DGRAM: return "datagram";
    case SOCK_RAW: return "raw";
    default: return "unknown-type";
  }
}

}  // namespace

Fd make_socket(int domain, int type, int protocol) {
  int fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    throw_errno(fmt::format("cannot create {} {} socket", domain_name(domain), type_name(type)));
  }
  return Fd(fd);
}

Fd open_file(const char* path, int flags) {
  int fd = ::open(path, flags | O_CLOEXEC);
  if (fd < 0) throw_errno(fmt::format("cannot open {}", path));
  return Fd(fd);
}

int take_socket_error(int fd) noexcept {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

std::uint64_t raise_descriptor_limit(std::uint64_t wanted) noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur >= wanted) return limit.rlim_cur;
  rlimit raised = limit;
  raised.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return limit.rlim_cur;
  return raised.rlim_cur;
}

}  // namespace sockkit
