#include "sockkit/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sockkit/error.hpp"

namespace sockkit {

namespace {

// Later deadlines sink: std::push_heap keeps the earliest on top with this order.
struct Later {
  template <typename Entry>
  bool operator()(const Entry& a, const Entry& b) const noexcept {
    return a.deadline > b.deadline;
  }
};

// The fd goes in the low half of epoll's user data and the watch generation in the
// high half, so an event collected for an fd that was since unwatched (and perhaps
// reused by a new connection) is recognised and dropped.
std::uint64_t pack(int fd, std::uint32_t generation) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(fd)) |
         (static_cast<std::uint64_t>(generation) << 32);
}

}  // namespace

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_) throw_errno("cannot create an epoll instance");
  if (!wake_) throw_errno("cannot create an eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = pack(wake_.get(), 0);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) {
    throw_errno("cannot watch the eventfd");
  }
}

void EventLoop::watch(int fd, std::uint32_t events, IoHandler& handler) {
  auto index = static_cast<std::size_t>(fd);
  if (index >= watches_.size()) watches_.resize(std::max(index + 1, watches_.size() * 2));
  Watch& w = watches_[index];
  w.handler = &handler;
  ++w.generation;
  if (w.generation == 0) ++w.generation;  // 0 is the eventfd's mark
  epoll_event event{};
  event.events = events;
  event.data.u64 = pack(fd, w.generation);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    w.handler = nullptr;
    throw_errno(fmt::format("cannot watch descriptor {}", fd));
  }
}

void EventLoop::modify(int fd, std::uint32_t events) {
  const Watch& w = watches_.at(static_cast<std::size_t>(fd));
  epoll_event event{};
  event.events = events;
  event.data.u64 = pack(fd, w.generation);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
    throw_errno(fmt::format("cannot change the events of descriptor {}", fd));
  }
}

void EventLoop::unwatch(int fd) noexcept {
  auto index = static_cast<std::size_t>(fd);
  if (index >= watches_.size() || watches_[index].handler == nullptr) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watches_[index].handler = nullptr;
  ++watches_[index].generation;  // events already collected for fd no longer match
}

void EventLoop::forget(int fd) noexcept {
  auto index = static_cast<std::size_t>(fd);
  if (index >= watches_.size() || watches_[index].handler == nullptr) return;
  watches_[index].handler = nullptr;
  ++watches_[index].generation;
}

EventLoop::TimerId EventLoop::add_timer(Clock::time_point deadline, TimerHandler& handler,
                                        std::uint64_t cookie) {
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    free_slots_.reserve(slots_.capacity());  // so free_slot() never allocates
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  TimerSlot& s = slots_[slot];
  s.handler = &handler;
  s.cookie = cookie;
  s.live = true;
  heap_.push_back({deadline, slot, s.generation});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  ++live_timers_;
  return {slot, s.generation};
}

void EventLoop::free_slot(std::uint32_t slot) noexcept {
  TimerSlot& s = slots_[slot];
  s.live = false;
  s.handler = nullptr;
  if (++s.generation == 0) s.generation = 1;
  free_slots_.push_back(slot);  // capacity reserved by add_timer's growth of slots_
  --live_timers_;
}

void EventLoop::cancel(TimerId& id) noexcept {
  if (id.valid() && id.slot < slots_.size()) {
    const TimerSlot& s = slots_[id.slot];
    if (s.live && s.generation == id.generation) free_slot(id.slot);
  }
  id = {};
  // Cancelled entries stay in the heap until they surface; rebuild it when they
  // outnumber the live ones, so cancel-heavy use (idle timers) stays bounded.
  if (heap_.size() > 64 && heap_.size() > 4 * live_timers_) compact_heap();
}

void EventLoop::compact_heap() {
  std::erase_if(heap_, [this](const HeapEntry& e) {
    const TimerSlot& s = slots_[e.slot];
    return !s.live || s.generation != e.generation;
  });
  std::make_heap(heap_.begin(), heap_.end(), Later{});
}

std::chrono::nanoseconds EventLoop::wait_timeout(std::chrono::milliseconds max_wait) const {
  std::chrono::nanoseconds wait = max_wait;
  if (!heap_.empty()) {
    auto until =
        std::chrono::duration_cast<std::chrono::nanoseconds>(heap_.front().deadline - Clock::now());
    wait = std::clamp<std::chrono::nanoseconds>(until, std::chrono::nanoseconds(0), max_wait);
  }
  return wait;
}

// epoll_pwait2 takes a timespec, so a timer fires when it is due and not at the next
// whole millisecond (an open-loop load would otherwise add up to 1 ms to every
// latency it measures). Kernels before 5.11 lack it: epoll_wait, rounded up.
int EventLoop::wait(std::chrono::nanoseconds timeout) {
  static std::atomic<bool> precise{true};
  if (precise.load(std::memory_order_relaxed)) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    timespec ts{static_cast<time_t>(seconds.count()),
                static_cast<long>((timeout - seconds).count())};
    int n = ::epoll_pwait2(epoll_.get(), events_.data(), kMaxEvents, &ts, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    precise.store(false, std::memory_order_relaxed);
  }
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout);
  return ::epoll_wait(epoll_.get(), events_.data(), kMaxEvents, static_cast<int>(ms.count()));
}

void EventLoop::dispatch(const epoll_event& event) {
  auto fd = static_cast<int>(event.data.u64 & 0xffffffffU);
  auto generation = static_cast<std::uint32_t>(event.data.u64 >> 32);
  if (fd == wake_.get() && generation == 0) {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(wake_.get(), &count, sizeof count);
    return;
  }
  auto index = static_cast<std::size_t>(fd);
  if (index >= watches_.size()) return;
  const Watch& w = watches_[index];
  if (w.handler == nullptr || w.generation != generation) return;
  w.handler->on_io(fd, event.events);
}

void EventLoop::fire_timers() {
  while (!heap_.empty() && heap_.front().deadline <= now_) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    HeapEntry entry = heap_.back();
    heap_.pop_back();
    TimerSlot& s = slots_[entry.slot];
    if (!s.live || s.generation != entry.generation) continue;
    TimerHandler* handler = s.handler;
    std::uint64_t cookie = s.cookie;
    free_slot(entry.slot);  // before the call: the handler may schedule again
    handler->on_timer(cookie);
  }
}

bool EventLoop::run_once(std::chrono::milliseconds max_wait) {
  if (stopped_) return false;
  int n = wait(wait_timeout(max_wait));
  // A full batch means more is ready: serve it before the timers, so that a timeout
  // never fires for an answer that is already waiting in the queue (bounded, so a
  // flood cannot starve the timers for good).
  for (int batches = 0; n > 0 && !stopped_; ++batches) {
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) dispatch(events_[static_cast<std::size_t>(i)]);
    if (n < kMaxEvents || batches == 64) break;
    n = wait(std::chrono::nanoseconds(0));
  }
  if (n < 0 && errno != EINTR) throw_errno("epoll_wait failed");
  now_ = Clock::now();
  fire_timers();
  return !stopped_;
}

void EventLoop::run() {
  while (run_once()) {
  }
}

void EventLoop::stop() noexcept {
  stopped_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

}  // namespace sockkit
