#include "sockkit/signal_watch.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

#include <doctest/doctest.h>

namespace {

using namespace std::chrono_literals;

bool blocked(int signal) {
  sigset_t now;
  REQUIRE(::pthread_sigmask(SIG_SETMASK, nullptr, &now) == 0);
  return sigismember(&now, signal) == 1;
}

std::set<int> epoll_descriptors() {
  std::set<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target == "anon_inode:[eventpoll]")
      found.insert(std::stoi(entry.path().filename().string()));
  }
  return found;
}

// Puts a descriptor that is no epoll instance in place of the loop's epoll one, so that
// every watch() on the loop fails with EINVAL as a real epoll_ctl failure would.
void break_epoll(const std::set<int>& before) {
  auto after = epoll_descriptors();
  int target = -1;
  for (int fd : after)
    if (!before.contains(fd)) target = fd;
  REQUIRE(target >= 0);
  int stand_in = ::memfd_create("not-epoll", MFD_CLOEXEC);
  REQUIRE(stand_in >= 0);
  REQUIRE(::dup3(stand_in, target, O_CLOEXEC) == target);
  ::close(stand_in);
}

}  // namespace

TEST_CASE("signal_watch: blocks the three signals while it lives and restores the mask after") {
  REQUIRE_FALSE(blocked(SIGHUP));
  sockkit::EventLoop loop;
  {
    sockkit::SignalWatch watch(loop);
    CHECK(blocked(SIGINT));
    CHECK(blocked(SIGTERM));
    CHECK(blocked(SIGHUP));
  }
  CHECK_FALSE(blocked(SIGINT));
  CHECK_FALSE(blocked(SIGTERM));
  CHECK_FALSE(blocked(SIGHUP));
}

TEST_CASE("signal_watch: a signal stops the loop and is reported") {
  sockkit::EventLoop loop;
  sockkit::SignalWatch watch(loop);
  REQUIRE(::kill(::getpid(), SIGHUP) == 0);
  loop.run_once(1000ms);
  CHECK(watch.fired());
}

TEST_CASE("signal_watch: a failed watch leaves the signal mask as it was") {
  auto before = epoll_descriptors();
  sockkit::EventLoop loop;
  break_epoll(before);
  CHECK_THROWS_AS(sockkit::SignalWatch{loop}, std::system_error);
  CHECK_FALSE(blocked(SIGINT));
  CHECK_FALSE(blocked(SIGTERM));
  CHECK_FALSE(blocked(SIGHUP));
}

TEST_CASE("stop signals: blocked for good, then read by a wait") {
  sigset_t before;
  REQUIRE(::pthread_sigmask(SIG_SETMASK, nullptr, &before) == 0);
  sockkit::block_stop_signals();
  CHECK(blocked(SIGINT));
  CHECK(blocked(SIGTERM));
  CHECK(blocked(SIGHUP));
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    CAPTURE(sig);
    REQUIRE(::pthread_kill(::pthread_self(), sig) == 0);
    CHECK(sockkit::wait_for_stop_signal(1s) == sig);
  }
  auto start = std::chrono::steady_clock::now();
  CHECK(sockkit::wait_for_stop_signal(20ms) == 0);
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);
  REQUIRE(::pthread_sigmask(SIG_SETMASK, &before, nullptr) == 0);
}

TEST_CASE("stop signals: a watch made after block_stop_signals leaves them blocked") {
  sigset_t before;
  REQUIRE(::pthread_sigmask(SIG_SETMASK, nullptr, &before) == 0);
  sockkit::block_stop_signals();
  {
    sockkit::EventLoop loop;
    sockkit::SignalWatch watch(loop);
  }
  CHECK(blocked(SIGHUP));
  REQUIRE(::pthread_sigmask(SIG_SETMASK, &before, nullptr) == 0);
}
