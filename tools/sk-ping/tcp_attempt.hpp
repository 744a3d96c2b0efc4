// One TCP ping: a non-blocking connect timed from connect() to the kernel's word that
// the handshake is done, then, when asked, a request and its first answer byte, and
// the four-way close. A state machine on the event loop, reused from one attempt to
// the next so a long run allocates nothing per attempt.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "attempt.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"

namespace sk_ping {

class TcpAttempt;

class AttemptSink {
 public:
  virtual void on_result(const AttemptResult& result) = 0;
  // A TCP attempt is free for the next start; called just before its result.
  virtual void released(TcpAttempt& /*attempt*/) {}

 protected:
  ~AttemptSink() = default;
};

class TimeWaitLookup;

class TcpAttempt : public sockkit::IoHandler, public sockkit::TimerHandler {
 public:
  TcpAttempt(sockkit::EventLoop& loop, const Plan& plan, TimeWaitLookup* time_wait,
             AttemptSink& sink);
  TcpAttempt(const TcpAttempt&) = delete;
  TcpAttempt& operator=(const TcpAttempt&) = delete;
  ~TcpAttempt();

  void start(std::uint64_t seq, const sockkit::SockAddress& peer, double dns_ms);
  // The run is over: reports what is known, as in_flight when no answer came yet.
  void abandon();

  void on_io(int fd, std::uint32_t events) override;
  void on_timer(std::uint64_t cookie) override;

 private:
  enum class Phase : std::uint8_t { idle, connecting, requesting, closing };
  enum TimerKind : std::uint64_t { kDeadline = 0, kCloseSample = 1 };
  static constexpr std::size_t kMaxResponse = 65536;  // --expect looks this far
  static constexpr int kCloseReadsPerTurn = 4;        // of buffer_, while the peer still sends

  void open_and_connect();
  void connected(Clock::time_point now);
  void connect_failed(int err, Clock::time_point now);
  void begin_request(Clock::time_point now);
  void on_request_io(std::uint32_t events, Clock::time_point now);
  [[nodiscard]] bool send_pending();
  void request_done(Clock::time_point now);
  void begin_close(Clock::time_point now);
  void on_close_io(Clock::time_point now);
  void sample_close_state();
  void next_close_sample();
  void set_deadline(Clock::time_point at);
  void finish(Outcome outcome, bool reset);
  void fail_request(std::string_view why);

  sockkit::EventLoop& loop_;
  const Plan& plan_;
  TimeWaitLookup* time_wait_;
  AttemptSink& sink_;
  sockkit::Fd fd_;
  Phase phase_ = Phase::idle;
  AttemptResult result_;
  Clock::time_point started_{};
  Clock::time_point phase_started_{};
  sockkit::EventLoop::TimerId deadline_{};
  sockkit::EventLoop::TimerId sample_{};
  Nanos sample_step_{};
  std::size_t sent_bytes_ = 0;
  std::string response_;  // --expect: what came back so far (reserved once)
  std::array<char, 16384> buffer_{};
};

}  // namespace sk_ping
