#include "connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "sockkit/fd.hpp"

namespace sk_echo {

namespace {

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

End from_errno(int err) {
  return err == ECONNRESET || err == EPIPE || err == ETIMEDOUT ? End::reset : End::error;
}

void set_cork(int fd, int on) {
  ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

}  // namespace

Connection::Connection(sockkit::Fd fd, const sockkit::SockAddress& peer,
                       sockkit::EventLoop::Clock::time_point now)
    : last_active(now), fd_(std::move(fd)), peer_(peer), started_(now) {}

std::optional<End> Connection::on_io(std::uint32_t events, ReadBuffers& buffers,
                                     const ServerConfig& config, WorkerTotals& totals) {
  if ((events & EPOLLERR) != 0) return socket_error();
  if (phase_ == Phase::draining) return discard(buffers.current());
  if (phase_ != Phase::echoing) {
    // Holding or delaying: only a reset (or both directions gone) wakes us.
    if ((events & EPOLLHUP) != 0) return End::reset;
    return std::nullopt;
  }
  if ((events & EPOLLOUT) != 0) {
    if (auto end = flush(buffers, totals)) return end;
  }
  bool readable = (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0;
  if (readable && !pending_ && !peer_fin_ && !limit_reached_) {
    if (auto end = read_some(buffers, config, totals)) return end;
  }
  if (auto end = after_progress(config)) return end;
  // Both directions are shut and nothing more can move: do not spin on EPOLLHUP.
  if ((events & EPOLLHUP) != 0 && phase_ == Phase::echoing) {
    return peer_fin_ ? End::eof : End::reset;
  }
  return std::nullopt;
}

std::optional<End> Connection::read_some(ReadBuffers& buffers, const ServerConfig& config,
                                         WorkerTotals& totals) {
  std::span<char> scratch = buffers.current();
  std::size_t want = scratch.size();
  if (config.max_bytes != 0) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, config.max_bytes - bytes_in_));
  }
  ssize_t n = ::recv(fd_.get(), scratch.data(), want, 0);
  if (n == 0) {
    peer_fin_ = true;
    return std::nullopt;
  }
  if (n < 0) return would_block(errno) ? std::nullopt : std::optional(from_errno(errno));
  auto got = static_cast<std::size_t>(n);
  bytes_in_ += got;
  totals.bytes_in.add(got);
  if (config.max_bytes != 0 && bytes_in_ >= config.max_bytes) limit_reached_ = true;
  // --close-first: hold the echo back until our FIN can ride on its last segment, so
  // the client cannot read the echo and close before our FIN is on its way.
  if (config.close_first && !first_echoed_) set_cork(fd_.get(), 1);
  ssize_t sent = ::send(fd_.get(), scratch.data(), got, MSG_NOSIGNAL);
  if (sent < 0) {
    if (!would_block(errno)) return from_errno(errno);
    sent = 0;
  }
  bytes_out_ += static_cast<std::uint64_t>(sent);
  totals.bytes_out.add(static_cast<std::uint64_t>(sent));
  // What the socket did not take waits in the buffer it was read into, and reading
  // stops until it is gone: a client that does not read costs at most one buffer.
  if (static_cast<std::size_t>(sent) < got) {
    pending_ = buffers.take_current();
    pending_begin_ = static_cast<std::size_t>(sent);
    pending_end_ = got;
  }
  return std::nullopt;
}

std::optional<End> Connection::flush(ReadBuffers& buffers, WorkerTotals& totals) {
  while (pending_begin_ < pending_end_) {
    ssize_t n = ::send(fd_.get(), pending_.get() + pending_begin_, pending_end_ - pending_begin_,
                       MSG_NOSIGNAL);
    if (n < 0) return would_block(errno) ? std::nullopt : std::optional(from_errno(errno));
    pending_begin_ += static_cast<std::size_t>(n);
    bytes_out_ += static_cast<std::uint64_t>(n);
    totals.bytes_out.add(static_cast<std::uint64_t>(n));
  }
  // The buffer goes back to the worker: thousands of idle connections must not keep one each.
  buffers.give_back(std::move(pending_));
  pending_begin_ = pending_end_ = 0;
  return std::nullopt;
}

std::optional<End> Connection::after_progress(const ServerConfig& config) {
  if (pending_) return std::nullopt;
  if (config.close_first && !first_echoed_ && bytes_out_ > 0) {
    // Our FIN goes first, so this side becomes the active closer (TIME_WAIT here).
    // Reading goes on to the client's FIN: closing with unread data would reset.
    first_echoed_ = true;
    phase_ = Phase::draining;
    ::shutdown(fd_.get(), SHUT_WR);
    set_cork(fd_.get(), 0);
    if (peer_fin_) return End::eof;
    return std::nullopt;
  }
  if (limit_reached_) return End::max_bytes;
  if (!peer_fin_) return std::nullopt;
  switch (config.on_eof.mode) {
    case OnEof::close: return End::eof;
    case OnEof::rst: abort_on_close(); return End::eof;
    case OnEof::hold: phase_ = Phase::holding; return std::nullopt;
    case OnEof::delay: phase_ = Phase::delaying; return std::nullopt;
  }
  return End::eof;
}

std::optional<End> Connection::discard(std::span<char> scratch) {
  ssize_t n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
  if (n == 0) return End::eof;
  if (n < 0) return would_block(errno) ? std::nullopt : std::optional(from_errno(errno));
  bytes_in_ += static_cast<std::uint64_t>(n);
  return std::nullopt;
}

std::optional<End> Connection::socket_error() const {
  return from_errno(sockkit::take_socket_error(fd_.get()));
}

std::uint32_t Connection::interest() const noexcept {
  switch (phase_) {
    case Phase::echoing:
      if (pending_) return EPOLLOUT;
      if (peer_fin_ || limit_reached_) return 0;
      return EPOLLIN | EPOLLRDHUP;
    case Phase::draining: return EPOLLIN | EPOLLRDHUP;
    case Phase::holding:
    case Phase::delaying: return 0;
  }
  return 0;
}

void Connection::abort_on_close() noexcept {
  linger lg{1, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

ConnectionRecord Connection::record(End end, sockkit::EventLoop::Clock::time_point now) const {
  ConnectionRecord r;
  r.peer = peer_;
  if (auto local = sockkit::local_address(fd_.get())) r.local = *local;
  r.bytes_in = bytes_in_;
  r.bytes_out = bytes_out_;
  r.duration_s = std::chrono::duration<double>(now - started_).count();
  r.end = end;
  return r;
}

}  // namespace sk_echo
