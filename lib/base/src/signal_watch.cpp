#include "sockkit/signal_watch.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "sockkit/error.hpp"

namespace sockkit {

sigset_t stop_signals() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void block_stop_signals() noexcept {
  sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal(std::chrono::nanoseconds timeout) {
  sigset_t set = stop_signals();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::max(std::chrono::nanoseconds(0), deadline - std::chrono::steady_clock::now());
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec wait{static_cast<std::time_t>(seconds.count()),
                  static_cast<long>((left - seconds).count())};
    int sig = ::sigtimedwait(&set, nullptr, &wait);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return 0;
    if (errno != EINTR) throw_errno("cannot wait for a signal");
  }
}

SignalWatch::BlockedSignals::BlockedSignals(const sigset_t& set) {
  ::pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
}

SignalWatch::BlockedSignals::~BlockedSignals() {
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

SignalWatch::SignalWatch(EventLoop& loop)
    : loop_(loop),
      set_(stop_signals()),
      blocked_(set_),
      fd_(::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC)) {
  if (!fd_) throw_errno("cannot create a signalfd");
  loop_.watch(fd_.get(), EPOLLIN, *this);
}

SignalWatch::~SignalWatch() {
  loop_.unwatch(fd_.get());
}

void SignalWatch::on_io(int fd, std::uint32_t /*events*/) {
  signalfd_siginfo info{};
  if (::read(fd, &info, sizeof info) > 0) fired_ = true;
  loop_.stop();
}

}  // namespace sockkit
