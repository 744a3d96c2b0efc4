#include "pinger.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/signal_watch.hpp"
#include "tcp_attempt.hpp"
#include "time_wait.hpp"
#include "udp_pinger.hpp"

namespace sk_ping {

namespace {

struct Lookup {
  std::optional<sockkit::SockAddress> address;
  double ms = 0;
  std::string error;
};

Lookup look_up(const Plan& plan) {
  Lookup out;
  auto start = Clock::now();
  try {
    auto addresses =
        sockkit::resolve(plan.host, plan.port, plan.version, plan.udp ? SOCK_DGRAM : SOCK_STREAM);
    if (!addresses.empty()) out.address = addresses.front();
  } catch (const sockkit::ResolveError& e) {
    out.error = e.what();
  }
  out.ms = ms_between(start, Clock::now());
  return out;
}

class Run : public sockkit::TimerHandler, public AttemptSink {
 public:
  Run(const Plan& plan, const RunHooks& hooks, const sockkit::SockAddress& first)
      : plan_(plan), hooks_(hooks), peer_(first), signals_(loop_) {
    tally_.udp = plan.udp;
    if (plan.close) time_wait_.emplace();
    if (plan.udp) udp_.emplace(loop_, plan, *this);
  }

  Tally go() {
    started_ = Clock::now();
    next_ = started_;
    (void)loop_.add_timer(next_, *this, kStart);
    if (plan_.deadline) (void)loop_.add_timer(started_ + *plan_.deadline, *this, kDeadline);
    loop_.run();
    tally_.interrupted = signals_.fired();
    for (auto& attempt : tcp_) attempt->abandon();
    if (udp_) udp_->abandon();
    tally_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
    return std::move(tally_);
  }

  void on_timer(std::uint64_t cookie) override {
    if (cookie == kDeadline) {
      loop_.stop();
      return;
    }
    start_next();
  }

  void on_result(const AttemptResult& result) override {
    tally_.add(result);
    if (hooks_.attempt) hooks_.attempt(result);
    if (all_done()) loop_.stop();
  }

 private:
  enum : std::uint64_t { kStart = 0, kDeadline = 1 };

  void released(TcpAttempt& attempt) override {
    idle_.push_back(&attempt);
    --busy_;
  }

  [[nodiscard]] bool all_done() const {
    if (plan_.count == 0 || seq_ < plan_.count) return false;
    return udp_ ? udp_->pending() == 0 : busy_ == 0;
  }

  void start_next() {
    ++seq_;
    double dns_ms = -1;
    if (plan_.resolve_each) {
      auto lookup = look_up(plan_);
      dns_ms = lookup.ms;
      if (!lookup.address) {
        fail_lookup(lookup);
        schedule_next();
        return;
      }
      peer_ = *lookup.address;
    }
    schedule_next();
    if (udp_) {
      udp_->send(seq_, peer_, dns_ms);
    } else {
      idle_attempt().start(seq_, peer_, dns_ms);
    }
  }

  // The next start keeps to the plan (start + n x interval), so slow lookups do
  // not make the run drift, but a late turn starts one attempt, not a burst.
  void schedule_next() {
    if (plan_.count != 0 && seq_ >= plan_.count) return;
    next_ += plan_.interval;
    // No attempt starts at or after the deadline only to be cut short by it.
    if (plan_.deadline && next_ >= started_ + *plan_.deadline) return;
    auto now = Clock::now();
    if (next_ < now) next_ = now;
    (void)loop_.add_timer(next_, *this, kStart);
  }

  void fail_lookup(const Lookup& lookup) {
    AttemptResult r;
    r.seq = seq_;
    r.peer = peer_;
    r.dns_ms = lookup.ms;
    r.outcome = Outcome::error;
    r.note = "the name did not resolve";
    r.timestamp_s = wall_clock_s();
    on_result(r);
  }

  // A free attempt from the pool (grown only while more are in flight than ever
  // before), counted busy until it is released.
  TcpAttempt& idle_attempt() {
    ++busy_;
    if (idle_.empty()) {
      tcp_.push_back(
          std::make_unique<TcpAttempt>(loop_, plan_, time_wait_ ? &*time_wait_ : nullptr, *this));
      return *tcp_.back();
    }
    TcpAttempt* attempt = idle_.back();
    idle_.pop_back();
    return *attempt;
  }

  const Plan& plan_;
  const RunHooks& hooks_;
  sockkit::SockAddress peer_;
  sockkit::EventLoop loop_;
  sockkit::SignalWatch signals_;
  std::optional<TimeWaitLookup> time_wait_;
  std::optional<UdpPinger> udp_;
  std::vector<std::unique_ptr<TcpAttempt>> tcp_;
  std::vector<TcpAttempt*> idle_;
  std::size_t busy_ = 0;
  Tally tally_;
  std::uint64_t seq_ = 0;
  Clock::time_point started_{};
  Clock::time_point next_{};
};

}  // namespace

Tally run_pings(const Plan& plan, const RunHooks& hooks) {
  // Every attempt still waiting holds a socket: a short interval with a long timeout
  // can need thousands at once.
  auto in_flight = static_cast<std::uint64_t>(plan.timeout / plan.interval) + 2;
  (void)sockkit::raise_descriptor_limit(std::min<std::uint64_t>(in_flight, 1U << 20) + 64);
  auto lookup = look_up(plan);
  if (!lookup.address) throw sockkit::ResolveError(0, lookup.error);
  if (plan.source) sockkit::check_source_family(*plan.source, *lookup.address, plan.target);
  sockkit::block_stop_signals();  // to the exit, so the summary is printed whatever comes
  Run run(plan, hooks, *lookup.address);
  if (hooks.started) hooks.started(*lookup.address, lookup.ms);
  auto tally = run.go();
  if (!plan.resolve_each) tally.dns.add(lookup.ms);
  return tally;
}

}  // namespace sk_ping
