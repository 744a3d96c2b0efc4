#include "wait.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "sockkit/event_loop.hpp"
#include "sockkit/signal_watch.hpp"

namespace sk_probe {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRoundGap = std::chrono::milliseconds(250);

// One host per (host, port) pair, so rounds can drop the pairs already open.
ScanPlan pairs_of(const ScanPlan& plan, std::vector<std::pair<std::uint32_t, std::uint16_t>>& ids) {
  ScanPlan pairs = plan;
  pairs.hosts.clear();
  for (std::uint32_t h = 0; h < plan.hosts.size(); ++h) {
    auto add = [&](std::uint16_t port) {
      auto host = plan.hosts[h];
      host.port = port;
      pairs.hosts.push_back(std::move(host));
      ids.emplace_back(h, port);
    };
    if (plan.hosts[h].port) {
      add(*plan.hosts[h].port);
    } else {
      plan.ports.for_each(add);
    }
  }
  return pairs;
}

// A round's results land in the slot of their pair; the threads of a round probe
// different pairs, so they never write the same slot.
class RoundSink : public ResultSink {
 public:
  RoundSink(std::vector<std::optional<Result>>& last, const std::vector<std::size_t>& index)
      : last_(last), index_(index) {}
  void add(const Result& r) override {
    auto& slot = last_[index_[r.host]];
    slot = r;
    slot->host = static_cast<std::uint32_t>(index_[r.host]);
  }

 private:
  std::vector<std::optional<Result>>& last_;
  const std::vector<std::size_t>& index_;
};

}  // namespace

ScanTotals run_wait(const ScanPlan& plan, Millis limit, Report& report) {
  std::vector<std::pair<std::uint32_t, std::uint16_t>> ids;
  ScanPlan pairs = pairs_of(plan, ids);
  std::vector<std::optional<Result>> last(pairs.hosts.size());
  auto start = Clock::now();
  auto deadline = start + limit;
  // Between rounds Ctrl-C must still end the wait with its results: the signals are
  // watched here too (a round's own watch takes them while it runs).
  sockkit::EventLoop pause;
  sockkit::SignalWatch signals(pause);
  bool interrupted = false;
  while (!interrupted) {
    ScanPlan round = pairs;
    round.hosts.clear();
    std::vector<std::size_t> index;  // round host -> pair
    for (std::size_t i = 0; i < pairs.hosts.size(); ++i) {
      if (last[i] && last[i]->state == State::open) continue;
      round.hosts.push_back(pairs.hosts[i]);
      index.push_back(i);
    }
    if (round.hosts.empty()) break;
    // One attempt per round, never past the deadline: the rounds are the retries.
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    round.timeout = std::clamp(left, Millis(1), plan.timeout);
    round.retries = 0;
    round.progress = false;
    auto totals = run_scan(round, [&] { return std::make_unique<RoundSink>(last, index); });
    interrupted = totals.interrupted;
    bool all_open = std::all_of(last.begin(), last.end(),
                                [](const auto& r) { return r && r->state == State::open; });
    auto now = Clock::now();
    if (all_open || now >= deadline) break;
    auto gap = std::min<Clock::duration>(kRoundGap, deadline - now);
    (void)pause.run_once(std::chrono::ceil<std::chrono::milliseconds>(gap));
    interrupted = interrupted || signals.fired();
  }
  ScanTotals totals;
  auto sink = report.sink();
  for (std::size_t i = 0; i < last.size(); ++i) {
    if (!last[i]) continue;
    Result r = *last[i];
    r.host = ids[i].first;
    ++totals.probes;
    ++totals.states[static_cast<std::size_t>(r.state)];
    sink->add(r);
  }
  sink->flush();
  totals.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  totals.interrupted = interrupted;
  return totals;
}

}  // namespace sk_probe
