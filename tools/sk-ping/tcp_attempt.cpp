#include "tcp_attempt.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "sockkit/tcp_info.hpp"
#include "time_wait.hpp"

namespace sk_ping {

TcpAttempt::TcpAttempt(sockkit::EventLoop& loop, const Plan& plan, TimeWaitLookup* time_wait,
                       AttemptSink& sink)
    : loop_(loop), plan_(plan), time_wait_(time_wait), sink_(sink) {
  if (plan.expect) response_.reserve(kMaxResponse);
}

TcpAttempt::~TcpAttempt() {
  loop_.cancel(deadline_);
  loop_.cancel(sample_);
  if (fd_) loop_.unwatch(fd_.get());
}

void TcpAttempt::start(std::uint64_t seq, const sockkit::SockAddress& peer, double dns_ms) {
  result_ = AttemptResult{};
  result_.seq = seq;
  result_.peer = peer;
  result_.dns_ms = dns_ms;
  result_.timestamp_s = wall_clock_s();
  sent_bytes_ = 0;
  response_.clear();
  open_and_connect();
}

void TcpAttempt::open_and_connect() {
  int fd = ::socket(result_.peer.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    result_.error = errno;
    finish(Outcome::error, false);
    return;
  }
  fd_.reset(fd);
  sockkit::enable_icmp_errors(fd, result_.peer.family());
  if (plan_.source) {
    int one = 1;
    // A fixed source port must be reusable at once: the previous attempt's reset
    // freed it, but a TIME_WAIT left by --close would otherwise block it for 60 s.
    if (plan_.source->port() == 0) {
      ::setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    } else {
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (::bind(fd, plan_.source->get(), plan_.source->size()) != 0) {
      result_.error = errno;
      finish(Outcome::error, false);
      return;
    }
  }
  phase_ = Phase::connecting;
  started_ = Clock::now();
  int rc = ::connect(fd, result_.peer.get(), result_.peer.size());
  int err = rc == 0 ? 0 : errno;
  auto now = Clock::now();
  if (rc == 0 || err == EINPROGRESS) {
    // Watched either way: a request or a close after the handshake changes the interest.
    loop_.watch(fd, EPOLLOUT, *this);
    set_deadline(started_ + plan_.timeout);
    if (rc == 0) connected(now);
  } else {
    // A connect() that fails at once failed on this host (no route, a route that
    // rejects, no local port): no SYN left it, and no answer came from anywhere.
    result_.local = true;
    connect_failed(err, now);
  }
}

void TcpAttempt::on_io(int /*fd*/, std::uint32_t events) {
  // The clock is read here, not from the loop's turn, so the handshake time carries
  // no delay from whatever else the turn dispatched first.
  auto now = Clock::now();
  switch (phase_) {
    case Phase::connecting: {
      // Writable without an error flag is a finished handshake: SO_ERROR is read
      // only when the kernel flagged one, a system call saved per attempt.
      if ((events & (EPOLLERR | EPOLLHUP)) == 0) {
        if ((events & EPOLLOUT) != 0) connected(now);
        return;
      }
      int err = sockkit::take_socket_error(fd_.get());
      connect_failed(err != 0 ? err : ECONNRESET, now);
      return;
    }
    case Phase::requesting: on_request_io(events, now); return;
    case Phase::closing: on_close_io(now); return;
    case Phase::idle: return;
  }
}

void TcpAttempt::on_timer(std::uint64_t cookie) {
  if (cookie == kCloseSample) {
    sample_ = {};
    if (phase_ == Phase::closing) next_close_sample();
    return;
  }
  deadline_ = {};
  switch (phase_) {
    case Phase::connecting:
      if (auto info = sockkit::read_tcp_info(fd_.get())) result_.syn_retrans = info->total_retrans;
      finish(Outcome::timeout, true);
      return;
    case Phase::requesting:
      fail_request(result_.ttfb_ms < 0 ? "no answer to the request in time"
                                       : "the expected text did not come in time");
      return;
    case Phase::closing:
      sample_close_state();
      result_.close_end = CloseEnd::timeout;
      finish(Outcome::connected, true);
      return;
    case Phase::idle: return;
  }
}

void TcpAttempt::connected(Clock::time_point now) {
  result_.rtt_ms = ms_between(started_, now);
  if (auto info = sockkit::read_tcp_info(fd_.get())) {
    result_.kernel_rtt_ms = info->rtt_us / 1000.0;
    result_.syn_retrans = info->total_retrans;
  }
  if (plan_.send || plan_.expect) {
    begin_request(now);
  } else if (plan_.close) {
    begin_close(now);
  } else {
    finish(Outcome::connected, true);
  }
}

void TcpAttempt::connect_failed(int err, Clock::time_point now) {
  result_.error = err;
  if (auto info = sockkit::read_tcp_info(fd_.get())) result_.syn_retrans = info->total_retrans;
  result_.icmp = sockkit::read_icmp_error(fd_.get());
  auto outcome = failure_outcome(err, result_.icmp, result_.local);
  // An answer (a reset, an ICMP error) has a time; silence and local failures have none.
  if (!result_.local && (outcome == Outcome::refused || outcome == Outcome::unreachable)) {
    result_.rtt_ms = ms_between(started_, now);
  }
  finish(outcome, false);
}

void TcpAttempt::set_deadline(Clock::time_point at) {
  loop_.cancel(deadline_);
  deadline_ = loop_.add_timer(at, *this, kDeadline);
}

void TcpAttempt::finish(Outcome outcome, bool reset) {
  loop_.cancel(deadline_);
  loop_.cancel(sample_);
  if (fd_) {
    // Closing takes the socket out of the epoll set: no epoll_ctl call needed.
    loop_.forget(fd_.get());
    if (reset) {
      // A reset instead of a FIN: a ping every second for days must not leave a
      // TIME_WAIT socket per attempt on this host.
      linger lg{1, 0};
      ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    fd_.reset();
  }
  phase_ = Phase::idle;
  result_.outcome = outcome;
  sink_.released(*this);
  sink_.on_result(result_);
}

void TcpAttempt::abandon() {
  if (phase_ == Phase::idle) return;
  // A handshake without its answer yet, or a request without its response, has no
  // outcome; a close still under way leaves the attempt connected.
  finish(phase_ == Phase::closing ? Outcome::connected : Outcome::in_flight, true);
}

}  // namespace sk_ping
