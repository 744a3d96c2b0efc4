#include "sockkit/signal_watch.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sockkit/error.hpp"

namespace sockkit {

sigset_t SignalWatch::watched_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

SignalWatch::BlockedSignals::BlockedSignals(const sigset_t& set) {
  ::pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
}

SignalWatch::BlockedSignals::~BlockedSignals() {
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

SignalWatch::SignalWatch(EventLoop& loop)
    : loop_(loop),
      set_(watched_set()),
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
