#include "sockkit/event_loop.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

namespace {

using sockkit::EventLoop;
using namespace std::chrono_literals;

struct Pair {
  sockkit::Fd a, b;
  Pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

struct Recorder : sockkit::IoHandler, sockkit::TimerHandler {
  std::vector<int> fds;
  std::vector<std::uint64_t> cookies;
  void on_io(int fd, std::uint32_t /*events*/) override {
    fds.push_back(fd);
    char buf[16];
    [[maybe_unused]] auto n = ::read(fd, buf, sizeof buf);
  }
  void on_timer(std::uint64_t cookie) override { cookies.push_back(cookie); }
};

}  // namespace

TEST_CASE("event_loop: a readable descriptor reaches its handler") {
  EventLoop loop;
  Pair pair;
  Recorder rec;
  loop.watch(pair.a.get(), EPOLLIN, rec);
  REQUIRE(::write(pair.b.get(), "x", 1) == 1);
  CHECK(loop.run_once(100ms));
  REQUIRE(rec.fds.size() == 1);
  CHECK(rec.fds[0] == pair.a.get());
}

TEST_CASE("event_loop: an unwatched descriptor gets nothing") {
  EventLoop loop;
  Pair pair;
  Recorder rec;
  loop.watch(pair.a.get(), EPOLLIN, rec);
  loop.unwatch(pair.a.get());
  REQUIRE(::write(pair.b.get(), "x", 1) == 1);
  loop.run_once(10ms);
  CHECK(rec.fds.empty());
}

TEST_CASE("event_loop: unwatching inside a handler drops the batch's later events") {
  // Two ready descriptors; whichever handler runs first unwatches the other, which
  // must then not be called, even though epoll already reported it.
  struct Killer : sockkit::IoHandler {
    EventLoop* loop = nullptr;
    int other[2] = {-1, -1};
    int calls = 0;
    void on_io(int fd, std::uint32_t /*events*/) override {
      ++calls;
      loop->unwatch(fd == other[0] ? other[1] : other[0]);
      loop->unwatch(fd);
    }
  };
  EventLoop loop;
  Pair p1, p2;
  Killer killer;
  killer.loop = &loop;
  killer.other[0] = p1.a.get();
  killer.other[1] = p2.a.get();
  loop.watch(p1.a.get(), EPOLLIN, killer);
  loop.watch(p2.a.get(), EPOLLIN, killer);
  REQUIRE(::write(p1.b.get(), "x", 1) == 1);
  REQUIRE(::write(p2.b.get(), "x", 1) == 1);
  loop.run_once(100ms);
  CHECK(killer.calls == 1);
}

TEST_CASE("event_loop: modify switches to write readiness") {
  EventLoop loop;
  Pair pair;
  Recorder rec;
  loop.watch(pair.a.get(), EPOLLIN, rec);
  loop.run_once(0ms);
  CHECK(rec.fds.empty());
  loop.modify(pair.a.get(), EPOLLOUT);
  loop.run_once(100ms);
  CHECK(rec.fds.size() == 1);
}

TEST_CASE("event_loop: timers fire in deadline order with their cookies") {
  EventLoop loop;
  Recorder rec;
  auto now = EventLoop::Clock::now();
  (void)loop.add_timer(now + 30ms, rec, 3);
  (void)loop.add_timer(now + 10ms, rec, 1);
  (void)loop.add_timer(now + 20ms, rec, 2);
  CHECK(loop.pending_timers() == 3);
  for (int i = 0; i < 50 && rec.cookies.size() < 3; ++i) loop.run_once(100ms);
  CHECK(rec.cookies == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(loop.pending_timers() == 0);
  CHECK(EventLoop::Clock::now() - now >= 30ms);
}

TEST_CASE("event_loop: a cancelled timer never fires and its id goes stale") {
  EventLoop loop;
  Recorder rec;
  auto id = loop.add_timer(EventLoop::Clock::now() + 5ms, rec, 7);
  CHECK(id.valid());
  loop.cancel(id);
  CHECK_FALSE(id.valid());
  CHECK(loop.pending_timers() == 0);
  std::this_thread::sleep_for(10ms);
  loop.run_once(0ms);
  CHECK(rec.cookies.empty());
}

TEST_CASE("event_loop: cancelling many timers keeps the heap bounded") {
  EventLoop loop;
  Recorder rec;
  auto later = EventLoop::Clock::now() + 1h;
  for (int i = 0; i < 10000; ++i) {
    auto id = loop.add_timer(later, rec, static_cast<std::uint64_t>(i));
    loop.cancel(id);
  }
  CHECK(loop.pending_timers() == 0);
  auto id = loop.add_timer(EventLoop::Clock::now(), rec, 42);
  CHECK(id.valid());
  loop.run_once(10ms);
  CHECK(rec.cookies == std::vector<std::uint64_t>{42});
}

TEST_CASE("event_loop: the wait ends at the next timer and not at max_wait") {
  EventLoop loop;
  Recorder rec;
  auto start = EventLoop::Clock::now();
  (void)loop.add_timer(start + 20ms, rec, 1);
  loop.run_once(5000ms);
  CHECK(rec.cookies.size() == 1);
  CHECK(EventLoop::Clock::now() - start < 1000ms);
}

TEST_CASE("event_loop: stop from another thread ends run") {
  EventLoop loop;
  std::thread stopper([&loop] {
    std::this_thread::sleep_for(20ms);
    loop.stop();
  });
  auto start = EventLoop::Clock::now();
  loop.run();
  stopper.join();
  CHECK(loop.stopped());
  CHECK(EventLoop::Clock::now() - start < 900ms);
  CHECK_FALSE(loop.run_once(0ms));
}
