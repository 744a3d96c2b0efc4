// SIGINT, SIGTERM and SIGHUP delivered to an event loop through a signalfd, so that Ctrl-C
// ends a load run or a scan with its summary instead of killing the process. The
// previous signal mask comes back when the watch goes away.
#pragma once

#include <signal.h>

#include "sockkit/event_loop.hpp"
#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

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

  static sigset_t watched_set() noexcept;

  EventLoop& loop_;
  sigset_t set_;
  BlockedSignals blocked_;
  Fd fd_;
  bool fired_ = false;
};

}  // namespace sockkit

SOCKKIT_API_END
