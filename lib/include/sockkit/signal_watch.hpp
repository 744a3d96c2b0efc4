// SIGINT, SIGTERM and SIGHUP delivered to an event loop through a signalfd, so that Ctrl-C
// ends a load run or a scan with its summary instead of killing the process. The
// previous signal mask comes back when the watch goes away.
#pragma once

#include <signal.h>

#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"

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
  EventLoop& loop_;
  Fd fd_;
  sigset_t old_mask_{};
  bool fired_ = false;
};

}  // namespace sockkit
