// The diagnosis rules as the knowledge base knows them. Rules named after a state
// explain themselves with that state's entry in tcp_state.cpp; the four that watch
// something other than one state (ephemeral ports, accept queues, orphans, TCP memory)
// carry their own explanation here. sk-explain prints both, so the words that explain
// a finding are the words sk-explain shows.
#include <array>

#include "sockkit/findings.hpp"

namespace sockkit {
namespace {

constexpr std::array<std::string_view, 0> kStateChecks{};  // the state's checks are used

constexpr auto kPortExhaustionChecks = std::to_array<std::string_view>({
    "ss -Htan state time-wait dst PEER | wc -l  # how many of the tuple's ports wait out 60 s",
    "sysctl net.ipv4.ip_local_port_range net.ipv4.ip_local_reserved_ports",
    "sysctl net.ipv4.tcp_tw_reuse  # 1 lets new outgoing connections take over TIME_WAIT ports",
    "nstat -az TcpExtTCPTimeWaitOverflow TcpAttemptFails  # connects failing with EADDRNOTAVAIL",
    "the client's connection pool: keep connections open and reuse them instead of one per request",
});

constexpr auto kAcceptQueueChecks = std::to_array<std::string_view>({
    "ss -ltn  # per listener: Recv-Q = connections waiting for accept(), Send-Q = the limit",
    "ss -ltnp 'sport = :PORT'  # the process that should be calling accept()",
    "nstat -az TcpExtListenOverflows TcpExtListenDrops  # handshakes thrown away since boot",
    "sysctl net.core.somaxconn  # caps every listen() backlog",
    "the application: accept threads blocked, a stalled event loop, a backlog set too small",
});

constexpr auto kOrphanChecks = std::to_array<std::string_view>({
    "ss -s  # orphaned count",
    "ss -tno state fin-wait-1 state last-ack state closing  # what the orphans are waiting for",
    "sysctl net.ipv4.tcp_max_orphans net.ipv4.tcp_orphan_retries",
    "nstat -az TcpExtTCPAbortOnMemory  # orphans killed with a RST because of the limit",
});

constexpr auto kTcpMemoryChecks = std::to_array<std::string_view>({
    "cat /proc/net/sockstat  # TCP mem, in pages",
    "sysctl net.ipv4.tcp_mem  # pages: low, pressure, high",
    "ss -tnm | sort -t: -k2 -rn | head  # sockets holding the most buffer memory",
    "nstat -az TcpExtTCPMemoryPressures TcpExtTCPAbortOnMemory TcpExtPruneCalled",
    "ss -tn  # large Recv-Q: an application that does not read; large Send-Q: a slow peer",
});

constexpr RuleInfo kRules[] = {
    {RuleId::close_wait, "close_wait", TcpState::close_wait, RuleUnit::sockets,
     "the peer closed and the local application has not called close()", "", kStateChecks,
     "50 sockets warn, 500 critical"},
    {RuleId::time_wait, "time_wait", TcpState::time_wait, RuleUnit::sockets,
     "a TIME_WAIT pile-up against net.ipv4.tcp_max_tw_buckets", "", kStateChecks,
     "50% of tcp_max_tw_buckets warn, 90% critical (as socket counts)"},
    {RuleId::port_exhaustion, "port_exhaustion", std::nullopt, RuleUnit::percent,
     "ephemeral ports toward one peer address and port running out",
     "A connect() without bind() takes a local port from net.ipv4.ip_local_port_range, and "
     "the port only has to be unique for its (local address, peer address, peer port): each "
     "destination gets the whole range. When one destination has most of the range in use, "
     "new connections to it fail with EADDRNOTAVAIL (\"Cannot assign requested address\") or "
     "stall while the kernel searches. The usual cause is one short connection per request: "
     "the side that closes first keeps each port in TIME_WAIT for 60 seconds. Reuse "
     "connections (keep-alive, a pool), let the server close first where the protocol "
     "allows, widen the range, or set tcp_tw_reuse=1 for outgoing connections. "
     "tcp_tw_recycle is no answer: it broke clients behind NAT and Linux 4.12 removed it.",
     kPortExhaustionChecks, "50% of the range warn, 90% critical"},
    {RuleId::fin_wait2, "fin_wait2", TcpState::fin_wait2, RuleUnit::sockets,
     "our side closed and the peer never sends its FIN", "", kStateChecks,
     "100 sockets warn, 1000 critical"},
    {RuleId::fin_wait1, "fin_wait1", TcpState::fin_wait1, RuleUnit::sockets,
     "our FIN is not acknowledged: the network or the peer", "", kStateChecks,
     "100 sockets warn, 1000 critical"},
    {RuleId::last_ack, "last_ack", TcpState::last_ack, RuleUnit::sockets,
     "our FIN, sent after the peer's, is not acknowledged", "", kStateChecks,
     "100 sockets warn, 1000 critical"},
    {RuleId::closing, "closing", TcpState::closing, RuleUnit::sockets,
     "both sides closed at once and our FIN is not acknowledged", "", kStateChecks,
     "20 sockets warn, 200 critical"},
    {RuleId::syn_recv, "syn_recv", TcpState::syn_recv, RuleUnit::sockets,
     "half-open connections: a SYN flood or clients that never finish the handshake", "",
     kStateChecks, "100 sockets warn, 1000 critical; SYN cookies or queue drops while watching"},
    {RuleId::syn_sent, "syn_sent", TcpState::syn_sent, RuleUnit::sockets,
     "our connects get no answer: a firewall drop or a dead peer", "", kStateChecks,
     "20 sockets warn, 200 critical"},
    {RuleId::accept_queue, "accept_queue", std::nullopt, RuleUnit::percent,
     "a listener whose accept queue is full: the application does not call accept() in time",
     "The kernel finishes handshakes on its own and parks the connections in the listener's "
     "accept queue until the application calls accept(). The queue holds the backlog given "
     "to listen(), capped by net.core.somaxconn, plus one. When it is full, Linux drops new "
     "SYNs and the final ACKs of handshakes already under way (ListenOverflows, ListenDrops "
     "and the listener's own drop count rise): clients resend, and see slow or timed-out "
     "connects. A bigger backlog only buys time: the fix is an application that accepts "
     "faster (more accept threads, an event loop that is not blocked).",
     kAcceptQueueChecks, "90% of the backlog warn, full critical; 2 or more queued"},
    {RuleId::orphans, "orphans", std::nullopt, RuleUnit::percent,
     "orphaned sockets against net.ipv4.tcp_max_orphans",
     "A socket its application has closed but TCP has not finished with (FIN_WAIT1, "
     "FIN_WAIT2, CLOSING, LAST_ACK) is an orphan: no process owns it any more. The kernel "
     "keeps at most tcp_max_orphans of them host-wide; past that it resets new orphans at "
     "once (\"too many orphaned sockets\" in the kernel log, TCPAbortOnMemory rises), and "
     "peers see connections reset instead of closed. Many orphans mean FINs that are not "
     "acknowledged: lossy paths, dead peers, or peers that stopped reading.",
     kOrphanChecks, "50% of tcp_max_orphans warn, 90% critical"},
    {RuleId::tcp_memory, "tcp_memory", std::nullopt, RuleUnit::percent,
     "TCP buffer memory against net.ipv4.tcp_mem",
     "TCP's socket buffers share one host-wide budget, net.ipv4.tcp_mem, counted in pages: "
     "below the first value nothing happens, above the second the kernel is under memory "
     "pressure and shrinks buffers (throughput drops), at the third it refuses to grow them "
     "and drops data. The memory is usually held by sockets whose application does not "
     "read (large Recv-Q) or whose peer does not (large Send-Q).",
     kTcpMemoryChecks, "tcp_mem's pressure value warn, 90% of its high value critical"},
};
static_assert(std::size(kRules) == kRuleCount);

}  // namespace

std::span<const RuleInfo> rule_infos() {
  return kRules;
}

const RuleInfo& rule_info(RuleId id) {
  return kRules[static_cast<std::size_t>(id)];
}

std::string_view rule_why(RuleId id) {
  const auto& rule = rule_info(id);
  return rule.state ? tcp_state_info(*rule.state).pileup : rule.why;
}

std::span<const std::string_view> rule_checks(RuleId id) {
  const auto& rule = rule_info(id);
  return rule.state ? tcp_state_info(*rule.state).checks : rule.checks;
}

}  // namespace sockkit
