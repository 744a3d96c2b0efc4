// One thread's event loop: epoll for descriptors, a deadline heap for timers, and an
// eventfd so another thread (or a signal handler thread) can stop it. Shared by the
// commands that wait on many sockets at once (echo, probe, ping).
//
// Nothing on the dispatch path allocates: descriptors are looked up in a table
// indexed by fd, timers live in reusable slots, and the heap only grows to the
// largest number of timers ever pending at once.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Receives readiness for a watched descriptor. `events` is the epoll mask (EPOLLIN,
// EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR).
class IoHandler {
 public:
  virtual void on_io(int fd, std::uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

// Receives an expired timer with the cookie it was scheduled with.
class TimerHandler {
 public:
  virtual void on_timer(std::uint64_t cookie) = 0;

 protected:
  ~TimerHandler() = default;
};

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // Names a scheduled timer; stale once it fired or was cancelled.
  struct TimerId {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;  // 0 never names a live timer
    [[nodiscard]] bool valid() const noexcept { return generation != 0; }
  };

  // Throws std::system_error when epoll or the eventfd cannot be created.
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Level-triggered. The handler must outlive the watch; unwatch() before closing fd.
  void watch(int fd, std::uint32_t events, IoHandler& handler);
  void modify(int fd, std::uint32_t events);
  // Safe to call from inside a handler, for any fd: events already collected for fd
  // in the current batch are dropped, so a handler may destroy what it watched.
  void unwatch(int fd) noexcept;
  // As unwatch(), without the epoll_ctl call, for a descriptor the caller closes next
  // and never duplicated: closing it takes it out of the epoll set. Scans that open
  // and close a socket per probe save a system call each.
  void forget(int fd) noexcept;

  [[nodiscard]] TimerId add_timer(Clock::time_point deadline, TimerHandler& handler,
                                  std::uint64_t cookie);
  void cancel(TimerId& id) noexcept;
  [[nodiscard]] std::size_t pending_timers() const noexcept { return live_timers_; }

  // The time read once per turn, so handlers share one cheap clock reading.
  [[nodiscard]] Clock::time_point now() const noexcept { return now_; }

  // Waits for events or the next timer (at most `max_wait`), dispatches them, and
  // returns false once stop() was called.
  bool run_once(std::chrono::milliseconds max_wait = std::chrono::milliseconds(1000));
  // Turns until stop().
  void run();
  // Thread-safe and async-signal-safe: makes run() return after the current turn.
  void stop() noexcept;
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }

 private:
  struct Watch {
    IoHandler* handler = nullptr;
    std::uint32_t generation = 0;
  };
  struct TimerSlot {
    TimerHandler* handler = nullptr;
    std::uint64_t cookie = 0;
    std::uint32_t generation = 1;
    bool live = false;
  };
  struct HeapEntry {
    Clock::time_point deadline;
    std::uint32_t slot;
    std::uint32_t generation;
  };

  [[nodiscard]] std::chrono::nanoseconds wait_timeout(std::chrono::milliseconds max_wait) const;
  [[nodiscard]] int wait(std::chrono::nanoseconds timeout);
  void dispatch(const epoll_event& event);
  void fire_timers();
  void compact_heap();
  void free_slot(std::uint32_t slot) noexcept;

  static constexpr int kMaxEvents = 256;
  Fd epoll_;
  Fd wake_;
  std::vector<Watch> watches_;  // indexed by fd
  std::vector<TimerSlot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<HeapEntry> heap_;  // min-heap on deadline; cancelled entries linger
  std::size_t live_timers_ = 0;
  std::array<epoll_event, kMaxEvents> events_{};
  Clock::time_point now_ = Clock::now();
  std::atomic<bool> stopped_{false};
};

}  // namespace sockkit

SOCKKIT_API_END
