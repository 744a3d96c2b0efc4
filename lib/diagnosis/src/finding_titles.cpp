// A finding's title (one line for people) and brief (a few words for a Nagios status
// line), written once its evidence, owners included, is complete. The words are the
// knowledge base's (finding_wording.hpp); this file fills in their fields.
#include <algorithm>

#include <fmt/format.h>

#include "rule_steps.hpp"
#include "sockkit/address.hpp"
#include "sockkit/finding_wording.hpp"

namespace sockkit::detail {
namespace {

using fmt::arg;

template <typename... Fields>
std::string say(std::string_view wording, const Fields&... fields) {
  return fmt::format(fmt::runtime(wording), fields...);
}

std::string_view phrase(std::string_view name) {
  return finding_wording(std::nullopt, name).title;
}

std::string peer_text(const CountedPeer& peer) {
  if (!peer.port) return peer.address.to_string();
  return address_port_text(peer.address, *peer.port);
}

std::string endpoint_text(const IpAddress& address, std::uint16_t port) {
  return peer_text({address, port, 0});
}

std::string process_text(const std::string& command, int pid) {
  return say(phrase("process"), arg("command", command), arg("pid", pid));
}

// "(java pid 4121 :8080)": the main process and port behind a count.
std::string owner_and_port(const Evidence& evidence) {
  std::string inside;
  if (!evidence.processes.empty()) {
    const auto& top = evidence.processes.front();
    inside = process_text(top.command, top.pid);
  }
  // A port holding one socket is one of many ephemeral ones: it names nothing.
  if (!evidence.local_ports.empty() && evidence.local_ports.front().sockets > 1) {
    inside += fmt::format("{}:{}", inside.empty() ? "" : " ", evidence.local_ports.front().port);
  }
  return inside.empty() ? "" : fmt::format(" ({})", inside);
}

std::string growth(const Evidence& evidence) {
  if (!evidence.rate_per_s || *evidence.rate_per_s <= 0) return "";
  return say(phrase("growth"), arg("rate_per_s", *evidence.rate_per_s));
}

std::string top_peer(const Evidence& evidence) {
  if (evidence.peers.empty()) return "";
  return say(phrase("peer"), arg("peer", peer_text(evidence.peers.front())));
}

void state_text(Finding& f) {
  const auto& wording = finding_wording(f.rule);
  auto sockets = count_text(f.evidence.sockets);
  f.title = say(wording.title, arg("sockets", sockets), arg("growth", growth(f.evidence)));
  auto detail = f.evidence.processes.empty() && f.evidence.local_ports.empty()
                    ? top_peer(f.evidence)
                    : owner_and_port(f.evidence);
  f.brief = say(wording.brief, arg("sockets", sockets), arg("detail", detail));
}

std::int64_t limit(const Evidence& evidence, std::string_view name) {
  for (const auto& l : evidence.limits) {
    if (l.name == name) return l.value;
  }
  return 0;
}

std::int64_t counter_delta(const Evidence& evidence, std::string_view name) {
  for (const auto& c : evidence.counters) {
    if (c.name == name) return c.delta.value_or(0);
  }
  return 0;
}

void time_wait_text(Finding& f) {
  auto sockets = count_text(f.evidence.sockets);
  auto buckets = limit(f.evidence, "tcp_max_tw_buckets");
  std::string share;
  if (buckets > 0) {
    share = say(finding_wording(RuleId::time_wait, "share").title,
                arg("percent", percent_text(percent(double(f.evidence.sockets), double(buckets)))),
                arg("limit", count_text(static_cast<std::uint64_t>(buckets))));
  }
  auto overflow = counter_delta(f.evidence, "TcpExtTCPTimeWaitOverflow");
  std::string destroyed;
  if (overflow > 0) {
    destroyed = say(finding_wording(RuleId::time_wait, "overflow").title,
                    arg("destroyed", count_text(std::uint64_t(overflow))));
  }
  const auto& wording = finding_wording(RuleId::time_wait);
  f.title = say(wording.title, arg("sockets", sockets), arg("share", share),
                arg("growth", growth(f.evidence)), arg("overflow", destroyed));
  f.brief = say(wording.brief, arg("sockets", sockets));
}

void port_text(Finding& f) {
  if (f.evidence.tuples.empty()) return;
  const auto& t = f.evidence.tuples.front();
  const auto& wording = finding_wording(RuleId::port_exhaustion);
  auto destination = endpoint_text(t.address, t.port);
  f.title = say(wording.title, arg("used", count_text(t.used)), arg("range", count_text(t.range)),
                arg("destination", destination), arg("time_wait", count_text(t.time_wait)));
  f.brief =
      say(wording.brief, arg("percent", percent_text(f.value)), arg("destination", destination));
}

void accept_queue_text(Finding& f) {
  if (f.evidence.listeners.empty()) {
    // ListenOverflows rose between two samples, but no listener holds a queue now.
    auto rise = counter_delta(f.evidence, "TcpExtListenOverflows");
    const auto& wording = finding_wording(RuleId::accept_queue);
    f.title = say(
        wording.title,
        arg("dropped", count_text(static_cast<std::uint64_t>(std::max<std::int64_t>(rise, 0)))));
    f.brief = say(wording.brief, arg("rise", rise));
    return;
  }
  const auto& l = f.evidence.listeners.front();
  std::string owner = l.pid ? fmt::format(" ({})", process_text(l.command, *l.pid)) : "";
  auto where = endpoint_text(l.address, l.port);
  bool queue_fired = f.levels.warn && f.value >= *f.levels.warn;
  std::string_view variant = "drops_since_start";
  if (queue_fired && l.queue >= 2 && l.backlog > 0) {
    variant = "full";
  } else if (l.drops_delta.value_or(0) > 0) {
    variant = "drops_since_sample";
  }
  auto drops = variant == "drops_since_sample" ? std::uint64_t(*l.drops_delta)
                                               : std::uint64_t{l.drops.value_or(0)};
  const auto& wording = finding_wording(RuleId::accept_queue, variant);
  f.title = say(wording.title, arg("listener", where), arg("owner", owner),
                arg("queue", count_text(l.queue)), arg("backlog", count_text(l.backlog)),
                arg("drops", count_text(drops)));
  f.brief = say(wording.brief, arg("queue_n", l.queue), arg("backlog_n", l.backlog),
                arg("port", l.port), arg("owner", owner), arg("drops_n", drops));
}

void limit_share_text(Finding& f, const RuleContext& ctx) {
  const auto& wording = finding_wording(f.rule);
  auto share = percent_text(f.value);
  auto orphans = count_text(ctx.kernel.sockstat.tcp_orphan);
  f.title = say(wording.title, arg("percent", share), arg("orphans", orphans));
  f.brief = say(wording.brief, arg("percent", share));
}

}  // namespace

void compose_text(Finding& f, const RuleContext& ctx) {
  switch (f.rule) {
    case RuleId::time_wait: time_wait_text(f); break;
    case RuleId::port_exhaustion: port_text(f); break;
    case RuleId::close_wait:
    case RuleId::fin_wait2:
    case RuleId::fin_wait1:
    case RuleId::last_ack:
    case RuleId::closing:
    case RuleId::syn_recv: state_text(f); break;
    case RuleId::syn_sent:
      state_text(f);
      if (!f.evidence.peers.empty()) {
        f.brief = say(finding_wording(RuleId::syn_sent, "to_peer").brief,
                      arg("sockets", count_text(f.evidence.sockets)),
                      arg("peer", peer_text(f.evidence.peers.front())));
      }
      break;
    case RuleId::accept_queue: accept_queue_text(f); break;
    case RuleId::orphans:
    case RuleId::tcp_memory: limit_share_text(f, ctx); break;
  }
}

}  // namespace sockkit::detail
