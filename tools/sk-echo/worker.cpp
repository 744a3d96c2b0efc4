#include "worker.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>

#include "sockkit/error.hpp"

namespace sk_echo {

namespace {

constexpr std::uint64_t kResumeAccept = 1ULL << 63;  // timer cookie: listener paused
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

std::uint64_t cookie_of(const Connection& conn) {
  return (static_cast<std::uint64_t>(conn.serial) << 32) | static_cast<std::uint32_t>(conn.fd());
}

}  // namespace

// A listening TCP socket; its readiness means connections wait in the accept queue.
class Worker::Listener : public sockkit::IoHandler {
 public:
  Listener(Worker& worker, BoundSocket socket) : worker_(worker), socket_(std::move(socket)) {}
  void on_io(int fd, std::uint32_t /*events*/) override { worker_.accept_from(fd); }
  [[nodiscard]] int fd() const { return socket_.fd.get(); }

 private:
  Worker& worker_;
  BoundSocket socket_;
};

Worker::Worker(const ServerConfig& config, WorkerTotals& totals, std::atomic<std::uint64_t>& active,
               std::vector<BoundSocket> sockets)
    : config_(config), totals_(totals), active_(active) {
  for (auto& socket : sockets) {
    if (socket.proto == Proto::udp) {
      udp_.push_back(
          std::make_unique<UdpEcho>(std::move(socket), buffers_, config.udp_rate, totals, loop_));
      continue;
    }
    listeners_.push_back(std::make_unique<Listener>(*this, std::move(socket)));
    loop_.watch(listeners_.back()->fd(), EPOLLIN, *listeners_.back());
  }
}

Worker::~Worker() = default;

void Worker::run() {
  loop_.run();
  for (std::size_t fd = 0; fd < conns_.size(); ++fd) {
    if (conns_[fd]) close(static_cast<int>(fd), End::shutdown);
  }
}

void Worker::accept_from(int listen_fd) {
  for (int i = 0; i < 64; ++i) {  // a bounded batch: the loop has other work too
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors or memory: the queue stays readable, so stop watching it
      // for a moment instead of spinning.
      totals_.accept_errors.add(1);
      pause_accepting(listen_fd);
      return;
    }
    sockkit::Fd conn(fd);
    sockkit::SockAddress address(reinterpret_cast<sockaddr*>(&peer), len);
    auto active = active_.fetch_add(1, std::memory_order_relaxed);
    if (config_.max_connections != 0 && active >= config_.max_connections) {
      active_.fetch_sub(1, std::memory_order_relaxed);
      reject(std::move(conn), address);
      continue;
    }
    adopt(std::move(conn), address);
  }
}

void Worker::pause_accepting(int listen_fd) {
  loop_.modify(listen_fd, 0);
  (void)loop_.add_timer(loop_.now() + kAcceptPause, *this,
                        kResumeAccept | static_cast<std::uint32_t>(listen_fd));
}

// The descriptor closes on return: over the limit, a client is closed at once.
void Worker::reject(sockkit::Fd /*fd*/, const sockkit::SockAddress& peer) {
  totals_.count_end(End::rejected);
  if (!config_.verbose) return;
  ConnectionRecord record;
  record.peer = peer;
  record.end = End::rejected;
  log(record);
}

void Worker::adopt(sockkit::Fd fd, const sockkit::SockAddress& peer) {
  int one = 1;
  // Echo is request-response: Nagle would hold small echoes back for an ACK.
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto index = static_cast<std::size_t>(fd.get());
  if (index >= conns_.size()) conns_.resize(std::max(index + 1, conns_.size() * 2));
  auto conn = std::make_unique<Connection>(std::move(fd), peer, loop_.now());
  conn->serial = next_serial_;
  // 31 bits: the top bit of a timer cookie marks a paused listener.
  next_serial_ = (next_serial_ + 1) & 0x7fffffffU;
  totals_.accepted.add(1);
  conn->watched = conn->interest();
  loop_.watch(conn->fd(), conn->watched, *this);
  if (config_.idle_timeout.count() > 0) arm_timer(*conn, loop_.now() + config_.idle_timeout);
  conns_[index] = std::move(conn);
}

void Worker::on_io(int fd, std::uint32_t events) {
  Connection& conn = *conns_[static_cast<std::size_t>(fd)];
  conn.last_active = loop_.now();
  if (auto end = conn.on_io(events, buffers_, config_, totals_)) {
    close(fd, *end);
    return;
  }
  update(conn);
}

// Brings epoll's mask and the timer in line with what the connection now wants.
void Worker::update(Connection& conn) {
  if (conn.phase() == Connection::Phase::delaying && !conn.delay_armed) {
    conn.delay_armed = true;
    loop_.cancel(conn.timer);  // the idle timer gives way to the delay
    arm_timer(conn, loop_.now() + config_.on_eof.delay);
  }
  auto want = conn.interest();
  if (want != conn.watched) {
    loop_.modify(conn.fd(), want);
    conn.watched = want;
  }
}

void Worker::arm_timer(Connection& conn, sockkit::EventLoop::Clock::time_point deadline) {
  conn.timer = loop_.add_timer(deadline, *this, cookie_of(conn));
}

void Worker::on_timer(std::uint64_t cookie) {
  if ((cookie & kResumeAccept) != 0) {
    loop_.modify(static_cast<int>(cookie & 0xffffffffU), EPOLLIN);
    return;
  }
  auto index = static_cast<std::size_t>(cookie & 0xffffffffU);
  if (index >= conns_.size() || !conns_[index]) return;
  Connection& conn = *conns_[index];
  if (conn.serial != static_cast<std::uint32_t>(cookie >> 32)) return;
  conn.timer = {};
  if (conn.phase() == Connection::Phase::delaying) return close(conn.fd(), End::eof);
  // Idle timers are not moved on every byte: when one fires early, it is set again
  // for the connection's last activity, so a busy connection costs one timer a period.
  auto due = conn.last_active + config_.idle_timeout;
  if (due <= loop_.now()) return close(conn.fd(), End::idle);
  arm_timer(conn, due);
}

void Worker::close(int fd, End end) {
  auto index = static_cast<std::size_t>(fd);
  std::unique_ptr<Connection> conn = std::move(conns_[index]);
  loop_.unwatch(fd);
  loop_.cancel(conn->timer);
  totals_.count_end(end);
  active_.fetch_sub(1, std::memory_order_relaxed);
  if (config_.verbose) log(conn->record(end, loop_.now()));
  buffers_.give_back(conn->release_buffer());  // a client that reset with echo owed
}  // the descriptor closes with `conn`

void Worker::log(const ConnectionRecord& record) const {
  auto line = render_connection(record, config_.format);
  std::fwrite(line.data(), 1, line.size(), stderr);  // one call: lines from threads never mix
}

}  // namespace sk_echo
