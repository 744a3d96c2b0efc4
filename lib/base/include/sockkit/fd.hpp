// A file descriptor that closes itself. Every descriptor the library opens lives in
// one, so no error path can leak a socket.
#pragma once

#include <cstdint>
#include <utility>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

class Fd {
 public:
  Fd() noexcept = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the current descriptor (errors from close() are ignored: the descriptor
  // is gone either way on Linux) and adopts another.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// socket(2) with SOCK_CLOEXEC always added, so no descriptor leaks into a child
// process. Throws std::system_error naming the family and type on failure.
[[nodiscard]] Fd make_socket(int domain, int type, int protocol = 0);

// open(2) with O_CLOEXEC always added; throws std::system_error naming the path.
[[nodiscard]] Fd open_file(const char* path, int flags);

// The socket's pending error (SO_ERROR), which reading clears: what a non-blocking
// connect() ended in, or what an EPOLLERR was about. 0 when there is none.
[[nodiscard]] int take_socket_error(int fd) noexcept;

// Raises the soft RLIMIT_NOFILE toward `wanted` (never above the hard limit, never
// lowering it) and returns the soft limit now in force. Servers and scanners that
// hold thousands of sockets call it before they start.
std::uint64_t raise_descriptor_limit(std::uint64_t wanted) noexcept;

}  // namespace sockkit

SOCKKIT_API_END
