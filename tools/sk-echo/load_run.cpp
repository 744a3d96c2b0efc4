// The load engine: one event loop drives every connection. Per request it makes the
// calls an echo needs and no more (a send, a receive per arriving segment, two
// clock reads) and allocates nothing: the payload is shared, replies land in one
// buffer, latencies go into fixed histograms.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "load.hpp"
#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/signal_watch.hpp"

namespace sk_echo {

namespace {

using Clock = sockkit::EventLoop::Clock;

constexpr std::size_t kReadBuffer = 256 * 1024;
constexpr std::uint64_t kSweepTimer = 1;
constexpr std::uint64_t kPaceTimer = 2;
constexpr std::uint64_t kEndTimer = 3;
constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
constexpr auto kFirstBackoff = std::chrono::milliseconds(10);

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Thousands of connections need thousands of descriptors: raise the soft limit as
// far as the hard one allows, and say plainly when even that is not enough.
void reserve_descriptors(unsigned connections) {
  auto needed = static_cast<std::uint64_t>(connections) + 64;
  auto limit = sockkit::raise_descriptor_limit(needed);
  if (limit < needed) {
    throw sockkit::InputError(
        fmt::format("-C {} needs {} descriptors, but this process may open at most {} (ulimit "
                    "-Hn); run several clients or lower -C",
                    connections, needed, limit));
  }
}

class LoadRun : public sockkit::IoHandler, public sockkit::TimerHandler {
 public:
  LoadRun(const ClientConfig& config, const sockkit::SockAddress& peer);
  LoadStats run();

  void on_io(int fd, std::uint32_t events) override;
  void on_timer(std::uint64_t cookie) override;

 private:
  enum class Phase : std::uint8_t { closed, backoff, connecting, ready, busy };

  struct Slot {
    sockkit::Fd fd;
    Phase phase = Phase::closed;
    bool in_flight = false;  // a request rides on this slot
    bool queued = false;     // listed in idle_
    std::uint32_t events = 0;
    unsigned failures = 0;  // in a row, for the reconnect backoff
    std::size_t sent = 0;
    std::size_t received = 0;
    Clock::time_point started;  // the request's start (open loop: when it was due)
    Clock::time_point connect_started;
    Clock::time_point deadline;
    Clock::time_point retry_at;
  };

  void open(Slot& slot);
  void on_connected(Slot& slot);
  void make_idle(Slot& slot);
  void dispatch();
  void start_request(Slot& slot, Clock::time_point due);
  void send_some(Slot& slot);
  void receive(Slot& slot);
  void complete(Slot& slot);
  void fail(Slot& slot, Outcome outcome, int error);
  void close(Slot& slot);
  void set_events(Slot& slot, std::uint32_t events);
  void after_failure(Slot& slot);
  void sweep();
  void arm_pace_timer();
  [[nodiscard]] bool may_issue() const;
  [[nodiscard]] bool finished() const;
  [[nodiscard]] std::size_t index_of(const Slot& slot) const;

  const ClientConfig& config_;
  const LoadConfig& load_;
  const sockkit::SockAddress& peer_;
  sockkit::EventLoop loop_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> slot_of_fd_;  // fd -> slot index + 1; 0: none
  std::vector<std::uint32_t> idle_;        // slots free for a request (stale entries skipped)
  std::vector<char> buffer_;
  LoadStats stats_;
  Clock::time_point start_;
  std::chrono::nanoseconds sweep_every_;
  std::uint64_t issued_ = 0;       // requests started
  std::uint64_t budget_used_ = 0;  // requests started + connections that failed idle
  std::uint64_t in_flight_ = 0;
  bool pace_armed_ = false;
  bool dispatching_ = false;
  bool stopping_ = false;
};

LoadRun::LoadRun(const ClientConfig& config, const sockkit::SockAddress& peer)
    : config_(config),
      load_(*config.load),
      peer_(peer),
      slots_(load_.connections),
      buffer_(kReadBuffer),
      sweep_every_(std::clamp<std::chrono::nanoseconds>(
          config.timeout / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(100))) {
  idle_.reserve(2 * slots_.size());
}

std::size_t LoadRun::index_of(const Slot& slot) const {
  return static_cast<std::size_t>(&slot - slots_.data());
}

bool LoadRun::may_issue() const {
  return !stopping_ && (load_.requests == 0 || budget_used_ < load_.requests);
}

bool LoadRun::finished() const {
  return stopping_ || (load_.requests != 0 && budget_used_ >= load_.requests && in_flight_ == 0);
}

LoadStats LoadRun::run() {
  sockkit::SignalWatch signals(loop_);
  start_ = Clock::now();
  if (load_.requests == 0) (void)loop_.add_timer(start_ + load_.duration, *this, kEndTimer);
  (void)loop_.add_timer(start_ + sweep_every_, *this, kSweepTimer);
  // -n 3 with -C 10 needs only three connections: more would only add errors to
  // the count when the peer is down.
  std::size_t wanted = slots_.size();
  if (load_.requests != 0) wanted = std::min<std::uint64_t>(wanted, load_.requests);
  for (std::size_t i = 0; i < wanted; ++i) {
    if (load_.connect_rate) {
      make_idle(slots_[i]);
    } else {
      open(slots_[i]);
    }
  }
  dispatch();
  while (!finished() && loop_.run_once(std::chrono::milliseconds(100))) {
  }
  stats_.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
  stats_.unfinished = in_flight_;
  if (load_.rate > 0) {
    stats_.behind = requests_behind(stats_.elapsed_s, load_.rate, load_.requests, budget_used_);
  }
  stats_.interrupted = signals.fired();
  for (auto& slot : slots_) {
    if (slot.fd) close(slot);
  }
  return std::move(stats_);
}

void LoadRun::open(Slot& slot) {
  // Out of descriptors (inherited ones count against the limit too) or memory: this
  // slot's failure, counted and retried with the backoff, while the run goes on.
  int fd = ::socket(peer_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(slot, Outcome::local, errno);
  slot.fd = sockkit::Fd(fd);
  auto index = static_cast<std::size_t>(fd);
  if (index >= slot_of_fd_.size()) slot_of_fd_.resize(std::max(index + 1, 2 * slot_of_fd_.size()));
  slot_of_fd_[index] = static_cast<std::uint32_t>(index_of(slot) + 1);
  int one = 1;
  // Small requests must leave at once, not wait for the ACK of the last one.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  slot.events = EPOLLOUT;
  loop_.watch(fd, slot.events, *this);
  slot.phase = Phase::connecting;
  slot.connect_started = Clock::now();
  if (!slot.in_flight) slot.deadline = slot.connect_started + config_.timeout;
  if (::connect(fd, peer_.get(), peer_.size()) == 0) return on_connected(slot);
  if (errno != EINPROGRESS) fail(slot, outcome_of_errno(errno, true), errno);
}

void LoadRun::on_connected(Slot& slot) {
  int err = sockkit::take_socket_error(slot.fd.get());
  stats_.count_connect(err, ms_between(slot.connect_started, Clock::now()));
  if (err != 0) return fail(slot, outcome_of_errno(err), err);
  slot.failures = 0;
  if (slot.in_flight) {  // --connect-rate: the request was waiting for this connection
    slot.phase = Phase::busy;
    return send_some(slot);
  }
  slot.phase = Phase::ready;
  set_events(slot, EPOLLIN | EPOLLRDHUP);  // a ready connection still hears a close
  make_idle(slot);
  dispatch();
}

void LoadRun::make_idle(Slot& slot) {
  if (slot.queued) return;
  slot.queued = true;
  idle_.push_back(static_cast<std::uint32_t>(index_of(slot)));
}

// Hands requests to idle slots: at once in a closed loop, as they fall due in an open one.
void LoadRun::dispatch() {
  if (dispatching_) return;  // a failure inside start_request comes back here
  dispatching_ = true;
  auto now = Clock::now();
  std::uint64_t due = UINT64_MAX;
  if (load_.rate > 0) {
    due = static_cast<std::uint64_t>(std::chrono::duration<double>(now - start_).count() *
                                     load_.rate) +
          1;
  }
  while (!idle_.empty() && may_issue() && issued_ < due) {
    Slot& slot = slots_[idle_.back()];
    idle_.pop_back();
    if (!slot.queued) continue;
    slot.queued = false;
    Clock::time_point when = now;
    if (load_.rate > 0) {
      when = start_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(static_cast<double>(issued_) / load_.rate));
    }
    start_request(slot, when);
  }
  dispatching_ = false;
  arm_pace_timer();
}

void LoadRun::arm_pace_timer() {
  if (load_.rate <= 0 || pace_armed_ || !may_issue()) return;
  auto next = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           static_cast<double>(issued_) / load_.rate));
  // A request already due waits for a free connection, which dispatches it on release.
  if (next <= Clock::now()) return;
  pace_armed_ = true;
  (void)loop_.add_timer(next, *this, kPaceTimer);
}

void LoadRun::start_request(Slot& slot, Clock::time_point due) {
  ++issued_;
  ++budget_used_;
  ++in_flight_;
  slot.in_flight = true;
  slot.started = due;
  slot.sent = 0;
  slot.received = 0;
  slot.deadline = Clock::now() + config_.timeout;
  if (load_.connect_rate) return open(slot);
  slot.phase = Phase::busy;
  send_some(slot);
}

void LoadRun::send_some(Slot& slot) {
  const std::string& payload = config_.payload;
  ssize_t n = ::send(slot.fd.get(), payload.data() + slot.sent, payload.size() - slot.sent,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) return fail(slot, outcome_of_errno(errno), errno);
    n = 0;
  }
  slot.sent += static_cast<std::size_t>(n);
  std::uint32_t want = EPOLLIN | EPOLLRDHUP | (slot.sent < payload.size() ? EPOLLOUT : 0U);
  set_events(slot, want);
}

void LoadRun::receive(Slot& slot) {
  ssize_t n = ::recv(slot.fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    return fail(slot, outcome_of_errno(errno), errno);
  }
  if (n == 0) return fail(slot, Outcome::closed, 0);
  const std::string& payload = config_.payload;
  auto got = static_cast<std::size_t>(n);
  // Bytes nobody asked for (no request in flight, or more than was sent) are as wrong
  // as changed ones.
  if (slot.phase != Phase::busy || got > slot.sent - slot.received ||
      std::memcmp(buffer_.data(), payload.data() + slot.received, got) != 0) {
    return fail(slot, Outcome::mismatch, 0);
  }
  slot.received += got;
  stats_.bytes += got;
  if (slot.received == payload.size()) complete(slot);
}

void LoadRun::complete(Slot& slot) {
  stats_.count_intact(std::max(0.0, ms_between(slot.started, Clock::now())));
  --in_flight_;
  slot.in_flight = false;
  if (load_.connect_rate) {
    close(slot);  // we close first: TIME_WAIT stays here, as with any client
  } else {
    slot.phase = Phase::ready;
  }
  make_idle(slot);
  dispatch();
}

void LoadRun::fail(Slot& slot, Outcome outcome, int error) {
  stats_.count_failure(outcome, error);
  if (slot.in_flight) {
    --in_flight_;
    slot.in_flight = false;
  } else {
    ++budget_used_;  // so that -n ends even when no connection can be opened
  }
  close(slot);
  after_failure(slot);
}

// The first failure reconnects at once (a server that closes after each echo is
// normal); repeated ones back off, so a dead server is not hammered.
void LoadRun::after_failure(Slot& slot) {
  if (!may_issue()) return;
  ++slot.failures;
  if (slot.failures == 1) {
    if (load_.connect_rate) {
      make_idle(slot);
      dispatch();
    } else {
      open(slot);
    }
    return;
  }
  auto backoff = std::min<std::chrono::milliseconds>(
      kMaxBackoff, kFirstBackoff * (1U << std::min(slot.failures - 2, 7U)));
  slot.phase = Phase::backoff;
  slot.retry_at = Clock::now() + backoff;
}

void LoadRun::close(Slot& slot) {
  if (slot.fd) {
    loop_.unwatch(slot.fd.get());
    slot_of_fd_[static_cast<std::size_t>(slot.fd.get())] = 0;
    slot.fd.reset();
  }
  slot.queued = false;
  slot.phase = Phase::closed;
}

void LoadRun::set_events(Slot& slot, std::uint32_t events) {
  if (slot.events == events) return;
  slot.events = events;
  loop_.modify(slot.fd.get(), events);
}

void LoadRun::on_io(int fd, std::uint32_t events) {
  auto index = static_cast<std::size_t>(fd) < slot_of_fd_.size()
                   ? slot_of_fd_[static_cast<std::size_t>(fd)]
                   : 0;
  if (index == 0) return;
  Slot& slot = slots_[index - 1];
  if (slot.phase == Phase::connecting) return on_connected(slot);
  if ((events & EPOLLERR) != 0) {
    int err = sockkit::take_socket_error(fd);
    return fail(slot, outcome_of_errno(err), err);
  }
  if ((events & EPOLLOUT) != 0 && slot.phase == Phase::busy) {
    send_some(slot);
    if (slot.phase != Phase::busy) return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0) receive(slot);
}

void LoadRun::on_timer(std::uint64_t cookie) {
  switch (cookie) {
    case kEndTimer:
      stopping_ = true;
      loop_.stop();
      return;
    case kPaceTimer:
      pace_armed_ = false;
      dispatch();
      return;
    case kSweepTimer:
      sweep();
      (void)loop_.add_timer(loop_.now() + sweep_every_, *this, kSweepTimer);
      return;
    default: return;
  }
}

// Timeouts and backoffs are checked a few times a second for all slots at once: a
// timer per request would cost more than the scan.
void LoadRun::sweep() {
  auto now = Clock::now();
  for (auto& slot : slots_) {
    bool waiting = slot.phase == Phase::connecting || slot.phase == Phase::busy;
    if (waiting && slot.deadline <= now) {
      fail(slot, Outcome::timeout, 0);
    } else if (slot.phase == Phase::backoff && slot.retry_at <= now && may_issue()) {
      if (load_.connect_rate) {
        slot.phase = Phase::closed;
        make_idle(slot);
      } else {
        open(slot);
      }
    }
  }
  dispatch();
}

}  // namespace

LoadStats run_load(const ClientConfig& config, const sockkit::SockAddress& peer) {
  reserve_descriptors(config.load->connections);
  sockkit::block_stop_signals();  // to the exit, so the summary is printed whatever comes
  LoadRun run(config, peer);
  return run.run();
}

}  // namespace sk_echo
