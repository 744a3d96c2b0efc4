// The one way a long-running mode ends on request: SIGINT, SIGTERM and SIGHUP (Ctrl-C,
// kill, a closed terminal) all end it with its summary instead of killing the process.
// They are blocked and read, never handled: by an event loop through a signalfd
// (SignalWatch: sk-probe, sk-ping, sk-echo's load) or by a wait between samples
// (wait_for_stop_signal: sk-states --watch, sk-echo's server).
#pragma once

#include <signal.h>

#include <chrono>

#include "sockkit/event_loop.hpp"
#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// SIGINT, SIGTERM and SIGHUP.
[[nodiscard]] sigset_t stop_signals() noexcept;

// Blocks the stop signals in the calling thread for good, before it starts threads (they
// inherit the mask). From then on one that arrives waits for the mode to read it, and a
// second one (timeout(1) signals the child, then its group) cannot kill the process
// while it prints what it found.
void block_stop_signals() noexcept;

// Waits up to `timeout` for a stop signal, which block_stop_signals() must have blocked;
// one already pending returns at once. The signal's number, or 0 when the time ran out.
[[nodiscard]] int wait_for_stop_signal(std::chrono::nanoseconds timeout);

// Delivers the stop signals to an event loop, which is stopped when one arrives. The
// previous signal mask comes back when the watch goes away.
class SignalWatch : public IoHandler {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and watches them on `loop`, which
  // is stopped when one arrives. Throws std::system_error when no signalfd can be made.
  explicit SignalWatch(EventLoop& loop);
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  ~SignalWatch();

  void on_io(int fd, std::uint32_t events) override;
  [[nodiscard]] bool fired() const noexcept { return fired_; }

 private:
  // Blocks the signals for its lifetime. A member of its own, constructed before the
  // signalfd, so that a constructor failing after it (a watch() that throws) still
  // gives the thread its mask back.
  class BlockedSignals {
   public:
    explicit BlockedSignals(const sigset_t& set);
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    ~BlockedSignals();

   private:
    sigset_t old_mask_{};
  };

  EventLoop& loop_;
  sigset_t set_;
  BlockedSignals blocked_;
  Fd fd_;
  bool fired_ = false;
};

}  // namespace sockkit

SOCKKIT_API_END
