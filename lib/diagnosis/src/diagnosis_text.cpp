// A finding's title (one line for people) and brief (a few words for a Nagios status
// line), written once its evidence, owners included, is complete.
#include <algorithm>

#include <fmt/format.h>

#include "diagnosis_rules.hpp"
#include "sockkit/address.hpp"

namespace sockkit::detail {
namespace {

std::string peer_text(const CountedPeer& peer) {
  if (!peer.port) return peer.address.to_string();
  return address_port_text(peer.address, *peer.port);
}

std::string endpoint_text(const IpAddress& address, std::uint16_t port) {
  return peer_text({address, port, 0});
}

// "(java pid 4121 :8080)": the main process and port behind a count.
std::string owner_and_port(const Evidence& evidence) {
  std::string inside;
  if (!evidence.processes.empty()) {
    const auto& top = evidence.processes.front();
    inside = fmt::format("{} pid {}", top.command, top.pid);
  }
  // A port holding one socket is one of many ephemeral ones: it names nothing.
  if (!evidence.local_ports.empty() && evidence.local_ports.front().sockets > 1) {
    inside += fmt::format("{}:{}", inside.empty() ? "" : " ", evidence.local_ports.front().port);
  }
  return inside.empty() ? "" : fmt::format(" ({})", inside);
}

std::string growth(const Evidence& evidence) {
  if (!evidence.rate_per_s || *evidence.rate_per_s <= 0) return "";
  return fmt::format(", growing +{:.1f}/s", *evidence.rate_per_s);
}

std::string top_peer(const Evidence& evidence) {
  return evidence.peers.empty() ? "" : fmt::format(" (peer {})", peer_text(evidence.peers.front()));
}

void state_text(Finding& f, std::string_view state, std::string_view what) {
  auto n = count_text(f.evidence.sockets);
  f.title = fmt::format("{} sockets in {}: {}{}", n, state, what, growth(f.evidence));
  f.brief = fmt::format("{} {}{}", n, state,
                        f.evidence.processes.empty() && f.evidence.local_ports.empty()
                            ? top_peer(f.evidence)
                            : owner_and_port(f.evidence));
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
  auto n = count_text(f.evidence.sockets);
  auto buckets = limit(f.evidence, "tcp_max_tw_buckets");
  std::string share;
  if (buckets > 0) {
    share = fmt::format(", {} of tcp_max_tw_buckets ({})",
                        percent_text(percent(double(f.evidence.sockets), double(buckets))),
                        count_text(static_cast<std::uint64_t>(buckets)));
  }
  auto overflow = counter_delta(f.evidence, "TcpExtTCPTimeWaitOverflow");
  f.title = fmt::format("{} sockets in TIME_WAIT{}{}{}", n, share, growth(f.evidence),
                        overflow > 0 ? fmt::format("; {} destroyed early (TCPTimeWaitOverflow)",
                                                   count_text(std::uint64_t(overflow)))
                                     : "");
  f.brief = fmt::format("{} TIME_WAIT", n);
}

void port_text(Finding& f) {
  if (f.evidence.tuples.empty()) return;
  const auto& t = f.evidence.tuples.front();
  f.title = fmt::format("{} of {} ephemeral ports toward {} are taken ({} in TIME_WAIT)",
                        count_text(t.used), count_text(t.range), endpoint_text(t.address, t.port),
                        count_text(t.time_wait));
  f.brief = fmt::format("{} ephemeral ports toward {} in use", percent_text(f.value),
                        endpoint_text(t.address, t.port));
}

void accept_queue_text(Finding& f) {
  if (f.evidence.listeners.empty()) {
    // ListenOverflows rose between two samples, but no listener holds a queue now.
    auto rise = counter_delta(f.evidence, "TcpExtListenOverflows");
    f.title = fmt::format(
        "{} handshakes dropped on full accept queues since the last sample "
        "(ListenOverflows); no listener's queue is full now",
        count_text(static_cast<std::uint64_t>(std::max<std::int64_t>(rise, 0))));
    f.brief = fmt::format("ListenOverflows +{}", rise);
    return;
  }
  const auto& l = f.evidence.listeners.front();
  std::string owner = l.pid ? fmt::format(" ({} pid {})", l.command, *l.pid) : "";
  auto where = endpoint_text(l.address, l.port);
  bool queue_fired = f.levels.warn && f.value >= *f.levels.warn;
  if (queue_fired && l.queue >= 2 && l.backlog > 0) {
    f.title = fmt::format("listener {}{}: {} connections wait for accept(), backlog {}", where,
                          owner, count_text(l.queue), count_text(l.backlog));
    f.brief = fmt::format("accept queue {}/{} on :{}{}", l.queue, l.backlog, l.port, owner);
  } else if (l.drops_delta.value_or(0) > 0) {
    f.title = fmt::format("listener {}{} dropped {} connection attempts since the last sample",
                          where, owner, count_text(std::uint64_t(*l.drops_delta)));
    f.brief = fmt::format("{} drops on :{}{}", *l.drops_delta, l.port, owner);
  } else {
    f.title = fmt::format("listener {}{} has dropped {} connection attempts since it started",
                          where, owner, count_text(l.drops.value_or(0)));
    f.brief = fmt::format("{} drops since start on :{}{}", l.drops.value_or(0), l.port, owner);
  }
}

void limit_share_text(Finding& f, std::string_view what, std::string_view limit_name) {
  f.title = fmt::format("{}, {} of {}", what, percent_text(f.value), limit_name);
  f.brief = fmt::format("{} {}", percent_text(f.value), limit_name);
}

}  // namespace

void compose_text(Finding& f, const RuleContext& ctx) {
  switch (f.rule) {
    case RuleId::close_wait:
      state_text(f, "CLOSE_WAIT", "the peers closed, the application has not");
      break;
    case RuleId::time_wait: time_wait_text(f); break;
    case RuleId::port_exhaustion: port_text(f); break;
    case RuleId::fin_wait2:
      state_text(f, "FIN_WAIT2", "we closed, the peers never sent their FIN");
      break;
    case RuleId::fin_wait1: state_text(f, "FIN_WAIT1", "our FIN is not acknowledged"); break;
    case RuleId::last_ack: state_text(f, "LAST_ACK", "our final FIN is not acknowledged"); break;
    case RuleId::closing:
      state_text(f, "CLOSING", "a simultaneous close whose FIN is not acknowledged");
      break;
    case RuleId::syn_recv: state_text(f, "SYN_RECV", "handshakes the clients do not finish"); break;
    case RuleId::syn_sent: {
      state_text(f, "SYN_SENT", "our connects get no answer");
      if (!f.evidence.peers.empty()) {
        f.brief = fmt::format("{} SYN_SENT to {}", count_text(f.evidence.sockets),
                              peer_text(f.evidence.peers.front()));
      }
      break;
    }
    case RuleId::accept_queue: accept_queue_text(f); break;
    case RuleId::orphans:
      limit_share_text(
          f, fmt::format("{} orphaned sockets", count_text(ctx.kernel.sockstat.tcp_orphan)),
          "tcp_max_orphans");
      break;
    case RuleId::tcp_memory:
      limit_share_text(f, "TCP buffer memory", "tcp_mem's high value");
      break;
  }
}

}  // namespace sockkit::detail
