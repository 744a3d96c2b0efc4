// The titles and briefs of findings. {growth} is the shared "growing" phrase when the
// measure rose between two --watch samples; {detail} and {owner} name, in brackets, the
// process ("java pid 4121") and port, or the peer, behind a count.
#include "sockkit/finding_wording.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace sockkit {
namespace {

constexpr FindingWording kWordings[] = {
    {RuleId::close_wait, "",
     "{sockets} sockets in CLOSE_WAIT: the peers closed, the application has not{growth}",
     "{sockets} CLOSE_WAIT{detail}"},
    {RuleId::time_wait, "", "{sockets} sockets in TIME_WAIT{share}{growth}{overflow}",
     "{sockets} TIME_WAIT"},
    {RuleId::time_wait, "share", ", {percent} of tcp_max_tw_buckets ({limit})", ""},
    {RuleId::time_wait, "overflow", "; {destroyed} destroyed early (TCPTimeWaitOverflow)", ""},
    {RuleId::port_exhaustion, "",
     "{used} of {range} ephemeral ports toward {destination} are taken ({time_wait} in "
     "TIME_WAIT)",
     "{percent} ephemeral ports toward {destination} in use"},
    {RuleId::fin_wait2, "",
     "{sockets} sockets in FIN_WAIT2: we closed, the peers never sent their FIN{growth}",
     "{sockets} FIN_WAIT2{detail}"},
    {RuleId::fin_wait1, "", "{sockets} sockets in FIN_WAIT1: our FIN is not acknowledged{growth}",
     "{sockets} FIN_WAIT1{detail}"},
    {RuleId::last_ack, "",
     "{sockets} sockets in LAST_ACK: our final FIN is not acknowledged{growth}",
     "{sockets} LAST_ACK{detail}"},
    {RuleId::closing, "",
     "{sockets} sockets in CLOSING: a simultaneous close whose FIN is not acknowledged{growth}",
     "{sockets} CLOSING{detail}"},
    {RuleId::syn_recv, "",
     "{sockets} sockets in SYN_RECV: handshakes the clients do not finish{growth}",
     "{sockets} SYN_RECV{detail}"},
    {RuleId::syn_sent, "", "{sockets} sockets in SYN_SENT: our connects get no answer{growth}",
     "{sockets} SYN_SENT{detail}"},
    {RuleId::syn_sent, "to_peer", "", "{sockets} SYN_SENT to {peer}"},
    {RuleId::accept_queue, "",
     "{dropped} handshakes dropped on full accept queues since the last sample "
     "(ListenOverflows); no listener's queue is full now",
     "ListenOverflows +{rise}"},
    {RuleId::accept_queue, "full",
     "listener {listener}{owner}: {queue} connections wait for accept(), backlog {backlog}",
     "accept queue {queue_n}/{backlog_n} on :{port}{owner}"},
    {RuleId::accept_queue, "drops_since_sample",
     "listener {listener}{owner} dropped {drops} connection attempts since the last sample",
     "{drops_n} drops on :{port}{owner}"},
    {RuleId::accept_queue, "drops_since_start",
     "listener {listener}{owner} has dropped {drops} connection attempts since it started",
     "{drops_n} drops since start on :{port}{owner}"},
    {RuleId::orphans, "", "{orphans} orphaned sockets, {percent} of tcp_max_orphans",
     "{percent} tcp_max_orphans"},
    {RuleId::tcp_memory, "", "TCP buffer memory, {percent} of tcp_mem's high value",
     "{percent} tcp_mem's high value"},
    {std::nullopt, "growth", ", growing +{rate_per_s:.1f}/s", ""},
    {std::nullopt, "process", "{command} pid {pid}", ""},
    {std::nullopt, "peer", " (peer {peer})", ""},
};

}  // namespace

std::span<const FindingWording> finding_wordings() {
  return kWordings;
}

const FindingWording& finding_wording(std::optional<RuleId> rule, std::string_view variant) {
  for (const auto& wording : kWordings) {
    if (wording.rule == rule && wording.variant == variant) return wording;
  }
  throw std::out_of_range(fmt::format("no finding wording \"{}\" for rule {}", variant,
                                      rule ? rule_info(*rule).key : "(shared)"));
}

}  // namespace sockkit
