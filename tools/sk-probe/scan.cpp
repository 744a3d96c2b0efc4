// The scan engine: non-blocking connects (TCP) or connected datagram sockets (UDP)
// on one epoll loop, up to --parallel in flight, paced by --rate, with timeouts that
// follow the round trips the answers show. A probe costs socket, connect and close
// plus what its answer needs (a refusal on loopback: two connects on a reused
// socket); nothing is allocated per probe.
#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "probe.hpp"
#include "probe_socket.hpp"
#include "progress.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/signal_watch.hpp"
#include "verdict.hpp"

namespace sk_probe {

std::uint64_t ScanPlan::probe_count() const {
  std::uint64_t total = 0;
  for (const auto& host : hosts) total += host.port ? 1 : ports.count();
  return total;
}

namespace {

using Clock = sockkit::EventLoop::Clock;

constexpr std::uint64_t kSweepTimer = 1;
constexpr std::uint64_t kPaceTimer = 2;
constexpr std::uint64_t kFillTimer = 3;
// Probes started per turn of the loop: answers are read between batches, so round
// trips are measured, and timeouts judged, on a loop that keeps up.
constexpr int kLaunchBatch = 128;
constexpr auto kSweepEvery = std::chrono::milliseconds(10);

// Walks hosts x ports in order without materialising the pairs.
// Shard `shard` of `shards` takes every shards-th pair, so threads split any scan
// evenly, one host or many.
class JobCursor {
 public:
  JobCursor(const ScanPlan& plan, unsigned shard, unsigned shards) : plan_(plan), shards_(shards) {
    settle();
    for (unsigned i = 0; i < shard && !done(); ++i) step();
  }

  [[nodiscard]] bool done() const { return host_ >= plan_.hosts.size(); }
  [[nodiscard]] std::uint32_t host() const { return static_cast<std::uint32_t>(host_); }
  [[nodiscard]] std::uint16_t port() const { return port_; }

  void next() {
    for (unsigned i = 0; i < shards_ && !done(); ++i) step();
  }

 private:
  void step() {
    const auto& h = plan_.hosts[host_];
    auto ranges = plan_.ports.ranges();
    if (!h.port && port_ < ranges[range_].last) {
      ++port_;
      return;
    }
    if (!h.port && range_ + 1 < ranges.size()) {
      ++range_;
      port_ = ranges[range_].first;
      return;
    }
    ++host_;
    settle();
  }

  void settle() {
    range_ = 0;
    if (done()) return;
    const auto& h = plan_.hosts[host_];
    if (h.port) {
      port_ = *h.port;
    } else if (plan_.ports.empty()) {
      ++host_;
      settle();
    } else {
      port_ = plan_.ports.ranges()[0].first;
    }
  }

  const ScanPlan& plan_;
  unsigned shards_;
  std::size_t host_ = 0;
  std::size_t range_ = 0;
  std::uint16_t port_ = 0;
};

struct Retry {
  std::uint32_t host;
  std::uint16_t port;
  std::uint8_t attempts;
};

class Scanner : public sockkit::IoHandler, public sockkit::TimerHandler {
 public:
  // `done` counts finished probes over every shard; `progress` is drawn by shard 0 only.
  Scanner(const ScanPlan& plan, std::unique_ptr<ResultSink> sink, unsigned shard, unsigned shards,
          std::atomic<std::uint64_t>& done, std::atomic<std::int64_t>& shared_timeout,
          Progress* progress);
  // `epoch`: the scan's start, the same for every shard, from which --rate paces.
  ScanTotals run(Clock::time_point epoch);
  void stop() noexcept { loop_.stop(); }
  [[nodiscard]] sockkit::EventLoop& loop() noexcept { return loop_; }
  void on_io(int fd, std::uint32_t events) override;
  void on_timer(std::uint64_t cookie) override;

 private:
  struct Slot {
    ProbeSocket socket;
    std::uint32_t host = 0;
    std::uint16_t port = 0;
    std::uint8_t attempts = 0;
    bool busy = false;
    bool reading_banner = false;
    Clock::time_point sent;
    Clock::time_point banner_deadline;
    double rtt_ms = -1;
  };

  [[nodiscard]] Result result_of(const Slot& slot, State state) const;
  void fill();
  [[nodiscard]] bool more() const { return !retries_.empty() || !cursor_.done(); }
  [[nodiscard]] bool rate_allows(Clock::time_point now);
  void launch(std::uint32_t host, std::uint16_t port, std::uint8_t attempts);
  void watch(Slot& slot, std::uint32_t events);
  void handle(Slot& slot, const Answer& answer);
  void finish(Slot& slot, Result& result);
  void release(Slot& slot);
  void sweep();

  const ScanPlan& plan_;
  std::unique_ptr<ResultSink> sink_;
  sockkit::EventLoop loop_;
  JobCursor cursor_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> slot_of_fd_;  // fd -> slot + 1
  std::vector<Retry> retries_;
  // Shared with the other shards, so one whose own ports are all silent does not wait
  // the full --timeout.
  ProbeTimeouts timeouts_;
  std::atomic<std::uint64_t>& done_;
  Progress* progress_;
  unsigned shard_;
  unsigned shards_;
  ScanTotals totals_;
  Clock::time_point start_;
  Clock::time_point epoch_;
  std::uint64_t launched_ = 0;
  std::size_t busy_ = 0;
  bool pace_armed_ = false;
  bool fill_armed_ = false;
  bool filling_ = false;
};

Scanner::Scanner(const ScanPlan& plan, std::unique_ptr<ResultSink> sink, unsigned shard,
                 unsigned shards, std::atomic<std::uint64_t>& done,
                 std::atomic<std::int64_t>& shared_timeout, Progress* progress)
    : plan_(plan),
      sink_(std::move(sink)),
      cursor_(plan, shard, shards),
      slots_(std::max(1U, plan.parallel / shards)),
      timeouts_(plan.hosts.size(), plan.timeout, shared_timeout),
      done_(done),
      progress_(progress),
      shard_(shard),
      shards_(shards) {
  free_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
  retries_.reserve(slots_.size());
}

ScanTotals Scanner::run(Clock::time_point epoch) {
  start_ = Clock::now();
  epoch_ = epoch;
  (void)loop_.add_timer(start_ + kSweepEvery, *this, kSweepTimer);
  fill();
  while ((busy_ > 0 || more()) && loop_.run_once(std::chrono::milliseconds(100))) {
  }
  totals_.interrupted = loop_.stopped();
  for (auto& slot : slots_) {
    if (slot.busy) release(slot);
  }
  sink_->flush();
  totals_.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
  return totals_;
}

Result Scanner::result_of(const Slot& slot, State state) const {
  Result r;
  r.host = slot.host;
  r.port = slot.port;
  r.state = state;
  r.attempts = slot.attempts;
  r.rtt_ms = slot.rtt_ms;
  r.udp = plan_.udp;
  return r;
}

// The scan's n-th attempt is due n / --rate seconds after the epoch; the shards take
// turns (shard s makes attempts s, s + shards, ...), so the first interval is the
// rate's like every other, and shards do not all start at once.
bool Scanner::rate_allows(Clock::time_point now) {
  if (plan_.rate <= 0) return true;
  auto slot = static_cast<double>(launched_ * shards_ + shard_);
  auto due =
      epoch_ + std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(slot / plan_.rate));
  if (now >= due) return true;
  if (!pace_armed_) {
    pace_armed_ = true;
    (void)loop_.add_timer(due, *this, kPaceTimer);
  }
  return false;
}

void Scanner::fill() {
  if (filling_) return;  // a probe answered at once inside launch() comes back here
  filling_ = true;
  auto now = Clock::now();
  int started = 0;
  while (!free_.empty() && more() && rate_allows(now)) {
    if (started++ == kLaunchBatch) {
      if (!fill_armed_) {
        fill_armed_ = true;
        (void)loop_.add_timer(now, *this, kFillTimer);
      }
      break;
    }
    if (!retries_.empty()) {
      Retry r = retries_.back();
      retries_.pop_back();
      launch(r.host, r.port, r.attempts);
    } else {
      std::uint32_t host = cursor_.host();
      std::uint16_t port = cursor_.port();
      cursor_.next();
      launch(host, port, 0);
    }
  }
  filling_ = false;
}

void Scanner::launch(std::uint32_t host, std::uint16_t port, std::uint8_t attempts) {
  std::uint32_t index = free_.back();
  free_.pop_back();
  Slot& slot = slots_[index];
  slot.host = host;
  slot.port = port;
  slot.attempts = static_cast<std::uint8_t>(attempts + 1);
  slot.busy = true;
  slot.reading_banner = false;
  slot.rtt_ms = -1;
  ++busy_;
  ++launched_;
  slot.sent = Clock::now();
  const auto& target = plan_.hosts[host].address;
  Answer answer = plan_.udp ? slot.socket.start_udp(target, port, plan_.source)
                            : slot.socket.start_tcp(target, port, plan_.source);
  if (answer.kind == AnswerKind::pending) return watch(slot, slot.socket.interest());
  handle(slot, answer);
}

// A probe answered inside connect() was never watched; one waiting is. Either way it
// ends up watched for `events`.
void Scanner::watch(Slot& slot, std::uint32_t events) {
  int fd = slot.socket.fd();
  auto at = static_cast<std::size_t>(fd);
  if (at >= slot_of_fd_.size()) slot_of_fd_.resize(std::max(at + 1, 2 * slot_of_fd_.size()));
  auto index = static_cast<std::uint32_t>(&slot - slots_.data());
  if (slot_of_fd_[at] == index + 1) {
    loop_.modify(fd, events);
    return;
  }
  slot_of_fd_[at] = index + 1;
  loop_.watch(fd, events, *this);
}

void Scanner::on_io(int fd, std::uint32_t events) {
  auto at = static_cast<std::size_t>(fd);
  if (at >= slot_of_fd_.size() || slot_of_fd_[at] == 0) return;
  Slot& slot = slots_[slot_of_fd_[at] - 1];
  if (slot.reading_banner) {
    Result result = result_of(slot, State::open);
    if (!slot.socket.read_banner(result.banner)) return;  // nothing yet
    finish(slot, result);
    fill();
    return;
  }
  handle(slot, plan_.udp ? slot.socket.udp_answer(events) : slot.socket.tcp_answer(events));
  fill();
}

// Turns an answer into a result (or into waiting for a banner, or for more).
void Scanner::handle(Slot& slot, const Answer& answer) {
  if (answer.kind == AnswerKind::pending) return;
  auto rtt = Clock::now() - slot.sent;
  Result result = result_of(slot, answer.state);
  result.error = answer.error;
  result.failure = answer.failure;
  result.icmp_type = answer.icmp_type;
  result.icmp_code = answer.icmp_code;
  result.icmp6 = answer.icmp6;
  result.self_connect = answer.self_connect;
  result.banner = answer.payload;
  if (teaches_round_trip(answer.error, answer.failure)) {
    result.rtt_ms = std::chrono::duration<double, std::milli>(rtt).count();
    timeouts_.learn(slot.host, rtt);
  }
  if (answer.state == State::open && plan_.banner && !plan_.udp) {
    slot.reading_banner = true;
    slot.rtt_ms = result.rtt_ms;
    slot.banner_deadline = Clock::now() + plan_.banner_wait;
    watch(slot, EPOLLIN | EPOLLRDHUP);
    return;
  }
  finish(slot, result);
}

void Scanner::finish(Slot& slot, Result& result) {
  ++totals_.probes;
  ++totals_.states[static_cast<std::size_t>(result.state)];
  done_.fetch_add(1, std::memory_order_relaxed);
  release(slot);
  sink_->add(result);
}

void Scanner::release(Slot& slot) {
  int fd = slot.socket.fd();
  if (fd >= 0) {
    loop_.forget(fd);
    auto at = static_cast<std::size_t>(fd);
    if (at < slot_of_fd_.size()) slot_of_fd_[at] = 0;
    slot.socket.release(plan_.close == CloseMode::rst);
  }
  slot.busy = false;
  --busy_;
  free_.push_back(static_cast<std::uint32_t>(&slot - slots_.data()));
}

// Silence is judged against the host's timeout as it stands now, so probes sent
// before the first answers arrived profit from what those answers taught.
void Scanner::sweep() {
  auto now = Clock::now();
  for (auto& slot : slots_) {
    if (!slot.busy) continue;
    if (slot.reading_banner) {
      if (now < slot.banner_deadline) continue;
      Result result = result_of(slot, State::open);
      finish(slot, result);
      continue;
    }
    if (now - slot.sent < timeouts_.timeout_for(slot.host)) continue;
    if (retry_after_silence(slot.attempts, plan_.retries)) {
      retries_.push_back({slot.host, slot.port, slot.attempts});
      release(slot);
      continue;
    }
    Result result = result_of(slot, silence_state(plan_.udp));
    finish(slot, result);
  }
  fill();
}

void Scanner::on_timer(std::uint64_t cookie) {
  if (cookie == kPaceTimer || cookie == kFillTimer) {
    (cookie == kPaceTimer ? pace_armed_ : fill_armed_) = false;
    fill();
    return;
  }
  sweep();
  sink_->flush();
  if (progress_ != nullptr) progress_->tick(done_.load(std::memory_order_relaxed));
  (void)loop_.add_timer(loop_.now() + kSweepEvery, *this, kSweepTimer);
}

}  // namespace

namespace {

// One thread per core up to four, and none beyond one per 256 probes: a short scan
// is over before a thread would start.
unsigned thread_count(const ScanPlan& plan) {
  if (plan.threads != 0) return plan.threads;
  auto cores = std::max(1U, std::thread::hardware_concurrency());
  auto by_size = static_cast<unsigned>(std::min<std::uint64_t>(plan.probe_count() / 256 + 1, 4));
  return std::max(1U, std::min({cores, 4U, by_size, plan.parallel}));
}

}  // namespace

ScanTotals run_scan(const ScanPlan& plan, const SinkMaker& make_sink) {
  unsigned shards = thread_count(plan);
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::int64_t> shared_timeout{0};
  Progress progress(plan.progress, plan.probe_count());
  std::vector<std::unique_ptr<Scanner>> scanners;
  for (unsigned i = 0; i < shards; ++i) {
    scanners.push_back(std::make_unique<Scanner>(plan, make_sink(), i, shards, done, shared_timeout,
                                                 i == 0 ? &progress : nullptr));
  }
  // Blocked here, before the other threads start, so only shard 0 hears Ctrl-C.
  sockkit::SignalWatch signals(scanners[0]->loop());
  std::vector<ScanTotals> parts(shards);
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto epoch = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (unsigned i = 1; i < shards; ++i) {
      threads.emplace_back([&, i] {
        try {
          parts[i] = scanners[i]->run(epoch);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          scanners[0]->stop();
        }
      });
    }
    try {
      parts[0] = scanners[0]->run(epoch);
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
    if (signals.fired() || failure) {
      for (auto& scanner : scanners) scanner->stop();
    }
  }  // joins
  progress.finish();
  if (failure) std::rethrow_exception(failure);
  ScanTotals totals;
  for (const auto& part : parts) {
    totals.probes += part.probes;
    for (std::size_t s = 0; s < kStateCount; ++s) totals.states[s] += part.states[s];
    totals.elapsed_s = std::max(totals.elapsed_s, part.elapsed_s);
  }
  totals.interrupted = signals.fired();
  return totals;
}

}  // namespace sk_probe
