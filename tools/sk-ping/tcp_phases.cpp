// The parts of a TCP ping after the handshake: a request and its answer (--send,
// --expect), and the four-way close (--close).
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "sockkit/tcp_info.hpp"
#include "tcp_attempt.hpp"
#include "time_wait.hpp"

namespace sk_ping {

void TcpAttempt::begin_request(Clock::time_point now) {
  phase_ = Phase::requesting;
  phase_started_ = now;
  std::uint32_t interest = EPOLLIN | EPOLLRDHUP;
  if (plan_.send && !send_pending()) return;
  if (plan_.send && sent_bytes_ < plan_.send->size()) interest |= EPOLLOUT;
  loop_.modify(fd_.get(), interest);
  set_deadline(now + plan_.timeout);
}

// Writes what is left of --send; false when the connection failed (already reported).
bool TcpAttempt::send_pending() {
  const auto& data = *plan_.send;
  while (sent_bytes_ < data.size()) {
    ssize_t n = ::send(fd_.get(), data.data() + sent_bytes_, data.size() - sent_bytes_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return true;
      result_.error = errno;
      fail_request("the request could not be sent");
      return false;
    }
    sent_bytes_ += static_cast<std::size_t>(n);
  }
  return true;
}

void TcpAttempt::on_request_io(std::uint32_t events, Clock::time_point now) {
  if ((events & EPOLLOUT) != 0 && plan_.send) {
    if (!send_pending()) return;
    if (sent_bytes_ == plan_.send->size()) loop_.modify(fd_.get(), EPOLLIN | EPOLLRDHUP);
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) return;
  ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    result_.error = errno;
    fail_request("the connection failed before an answer");
    return;
  }
  if (n == 0) {
    fail_request(result_.ttfb_ms < 0 ? "the server closed without answering"
                                     : "the server closed before the expected text");
    return;
  }
  if (result_.ttfb_ms < 0) result_.ttfb_ms = ms_between(phase_started_, now);
  result_.add_answer({buffer_.data(), static_cast<std::size_t>(n)});
  if (!plan_.expect) {
    request_done(now);
    return;
  }
  // The pattern may straddle two reads: search from where a match could begin.
  auto from =
      response_.size() >= plan_.expect->size() ? response_.size() - plan_.expect->size() + 1 : 0;
  response_.append(buffer_.data(),
                   std::min(static_cast<std::size_t>(n), kMaxResponse - response_.size()));
  if (response_.find(*plan_.expect, from) != std::string::npos) {
    result_.matched = true;
    request_done(now);
  } else if (response_.size() >= kMaxResponse) {
    fail_request("64 KiB came back without the expected text");
  }
}

void TcpAttempt::request_done(Clock::time_point now) {
  if (plan_.close) {
    begin_close(now);
  } else {
    finish(Outcome::connected, true);
  }
}

void TcpAttempt::fail_request(std::string_view why) {
  result_.note = why;
  finish(Outcome::mismatch, true);
}

void TcpAttempt::begin_close(Clock::time_point now) {
  phase_ = Phase::closing;
  phase_started_ = now;
  // shutdown() itself moves an established socket to FIN_WAIT1 as it sends our FIN;
  // what follows is read from the kernel, as far as it lets itself be seen.
  if (::shutdown(fd_.get(), SHUT_WR) == 0) result_.add_close_state(sockkit::TcpState::fin_wait1);
  sample_close_state();
  loop_.modify(fd_.get(), EPOLLIN | EPOLLRDHUP);
  set_deadline(now + plan_.timeout);
  // Looks at 1, 2, 4, 8... ms: a peer that acknowledges our FIN at once but closes
  // late is caught in FIN_WAIT2 whether its ACK is immediate or delayed (40 ms).
  sample_step_ = std::chrono::milliseconds(1);
  loop_.cancel(sample_);
  sample_ = loop_.add_timer(now + sample_step_, *this, kCloseSample);
}

void TcpAttempt::sample_close_state() {
  if (auto info = sockkit::read_tcp_info(fd_.get())) {
    // The socket we hold reads CLOSE once the peer's FIN has moved it to TIME_WAIT.
    if (info->state != sockkit::TcpState::close) result_.add_close_state(info->state);
  }
}

void TcpAttempt::next_close_sample() {
  sample_close_state();
  // FIN_WAIT2 (and CLOSING) change only when the peer's FIN comes, which ends the phase.
  if (result_.close_state_count == 0 ||
      result_.close_states[result_.close_state_count - 1] != sockkit::TcpState::fin_wait1) {
    return;
  }
  sample_step_ *= 2;
  if (loop_.now() + sample_step_ >= phase_started_ + plan_.timeout) return;
  sample_ = loop_.add_timer(loop_.now() + sample_step_, *this, kCloseSample);
}

void TcpAttempt::on_close_io(Clock::time_point now) {
  // A few reads per turn, then back to the loop: a peer that keeps sending must not
  // keep the deadline and the signals from being seen (the watch is level-triggered,
  // so what is left is read on the next turn).
  for (int reads = 0; reads < kCloseReadsPerTurn; ++reads) {
    ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n > 0) {
      // What the server still sends before its FIN is not ours to judge, only to count.
      result_.close_bytes += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    result_.close_ms = ms_between(phase_started_, now);
    if (n < 0) {
      result_.error = errno;
      result_.close_end = CloseEnd::reset;
      finish(Outcome::connected, false);
      return;
    }
    result_.close_end = CloseEnd::fin;
    sample_close_state();
    if (time_wait_ != nullptr) {
      auto local = sockkit::local_address(fd_.get());
      auto left = local ? time_wait_->seconds_left(*local, result_.peer) : std::nullopt;
      if (left) {
        result_.add_close_state(sockkit::TcpState::time_wait);
        result_.time_wait_left_s = *left;
      }
    }
    finish(Outcome::connected, false);
    return;
  }
  sample_close_state();
}

}  // namespace sk_ping
