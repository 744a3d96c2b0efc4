// The TCP state table. Every sentence here is read by an operator in the middle of an
// incident, through sk-explain or as the evidence behind an sk-states hint, so the text
// favours what to check next over theory. Facts follow RFC 9293 and Linux
// (include/net/tcp_states.h, net/ipv4/tcp*.c); Linux-only behaviour is said to be so.
#include "sockkit/tcp_state.hpp"

#include <array>
#include <cstddef>
#include <stdexcept>

namespace sockkit {
namespace {

// Extra accepted spellings, stored normalised (lower case, no '-' or '_'). Spellings that
// normalise to a state's name, rfc_name or key are accepted anyway and are not repeated.
constexpr auto kEstablishedAliases = std::to_array<std::string_view>({"estab"});  // ss output
constexpr auto kSynRecvAliases = std::to_array<std::string_view>({"synrcvd"});    // BSD netstat
constexpr auto kCloseAliases = std::to_array<std::string_view>({"unconn"});       // ss's name
constexpr auto kListenAliases = std::to_array<std::string_view>({"listening"});   // ss filter
constexpr std::array<std::string_view, 0> kNoAliases{};

constexpr auto kEstablishedChecks = std::to_array<std::string_view>({
    "ss -Htn state established | awk '{print $4}' | sed 's/:[0-9]*$//' | sort | uniq -c | sort -rn",
    "ss -tnp state established  # which processes own them (root sees every user's)",
    "ss -tno state established  # no timer:(keepalive,...) means an idle one can live forever",
    "ss -tn state established  # Send-Q growing: peer or path slow; Recv-Q growing: we do not read",
    "nstat -az TcpActiveOpens TcpPassiveOpens TcpEstabResets  # opened and reset since boot",
});

constexpr auto kSynSentChecks = std::to_array<std::string_view>({
    "ss -tnpo state syn-sent  # destinations, owning processes, SYN resend timer and count",
    "ss -Htn state syn-sent | awk '{print $4}' | sort | uniq -c | sort -rn  # which destinations",
    "nstat -az TcpExtTCPSynRetrans TcpAttemptFails  # SYNs resent, attempts that failed",
    "tcpdump -ni any 'host PEER and tcp[tcpflags] & (tcp-syn|tcp-rst) != 0'  # any reply at all?",
    "sysctl net.ipv4.tcp_syn_retries  # 6 by default: about 127 s before ETIMEDOUT",
});

constexpr auto kSynRecvChecks = std::to_array<std::string_view>({
    "ss -Htn state syn-recv | awk '{print $4}' | sed 's/:[0-9]*$//' | sort | uniq -c | sort -rn",
    "nstat -az TcpExtSyncookiesSent TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies  # SYN queue",
    "nstat -az TcpExtListenOverflows TcpExtListenDrops  # accept queue full, final ACKs dropped",
    "ss -ltn  # per listener: Recv-Q = accept queue length, Send-Q = its limit",
    "sysctl net.ipv4.tcp_max_syn_backlog net.core.somaxconn net.ipv4.tcp_syncookies",
    "tcpdump -ni any 'tcp port PORT'  # do final ACKs come back after the SYN+ACKs?",
});

constexpr auto kFinWait1Checks = std::to_array<std::string_view>({
    "ss -tnoi state fin-wait-1  # Send-Q: unsent data; timer on: resending, persist: zero window",
    "ss -s  # orphaned count, to compare with net.ipv4.tcp_max_orphans",
    "nstat -az TcpExtTCPAbortOnTimeout TcpExtTCPAbortOnMemory TcpRetransSegs",
    "sysctl net.ipv4.tcp_orphan_retries net.ipv4.tcp_max_orphans",
    "tcpdump -ni any 'host PEER'  # is the FIN resent, and does anything come back?",
});

constexpr auto kFinWait2Checks = std::to_array<std::string_view>({
    "ss -tnpo state fin-wait-2  # with a process: owned, no timer; timer:(timewait,...): orphan",
    "ss -tnp state close-wait  # on the peer: the other half of these connections, and its owner",
    "sysctl net.ipv4.tcp_fin_timeout  # orphans only, 60 s by default; not the TIME_WAIT length",
    "ss -Htn state fin-wait-2 | awk '{print $4}' | sed 's/:[0-9]*$//' | sort | uniq -c | sort -rn",
});

constexpr auto kTimeWaitChecks = std::to_array<std::string_view>({
    "ss -s  # the timewait total",
    "ss -Htn state time-wait | awk '{print $4}' | sort | uniq -c | sort -rn  # per peer:port",
    "nstat -az TcpExtTCPTimeWaitOverflow TcpExtTWRecycled  # bucket overflow, tcp_tw_reuse hits",
    "sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_tw_reuse",
    "sysctl net.ipv4.tcp_timestamps  # tcp_tw_reuse needs timestamps (1, the default)",
});

constexpr auto kCloseChecks = std::to_array<std::string_view>({
    "ss -s  # closed: TCP sockets that exist without a connection",
    "cat /proc/net/sockstat  # TCP alloc far above inuse: many sockets without a connection",
    "lsof -nP -a -p PID | grep -c 'protocol: TCP'  # TCP sockets of PID that have no connection",
    "ls -l /proc/PID/fd | grep -c socket:  # sockets a process holds; compare with ss -tanp",
    "nstat -az TcpEstabResets TcpAttemptFails TcpExtTCPAbortOnTimeout  # how connections ended",
});

constexpr auto kCloseWaitChecks = std::to_array<std::string_view>({
    "ss -tnp state close-wait  # which process holds them",
    "lsof -nP -a -p PID -iTCP -sTCP:CLOSE_WAIT  # the descriptors inside that process",
    "ls /proc/PID/fd | wc -l; grep 'open files' /proc/PID/limits  # descriptors against the limit",
    "ss -tn state close-wait  # Recv-Q above 0 (the FIN counts 1): the application stopped reading",
    "ss -Htn state close-wait | wc -l  # repeat over time: a count that only grows is a leak",
});

constexpr auto kLastAckChecks = std::to_array<std::string_view>({
    "ss -tno state last-ack  # FIN resend timer and count",
    "ss -s  # orphaned count",
    "nstat -az TcpRetransSegs TcpExtTCPAbortOnTimeout",
    "sysctl net.ipv4.tcp_orphan_retries net.ipv4.tcp_max_orphans",
    "tcpdump -ni any 'host PEER'  # is the FIN resent, and does an ACK ever come back?",
});

constexpr auto kListenChecks = std::to_array<std::string_view>({
    "ss -ltn  # Recv-Q = connections waiting for accept(), Send-Q = the queue's limit",
    "nstat -az TcpExtListenOverflows TcpExtListenDrops  # rising: queue full, connections dropped",
    "ss -ltnp 'sport = :PORT'  # which process listens, and how many sockets share the port",
    "sysctl net.core.somaxconn net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_abort_on_overflow",
});

constexpr auto kClosingChecks = std::to_array<std::string_view>({
    "ss -tno state closing  # FIN resend timers and counts",
    "tcpdump -ni any 'host PEER'  # which FINs and ACKs go missing",
    "nstat -az TcpRetransSegs TcpExtTCPAbortOnTimeout",
    "sysctl net.ipv4.tcp_orphan_retries net.ipv4.tcp_max_orphans",
});

constexpr auto kNewSynRecvChecks = std::to_array<std::string_view>({
    "ss -tn state syn-recv  # request sockets are listed here, as SYN-RECV",
    "nstat -az TcpExtSyncookiesSent TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies",
    "sysctl net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_synack_retries net.ipv4.tcp_syncookies",
});

constexpr std::uint8_t kOpeners = role_active_opener | role_passive_opener;
constexpr std::uint8_t kEveryRole =
    role_active_opener | role_passive_opener | role_active_closer | role_passive_closer;

// Roles name the parties that pass through a state in the ordinary course; the rare
// simultaneous open (an active opener in SYN_RECV) is left to the meaning text so that
// hints can still call SYN_RECV a server-side state.
constexpr std::array<TcpStateInfo, kMaxTcpStateNumber> kStates{{
    {
        .state = TcpState::established,
        .name = "ESTABLISHED",
        .rfc_name = "ESTABLISHED",
        .key = "established",
        .aliases = kEstablishedAliases,
        .roles = kOpeners,
        .in_rfc9293 = true,
        .summary = "The connection is open and data can flow in both directions",
        .meaning =
            "The handshake is complete and either side may send and receive. TCP waits for "
            "nothing in particular here: the socket stays ESTABLISHED, even when idle for days, "
            "until one side calls close() or shutdown(), a FIN or RST arrives, or "
            "retransmissions (net.ipv4.tcp_retries2) or keepalive probes give up. If the peer "
            "vanishes silently (power loss, a NAT or firewall that forgot the flow) and nothing "
            "is sent, the connection stays here for good unless keepalive is enabled.",
        .pileup = "Many ESTABLISHED connections are normal on a busy host; the count is a symptom "
                  "when it does not match the load. A count that only ever grows points to a "
                  "connection leak: a connection opened per request and never closed, or a pool "
                  "without an upper bound. Idle connections to peers that disappeared also pile up "
                  "when keepalive is off. Compare the count per peer and per process with the pool "
                  "sizes the applications are configured for, and watch their descriptor limits.",
        .checks = kEstablishedChecks,
    },
    {
        .state = TcpState::syn_sent,
        .name = "SYN_SENT",
        .rfc_name = "SYN-SENT",
        .key = "syn_sent",
        .aliases = kNoAliases,
        .roles = role_active_opener,
        .in_rfc9293 = true,
        .summary = "connect() sent a SYN and is waiting for the SYN+ACK",
        .meaning =
            "The local application called connect() and TCP sent a SYN; the socket waits for "
            "the peer's SYN+ACK. Without an answer Linux resends the SYN "
            "net.ipv4.tcp_syn_retries times (default 6) at growing intervals, and connect() "
            "fails with ETIMEDOUT after about 127 s (a little longer on kernels that resend the "
            "first SYNs every second, see net.ipv4.tcp_syn_linear_timeouts). An RST in reply "
            "means nothing listens on that address and port: connect() fails at once with "
            "ECONNREFUSED. An ICMP unreachable can end the attempt early with EHOSTUNREACH or "
            "ENETUNREACH. A SYN without ACK from the peer (simultaneous open) leads to SYN_RECV.",
        .pileup =
            "Many SYN_SENT sockets mean outgoing connection attempts get no answer: the "
            "destination is down or overloaded, a firewall drops the SYNs silently (one that "
            "rejects would cause a quick ECONNREFUSED or EHOSTUNREACH instead), or the route to "
            "it is broken. Group them by destination to find the peer; the applications "
            "involved are blocked in connect() or waiting for their own timeouts.",
        .checks = kSynSentChecks,
    },
    {
        .state = TcpState::syn_recv,
        .name = "SYN_RECV",
        .rfc_name = "SYN-RECEIVED",
        .key = "syn_recv",
        .aliases = kSynRecvAliases,
        .roles = role_passive_opener,
        .in_rfc9293 = true,
        .summary = "A SYN arrived and was answered with SYN+ACK; waiting for the final ACK",
        .meaning =
            "The passive side of a handshake: the peer's SYN was answered with a SYN+ACK and "
            "the final ACK has not come yet. Since Linux 4.4 these half-open connections are "
            "small request sockets in the internal NEW_SYN_RECV state, but ss, /proc/net/tcp "
            "and sock_diag report them as SYN_RECV, so this is the state an operator sees. The "
            "SYN+ACK is resent net.ipv4.tcp_synack_retries times (default 5, about 63 s in all) "
            "before the request is dropped. When the final ACK arrives the connection becomes "
            "ESTABLISHED and waits in the listener's accept queue; if that queue is full, Linux "
            "ignores the ACK and the entry stays here (or is reset when "
            "net.ipv4.tcp_abort_on_overflow=1). Full sockets are in SYN_RECV only with TCP Fast "
            "Open, after a simultaneous open, and for a moment while a completed request "
            "becomes a connection.",
        .pileup =
            "Many SYN_RECV entries mean handshakes start but do not finish. Causes: a SYN flood "
            "from spoofed addresses; SYN+ACKs or final ACKs lost or filtered on the way "
            "(asymmetric routing, a firewall that drops one direction); clients that give up "
            "early; or an application that calls accept() too slowly, so a full accept queue "
            "holds the final ACKs back. When the SYN queue (net.ipv4.tcp_max_syn_backlog, and "
            "the listen() backlog capped by net.core.somaxconn) overflows, Linux answers with "
            "SYN cookies (net.ipv4.tcp_syncookies=1, the default; SyncookiesSent rises) or "
            "drops SYNs (TCPReqQFullDrop).",
        .checks = kSynRecvChecks,
    },
    {
        .state = TcpState::fin_wait1,
        .name = "FIN_WAIT1",
        .rfc_name = "FIN-WAIT-1",
        .key = "fin_wait1",
        .aliases = kNoAliases,
        .roles = role_active_closer,
        .in_rfc9293 = true,
        .summary = "We sent a FIN and are waiting for the peer to acknowledge it",
        .meaning =
            "The local application called close() or shutdown(SHUT_WR), and TCP sent a FIN "
            "after any data still queued. The socket waits for the peer to acknowledge that "
            "FIN, normally one round trip, so the state is brief. It lasts when the FIN or the "
            "data ahead of it cannot get through: packet loss, a peer that is gone, or a peer "
            "whose receive window is zero because its application stopped reading. After "
            "close() the socket is an orphan: Linux gives up after net.ipv4.tcp_orphan_retries "
            "resends (0, the default, means 8), and net.ipv4.tcp_max_orphans caps how many "
            "orphans may exist. A FIN from the peer that also acknowledges ours leads straight "
            "to TIME_WAIT; a FIN that does not leads to CLOSING.",
        .pileup =
            "Many FIN_WAIT1 sockets mean our FINs are not being acknowledged. Check the network "
            "first (loss, a dead or unreachable peer, a firewall that forgot the flow), then "
            "the peers: one that stopped reading advertises a zero window, so the data queued "
            "before the FIN cannot leave. Orphans keep their send buffers and count against "
            "net.ipv4.tcp_max_orphans; beyond it the kernel resets them and logs \"too many "
            "orphaned sockets\".",
        .checks = kFinWait1Checks,
    },
    {
        .state = TcpState::fin_wait2,
        .name = "FIN_WAIT2",
        .rfc_name = "FIN-WAIT-2",
        .key = "fin_wait2",
        .aliases = kNoAliases,
        .roles = role_active_closer,
        .in_rfc9293 = true,
        .summary = "Our FIN was acknowledged; waiting for the peer's FIN",
        .meaning =
            "The peer has acknowledged our FIN, so our direction of the connection is closed; "
            "the socket still receives until the peer sends its own FIN. How long it waits "
            "depends on who holds it. After close() it is an orphan, and Linux removes it when "
            "net.ipv4.tcp_fin_timeout seconds (default 60; TCP_LINGER2 per socket) pass "
            "without the peer's FIN. That timer is Linux's own; RFC 9293 has none. If the "
            "application only called shutdown(SHUT_WR) and keeps the descriptor, there is no "
            "timer at all: the socket waits for the peer's FIN for as long as the process keeps "
            "it open. Linux keeps orphans here as small timewait entries that ss still prints "
            "as FIN-WAIT-2.",
        .pileup =
            "Many FIN_WAIT2 sockets mean peers acknowledge our FIN but never send their own. "
            "The bug can be on either side: the peer application never calls close() (on the "
            "peer these connections sit in CLOSE_WAIT), or our application shut down writing "
            "and never closes, or a middlebox dropped the peer's FIN. Orphans disappear after "
            "net.ipv4.tcp_fin_timeout; sockets a process still holds stay until it closes them.",
        .checks = kFinWait2Checks,
    },
    {
        .state = TcpState::time_wait,
        .name = "TIME_WAIT",
        .rfc_name = "TIME-WAIT",
        .key = "time_wait",
        .aliases = kNoAliases,
        .roles = role_active_closer,
        .in_rfc9293 = true,
        .summary = "Closed by this side first; the port pair is held for 2MSL (60 s on Linux)",
        .meaning =
            "The side that closed first has received the peer's FIN and acknowledged it, and "
            "now waits before forgetting the connection. The wait covers two risks: if that "
            "last ACK is lost, the peer resends its FIN and this socket must still be there to "
            "acknowledge it again; and segments of the old connection still in the network "
            "must expire before a new connection with the same addresses and ports could take "
            "them for its own. Linux waits a fixed 60 s (TCP_TIMEWAIT_LEN, 2MSL with an MSL of "
            "30 s) that no sysctl changes. The entry is a small timewait socket without a "
            "descriptor or buffers. Linux ends it early on an RST (unless "
            "net.ipv4.tcp_rfc1337=1), when a new SYN for the same addresses and ports carries a "
            "higher sequence number or timestamp, and when net.ipv4.tcp_tw_reuse hands its "
            "addresses and ports to a new outgoing connection.",
        .pileup =
            "Many TIME_WAIT sockets are the normal trace of many short connections that this "
            "host closed first. Each is cheap (no descriptor, little memory), but together they "
            "show connection churn: check concurrency, descriptor use, memory and ephemeral "
            "ports. Two limits bite. An outgoing connection's TIME_WAIT keeps its local port "
            "busy for that (source address, destination address, destination port) "
            "combination, so with the default net.ipv4.ip_local_port_range of 28,232 ports a "
            "client manages only about 470 new connections per second to one destination "
            "before connect() fails with EADDRNOTAVAIL. And above net.ipv4.tcp_max_tw_buckets "
            "the kernel skips TIME_WAIT for new closes and counts TCPTimeWaitOverflow. "
            "Remedies: reuse connections (keep-alive, pools), widen ip_local_port_range, spread "
            "over more destination addresses or ports, enable net.ipv4.tcp_tw_reuse (outgoing "
            "connections only; needs TCP timestamps). Never suggest net.ipv4.tcp_tw_recycle: it "
            "broke clients behind NAT and was removed in Linux 4.12.",
        .checks = kTimeWaitChecks,
    },
    {
        .state = TcpState::close,
        .name = "CLOSE",
        .rfc_name = "CLOSED",
        .key = "close",
        .aliases = kCloseAliases,
        .roles = kEveryRole,
        .in_rfc9293 = true,
        .summary = "No connection: a new, unconnected, failed, reset or aborted socket",
        .meaning =
            "RFC 9293 calls this CLOSED: there is no connection at all. On Linux a socket is in "
            "CLOSE when it was just created or only bound, when connect() failed, and when its "
            "connection was reset, timed out or aborted while the application still holds the "
            "descriptor. Such sockets are in none of the kernel's connection tables, so ss -t "
            "and /proc/net/tcp do not list them; ss -s counts them as closed. Once the "
            "application closes the descriptor the socket is freed.",
        .pileup = "A large closed count in ss -s means processes hold many TCP sockets without a "
                  "connection: usually descriptors of failed or reset connections that the "
                  "application never closed (a leak), or sockets created and never used. Each one "
                  "counts against the process's open-file limit.",
        .checks = kCloseChecks,
    },
    {
        .state = TcpState::close_wait,
        .name = "CLOSE_WAIT",
        .rfc_name = "CLOSE-WAIT",
        .key = "close_wait",
        .aliases = kNoAliases,
        .roles = role_passive_closer,
        .in_rfc9293 = true,
        .summary = "The peer closed its side; waiting for the local application to call close()",
        .meaning =
            "A FIN arrived and was acknowledged: the peer will send no more data. The socket "
            "now waits for the local application, which should see read() return 0 (end of "
            "stream) and call close(). TCP sets no timer in this state: a CLOSE_WAIT socket "
            "stays until the application closes it or the process exits. The application may "
            "still send; if the peer has gone away completely it answers with an RST and the "
            "socket moves to CLOSE.",
        .pileup =
            "Many CLOSE_WAIT sockets almost always mean a bug in the local application: it does "
            "not call close() on connections the peer has finished with. Typical causes are a "
            "descriptor leaked on an error path, a pool that keeps connections the server "
            "already closed, or threads stuck elsewhere while holding connections. They never "
            "time out on their own: restarting the process frees them, only fixing the code "
            "stops them coming back. Watch the process's open descriptors approach its limit "
            "(EMFILE).",
        .checks = kCloseWaitChecks,
    },
    {
        .state = TcpState::last_ack,
        .name = "LAST_ACK",
        .rfc_name = "LAST-ACK",
        .key = "last_ack",
        .aliases = kNoAliases,
        .roles = role_passive_closer,
        .in_rfc9293 = true,
        .summary = "Both sides sent FIN; the passive closer waits for the ACK of its FIN",
        .meaning =
            "The application closed its socket after the peer's FIN arrived, and TCP sent its "
            "own FIN; it now waits for the peer to acknowledge that FIN, normally one round "
            "trip. Without the ACK the FIN is resent. The socket is usually an orphan by then, "
            "so Linux gives up after net.ipv4.tcp_orphan_retries resends (0, the default, "
            "means 8), and net.ipv4.tcp_max_orphans limits how many orphans may wait. An RST "
            "ends it as well.",
        .pileup = "Many LAST_ACK sockets mean final ACKs do not arrive: packet loss, a peer that "
                  "disappeared right after sending its FIN, or a firewall or NAT that dropped the "
                  "flow's state after the first FIN. Look at the network path, as for FIN_WAIT1.",
        .checks = kLastAckChecks,
    },
    {
        .state = TcpState::listen,
        .name = "LISTEN",
        .rfc_name = "LISTEN",
        .key = "listen",
        .aliases = kListenAliases,
        .roles = role_passive_opener,
        .in_rfc9293 = true,
        .summary = "A server socket waiting for incoming connections",
        .meaning =
            "The application called listen() and the socket accepts SYNs for its address and "
            "port. It never carries data itself: each handshake makes a new connection (on "
            "Linux a request in NEW_SYN_RECV, shown as SYN_RECV) which, once complete, waits "
            "as an ESTABLISHED socket in the accept queue until the application calls "
            "accept(). For listeners ss shows the accept queue's current length in Recv-Q and "
            "its limit in Send-Q: the backlog passed to listen(), capped by net.core.somaxconn "
            "(4096 since Linux 5.4, 128 before). When the queue is full, Linux drops new SYNs "
            "and final ACKs, so clients see resends and delays (or an RST with "
            "net.ipv4.tcp_abort_on_overflow=1), and counts ListenOverflows and ListenDrops.",
        .pileup = "",
        .checks = kListenChecks,
    },
    {
        .state = TcpState::closing,
        .name = "CLOSING",
        .rfc_name = "CLOSING",
        .key = "closing",
        .aliases = kNoAliases,
        .roles = role_active_closer,
        .in_rfc9293 = true,
        .summary = "Both sides sent FIN at about the same time; waiting for the ACK of ours",
        .meaning =
            "A simultaneous close: we sent a FIN and, before it was acknowledged, received the "
            "peer's FIN, which we acknowledged. The socket waits for the ACK of its own FIN and "
            "then moves to TIME_WAIT. It needs the peer to have sent its FIN before ours "
            "reached it: both applications closed at nearly the same moment, or our FIN was "
            "delayed or lost. A lost ACK alone does not cause it, since a FIN sent after ours "
            "arrived acknowledges ours too. The state is rare and short; an orphan here is "
            "limited by net.ipv4.tcp_orphan_retries as in FIN_WAIT1.",
        .pileup = "Many CLOSING sockets are unusual: both ends of some protocol close at the same "
                  "moment and the ACKs of their FINs are slow or lost. Look at packet loss on the "
                  "path.",
        .checks = kClosingChecks,
    },
    {
        .state = TcpState::new_syn_recv,
        .name = "NEW_SYN_RECV",
        .rfc_name = "",
        .key = "new_syn_recv",
        .aliases = kNoAliases,
        .roles = role_passive_opener,
        .in_rfc9293 = false,
        .summary = "Linux request socket for a half-open connection; ss shows it as SYN_RECV",
        .meaning =
            "Since Linux 4.4 a SYN that reaches a listener creates a small request socket in "
            "this state instead of a full socket in SYN_RECV; it keeps just enough to answer "
            "the final ACK, which makes floods of SYNs cheaper to absorb. The standard "
            "interfaces never show this state number: ss, /proc/net/tcp and sock_diag report "
            "these entries as SYN_RECV. When the final ACK arrives and the accept queue has "
            "room, a full socket is created in ESTABLISHED and queued for accept(); if the "
            "SYN+ACK is resent net.ipv4.tcp_synack_retries times without an answer, or an RST "
            "arrives, the request is dropped.",
        .pileup = "Every tool counts these as SYN_RECV; see SYN_RECV for what a crowd of half-open "
                  "connections means.",
        .checks = kNewSynRecvChecks,
    },
}};

// The table is indexed by kernel number - 1; a misordered row would silently give the
// wrong text for a state, so the order is checked at compile time.
constexpr bool states_in_kernel_order() {
  for (std::size_t i = 0; i < kStates.size(); ++i) {
    if (static_cast<std::size_t>(kStates[i].state) != i + 1) {
      return false;
    }
  }
  return true;
}
static_assert(states_in_kernel_order());

// One edge per (from, to) pair; when several events lead along the same edge they share
// one event text. "(Linux)" marks behaviour RFC 9293 does not describe.
constexpr auto kTransitions = std::to_array<TcpTransition>({
    {TcpState::close, TcpState::listen, "application calls listen() (RFC: passive OPEN)", ""},
    {TcpState::close, TcpState::syn_sent, "application calls connect() (RFC: active OPEN)",
     "send SYN"},
    {TcpState::listen, TcpState::close, "application calls close() on the listener",
     "send RST to connections not yet accepted"},
    {TcpState::listen, TcpState::syn_sent,
     "application sends data (RFC 9293 only; Linux refuses connect() on a listener)", "send SYN"},
    {TcpState::listen, TcpState::syn_recv,
     "receive SYN (RFC model; Linux uses NEW_SYN_RECV except for TCP Fast Open)", "send SYN+ACK"},
    {TcpState::listen, TcpState::new_syn_recv,
     "receive SYN (Linux: a request socket is created, the listener stays in LISTEN)",
     "send SYN+ACK"},
    {TcpState::syn_sent, TcpState::close,
     "application calls close(), SYN retries run out (ETIMEDOUT), or receive RST "
     "(ECONNREFUSED)",
     ""},
    {TcpState::syn_sent, TcpState::syn_recv, "receive SYN without ACK (simultaneous open)",
     "send SYN+ACK"},
    {TcpState::syn_sent, TcpState::established, "receive SYN+ACK that acknowledges our SYN",
     "send ACK"},
    {TcpState::syn_recv, TcpState::listen,
     "receive RST when the connection came from LISTEN (RFC 9293; Linux drops the request)", ""},
    {TcpState::syn_recv, TcpState::established, "receive ACK of our SYN", ""},
    {TcpState::syn_recv, TcpState::fin_wait1, "application calls close()", "send FIN"},
    {TcpState::syn_recv, TcpState::close,
     "receive RST after a simultaneous open, or SYN+ACK retries run out", ""},
    {TcpState::new_syn_recv, TcpState::established,
     "receive the final ACK (Linux: a full socket is created and queued for accept())", ""},
    {TcpState::new_syn_recv, TcpState::close,
     "SYN+ACK retries run out (net.ipv4.tcp_synack_retries) or receive RST (Linux: the "
     "request is dropped)",
     ""},
    {TcpState::established, TcpState::fin_wait1, "application calls close() or shutdown(SHUT_WR)",
     "send FIN"},
    {TcpState::established, TcpState::close_wait, "receive FIN", "send ACK"},
    {TcpState::established, TcpState::close,
     "receive RST, retransmissions or keepalive probes give up, or the application aborts "
     "(SO_LINGER 0, or close() with unread data)",
     "send RST when the application aborts"},
    {TcpState::fin_wait1, TcpState::fin_wait2, "receive ACK of our FIN", ""},
    {TcpState::fin_wait1, TcpState::closing,
     "receive FIN that does not acknowledge ours (simultaneous close)", "send ACK"},
    {TcpState::fin_wait1, TcpState::time_wait, "receive FIN that also acknowledges ours",
     "send ACK"},
    {TcpState::fin_wait1, TcpState::close,
     "receive RST, or an orphan gives up (Linux: net.ipv4.tcp_orphan_retries, "
     "net.ipv4.tcp_max_orphans)",
     "send RST when the orphan limit is hit"},
    {TcpState::fin_wait2, TcpState::time_wait, "receive FIN", "send ACK"},
    {TcpState::fin_wait2, TcpState::close,
     "net.ipv4.tcp_fin_timeout expires on an orphan (Linux), or receive RST", ""},
    {TcpState::close_wait, TcpState::last_ack, "application calls close() or shutdown(SHUT_WR)",
     "send FIN"},
    {TcpState::close_wait, TcpState::close, "receive RST, or the application aborts",
     "send RST when the application aborts"},
    {TcpState::last_ack, TcpState::close,
     "receive ACK of our FIN (or receive RST, or FIN retries run out)", ""},
    {TcpState::closing, TcpState::time_wait, "receive ACK of our FIN", ""},
    {TcpState::closing, TcpState::close,
     "receive RST, or an orphan gives up (Linux: net.ipv4.tcp_orphan_retries)", ""},
    {TcpState::time_wait, TcpState::close,
     "2MSL timer expires (60 s on Linux); Linux also ends it on receiving RST unless "
     "net.ipv4.tcp_rfc1337=1",
     ""},
});

constexpr bool is_separator(char c) {
  return c == '-' || c == '_';
}

constexpr bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Only letters, digits and separators, with at least one letter or digit: this keeps
// "TIME WAIT" or "-" from matching anything after the separators are skipped.
constexpr bool is_plausible_spelling(std::string_view text) {
  bool has_alnum = false;
  for (const char c : text) {
    if (is_ascii_alnum(c)) {
      has_alnum = true;
    } else if (!is_separator(c)) {
      return false;
    }
  }
  return has_alnum;
}

// Compares as if both sides were lower-cased with separators removed, without building
// the normalised strings.
constexpr bool same_spelling(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  for (;;) {
    while (i < a.size() && is_separator(a[i])) {
      ++i;
    }
    while (j < b.size() && is_separator(b[j])) {
      ++j;
    }
    if (i == a.size() || j == b.size()) {
      return i == a.size() && j == b.size();
    }
    if (ascii_lower(a[i]) != ascii_lower(b[j])) {
      return false;
    }
    ++i;
    ++j;
  }
}

constexpr bool is_spelling_of(const TcpStateInfo& info, std::string_view text) {
  if (same_spelling(text, info.name) || same_spelling(text, info.key)) {
    return true;
  }
  if (!info.rfc_name.empty() && same_spelling(text, info.rfc_name)) {
    return true;
  }
  for (const std::string_view alias : info.aliases) {
    if (same_spelling(text, alias)) {
      return true;
    }
  }
  return false;
}

constexpr bool is_valid_state(TcpState state) {
  const auto number = static_cast<int>(state);
  return number >= kMinTcpStateNumber && number <= kMaxTcpStateNumber;
}

}  // namespace

std::span<const TcpStateInfo> tcp_states() {
  return kStates;
}

const TcpStateInfo& tcp_state_info(TcpState state) {
  if (!is_valid_state(state)) {
    throw std::out_of_range("tcp_state_info: not a TCP state number");
  }
  return kStates[static_cast<std::size_t>(state) - 1];
}

std::span<const TcpTransition> tcp_transitions() {
  return kTransitions;
}

std::optional<TcpState> parse_tcp_state(std::string_view text) {
  if (!is_plausible_spelling(text)) {
    return std::nullopt;
  }
  for (const TcpStateInfo& info : kStates) {
    if (is_spelling_of(info, text)) {
      return info.state;
    }
  }
  return std::nullopt;
}

std::optional<TcpState> tcp_state_from_number(int number) {
  if (number < kMinTcpStateNumber || number > kMaxTcpStateNumber) {
    return std::nullopt;
  }
  return static_cast<TcpState>(number);
}

// A formatter calls this, so a corrupt value must not throw; ss prints the same word.
std::string_view tcp_state_name(TcpState state) {
  if (!is_valid_state(state)) {
    return "UNKNOWN";
  }
  return kStates[static_cast<std::size_t>(state) - 1].name;
}

std::string_view tcp_role_name(TcpRole role) {
  switch (role) {
    case role_active_opener: return "active opener";
    case role_passive_opener: return "passive opener";
    case role_active_closer: return "active closer";
    case role_passive_closer: return "passive closer";
  }
  return "";
}

}  // namespace sockkit
