#include "sockkit/signal_watch.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sockkit/error.hpp"

namespace sockkit {

SignalWatch::SignalWatch(EventLoop& loop) : loop_(loop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  ::pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_) {
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    throw_errno("cannot create a signalfd");
  }
  loop_.watch(fd_.get(), EPOLLIN, *this);
}

SignalWatch::~SignalWatch() {
  loop_.unwatch(fd_.get());
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void SignalWatch::on_io(int fd, std::uint32_t /*events*/) {
  signalfd_siginfo info{};
  if (::read(fd, &info, sizeof info) > 0) fired_ = true;
  loop_.stop();
}

}  // namespace sockkit
