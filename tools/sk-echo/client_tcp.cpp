// The TCP client: a non-blocking socket driven by poll(2), writing and reading at the
// same time so that a large payload cannot deadlock against a server that echoes as
// it reads (both sides' buffers full, both sides blocked in write).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "client.hpp"
#include "sockkit/fd.hpp"

namespace sk_echo {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Waits for `events` until `deadline`; returns the revents, or 0 on timeout.
short wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return p.revents;
    if (n == 0) return 0;
    if (errno != EINTR) return POLLERR;
  }
}

bool connect_to(int fd, const sockkit::SockAddress& peer, Clock::time_point deadline,
                EchoResult& r) {
  if (::connect(fd, peer.get(), peer.size()) != 0 && errno != EINPROGRESS) {
    set_failure(r, errno, std::nullopt, true);
    return false;
  }
  if (wait_for(fd, POLLOUT, deadline) == 0) {
    r.outcome = Outcome::timeout;
    return false;
  }
  if (int err = sockkit::take_socket_error(fd); err != 0) {
    set_failure(r, err);
    return false;
  }
  return true;
}

// Reads what arrived and checks it against the payload; false when the exchange ended.
bool take_echo(int fd, const std::string& payload, EchoResult& r) {
  std::array<char, 64 * 1024> buf{};
  ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return true;
    set_failure(r, errno);
    return false;
  }
  if (n == 0) {
    r.outcome = r.received == payload.size() ? Outcome::intact : Outcome::closed;
    return false;
  }
  auto got = static_cast<std::size_t>(n);
  std::size_t expected = std::min(got, payload.size() - r.received);
  auto* want = payload.data() + r.received;
  auto diff = std::mismatch(buf.data(), buf.data() + expected, want).first;
  if (diff != buf.data() + expected || got > expected) {
    r.mismatch_at = r.received + static_cast<std::size_t>(diff - buf.data());
    r.outcome = Outcome::mismatch;
    return false;
  }
  r.received += got;
  return true;
}

bool give_payload(int fd, const std::string& payload, EchoResult& r) {
  ssize_t n = ::send(fd, payload.data() + r.sent, payload.size() - r.sent, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return true;
    set_failure(r, errno);
    return false;
  }
  r.sent += static_cast<std::size_t>(n);
  return true;
}

// With --half-close: after the whole echo, the server's EOF must follow, and nothing else.
void await_eof(int fd, const std::string& payload, Clock::time_point deadline, EchoResult& r) {
  while (r.outcome == Outcome::intact) {
    if (wait_for(fd, POLLIN, deadline) == 0) {
      r.outcome = Outcome::timeout;
      r.eof_missing = true;
      return;
    }
    if (!take_echo(fd, payload, r)) return;
  }
}

}  // namespace

EchoResult run_tcp_client(const ClientConfig& config, const sockkit::SockAddress& peer) {
  EchoResult r;
  r.peer = peer;
  auto deadline = Clock::now() + config.timeout;
  sockkit::Fd fd = sockkit::make_socket(peer.family(), SOCK_STREAM | SOCK_NONBLOCK);
  auto connect_start = Clock::now();
  if (!connect_to(fd.get(), peer, deadline, r)) return r;
  r.connect_ms = ms_since(connect_start);
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const std::string& payload = config.payload;
  auto start = Clock::now();
  bool shut = false;
  while (r.received < payload.size()) {
    short want = static_cast<short>(POLLIN | (r.sent < payload.size() ? POLLOUT : 0));
    short got = wait_for(fd.get(), want, deadline);
    if (got == 0) {
      r.outcome = Outcome::timeout;
      return r;
    }
    if ((got & POLLOUT) != 0 && !give_payload(fd.get(), payload, r)) return r;
    if ((got & (POLLIN | POLLHUP | POLLERR)) != 0 && !take_echo(fd.get(), payload, r)) return r;
    if (config.half_close && !shut && r.sent == payload.size()) {
      ::shutdown(fd.get(), SHUT_WR);  // our FIN: the server owes the rest, then its own
      shut = true;
    }
  }
  r.rtt_ms = ms_since(start);
  r.outcome = Outcome::intact;
  if (config.half_close) {
    if (!shut) ::shutdown(fd.get(), SHUT_WR);
    await_eof(fd.get(), payload, deadline, r);
  }
  return r;
}

}  // namespace sk_echo
