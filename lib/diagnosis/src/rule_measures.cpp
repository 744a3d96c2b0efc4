// What each rule measures and when counters alone raise it, plus the helpers the
// evidence and title files share.
#include "rule_steps.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sockkit/table.hpp"

namespace sockkit::detail {
std::span<const CounterName> rule_counters(RuleId id) {
  static constexpr CounterName time_wait[] = {{"TcpExt", "TCPTimeWaitOverflow"}};
  static constexpr CounterName unacked_fin[] = {{"TcpExt", "TCPAbortOnTimeout"},
                                                {"Tcp", "RetransSegs"}};
  static constexpr CounterName syn_recv[] = {{"TcpExt", "SyncookiesSent"},
                                             {"TcpExt", "ListenOverflows"},
                                             {"TcpExt", "ListenDrops"},
                                             {"TcpExt", "TCPReqQFullDrop"}};
  static constexpr CounterName syn_sent[] = {{"TcpExt", "TCPSynRetrans"}, {"Tcp", "AttemptFails"}};
  static constexpr CounterName accept_queue[] = {{"TcpExt", "ListenOverflows"},
                                                 {"TcpExt", "ListenDrops"}};
  static constexpr CounterName orphans[] = {{"TcpExt", "TCPAbortOnMemory"}};
  static constexpr CounterName memory[] = {{"TcpExt", "TCPMemoryPressures"},
                                           {"TcpExt", "TCPAbortOnMemory"}};
  switch (id) {
    case RuleId::time_wait: return time_wait;
    case RuleId::fin_wait1:
    case RuleId::last_ack:
    case RuleId::closing: return unacked_fin;
    case RuleId::syn_recv: return syn_recv;
    case RuleId::syn_sent: return syn_sent;
    case RuleId::accept_queue: return accept_queue;
    case RuleId::orphans: return orphans;
    case RuleId::tcp_memory: return memory;
    default: return {};
  }
}

CounterReading read_counter(const RuleContext& ctx, const CounterName& counter) {
  CounterReading reading;
  reading.name = fmt::format("{}{}", counter.section, counter.name);
  reading.value = ctx.kernel.counters.get(counter.section, counter.name).value_or(0);
  if (ctx.input.previous_readings != nullptr) {
    auto before = ctx.input.previous_readings->counters.get(counter.section, counter.name);
    if (before) reading.delta = reading.value - *before;
  }
  return reading;
}

std::uint64_t state_count(const RuleContext& ctx, TcpState state) {
  auto counts = ctx.census.tcp.both();
  if (state == TcpState::syn_recv) return counts[state] + counts[TcpState::new_syn_recv];
  return counts[state];
}

double percent(double part, double whole) {
  return whole > 0 ? part * 100.0 / whole : 0;
}

std::string percent_text(double value) {
  return value < 10 ? fmt::format("{:.1f}%", value) : fmt::format("{:.0f}%", value);
}

std::string count_text(std::uint64_t value) {
  return group_thousands(value);
}

// Fill of a listener's accept queue; nullopt when its limit is unknown (/proc shows 0).
std::optional<double> queue_fill(const Listener& listener) {
  if (listener.backlog == 0) return std::nullopt;
  return percent(listener.queue, listener.backlog);
}

std::optional<std::uint32_t> previous_drops(const RuleContext& ctx, const Listener& listener) {
  if (ctx.input.previous == nullptr) return std::nullopt;
  for (const auto& before : ctx.input.previous->listeners_with_drops) {
    if (before.port == listener.port && before.address == listener.address) {
      return before.drops.value_or(0);
    }
  }
  return 0;  // not listed: it had dropped nothing, or did not exist yet
}

namespace {

bool counter_rose(const RuleContext& ctx, const CounterName& counter) {
  return read_counter(ctx, counter).delta.value_or(0) > 0;
}

bool listener_drops_rose(const RuleContext& ctx) {
  for (const auto& listener : ctx.observations.listeners()) {
    auto before = previous_drops(ctx, listener);
    if (before && listener.drops && *listener.drops > *before) return true;
  }
  return false;
}

std::optional<double> accept_queue_measure(const RuleContext& ctx) {
  double fullest = 0;
  for (const auto& listener : ctx.observations.listeners()) {
    // One connection waiting is a listener doing its job between two accept() calls.
    if (listener.queue < 2) continue;
    fullest = std::max(fullest, queue_fill(listener).value_or(0));
  }
  return fullest;
}

std::optional<double> port_use_measure(const RuleContext& ctx) {
  auto range = ctx.observations.ephemeral_range();
  if (!range) return std::nullopt;
  auto busiest = ctx.observations.busiest_tuples(1);
  if (busiest.empty()) return 0.0;
  return percent(static_cast<double>(busiest.front().used), static_cast<double>(range->count()));
}

}  // namespace

std::optional<double> rule_measure(RuleId id, const RuleContext& ctx) {
  const auto& rule = rule_info(id);
  if (rule.state) return static_cast<double>(state_count(ctx, *rule.state));
  const auto& sysctls = ctx.kernel.sysctls;
  switch (id) {
    case RuleId::port_exhaustion: return port_use_measure(ctx);
    case RuleId::accept_queue: return accept_queue_measure(ctx);
    case RuleId::orphans:
      if (!sysctls.tcp_max_orphans || *sysctls.tcp_max_orphans <= 0) return std::nullopt;
      return percent(static_cast<double>(ctx.kernel.sockstat.tcp_orphan),
                     static_cast<double>(*sysctls.tcp_max_orphans));
    case RuleId::tcp_memory:
      if (!sysctls.tcp_mem || (*sysctls.tcp_mem)[2] == 0) return std::nullopt;
      return percent(static_cast<double>(ctx.kernel.sockstat.tcp_mem_pages),
                     static_cast<double>((*sysctls.tcp_mem)[2]));
    default: return std::nullopt;
  }
}

std::optional<Severity> rule_floor(RuleId id, const RuleContext& ctx) {
  switch (id) {
    case RuleId::accept_queue: {
      if (counter_rose(ctx, {"TcpExt", "ListenOverflows"}) || listener_drops_rose(ctx)) {
        return Severity::warning;
      }
      bool dropped_ever =
          std::any_of(ctx.observations.listeners().begin(), ctx.observations.listeners().end(),
                      [](const Listener& listener) { return listener.drops.value_or(0) > 0; });
      return dropped_ever ? std::optional(Severity::info) : std::nullopt;
    }
    case RuleId::syn_recv:
      if (counter_rose(ctx, {"TcpExt", "SyncookiesSent"}) ||
          counter_rose(ctx, {"TcpExt", "TCPReqQFullDrop"})) {
        return Severity::warning;
      }
      return std::nullopt;
    case RuleId::time_wait:
      if (counter_rose(ctx, {"TcpExt", "TCPTimeWaitOverflow"})) return Severity::warning;
      return std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace sockkit::detail
