// The explanations around the state table. Sequence diagrams record, for each segment,
// the state of its sender once it has been sent and of its receiver once it has been
// received, because that is when the kernel changes state; the renderer draws from that.
// Guides name states, rules and sysctls by their exact spelling (the kernel's state names,
// sk-states' rule ids, full sysctl names); the unit tests check each one exists.
#include "sockkit/tcp_topics.hpp"

#include <array>

namespace sockkit {
namespace {

// ---------------------------------------------------------------- three-way handshake

constexpr auto kHandshakeSteps = std::to_array<SequenceStep>({
    {Peer::left, "SYN", "x", "", TcpState::syn_sent, TcpState::syn_recv,
     "The client calls connect(); the SYN reaches the listener (Linux: NEW_SYN_RECV, shown as "
     "SYN_RECV)"},
    {Peer::right, "SYN+ACK", "y", "x+1", TcpState::established, std::nullopt,
     "The server's SYN and its ACK of the client's SYN travel together; connect() returns"},
    {Peer::left, "ACK", "x+1", "y+1", std::nullopt, TcpState::established,
     "The final ACK completes the handshake; the connection waits in the accept queue"},
});

constexpr auto kHandshakeNotes = std::to_array<std::string_view>({
    "Each side picks an initial sequence number, x for the client and y for the server. A SYN "
    "uses up one sequence number, so the acknowledgements are x+1 and y+1, and the first data "
    "byte of each side is numbered x+1 and y+1.",
    "Three segments are the fewest with which each side can announce its initial sequence "
    "number and see it acknowledged. The server needs no fourth segment because it sends its "
    "own SYN and the ACK of the client's SYN together.",
    "The listening socket stays in LISTEN throughout; the states on the right belong to the "
    "new connection. On Linux it is first a request socket in NEW_SYN_RECV (ss prints "
    "SYN_RECV), then an ESTABLISHED socket in the accept queue until the application calls "
    "accept().",
    "When nothing listens on the port, the answer to the SYN is an RST and connect() fails at "
    "once with ECONNREFUSED. When nothing answers at all, the client stays in SYN_SENT and "
    "resends the SYN until net.ipv4.tcp_syn_retries is used up (ETIMEDOUT).",
});

constexpr SequenceDiagram kHandshake{
    .key = "handshake",
    .title = "Three-way handshake: opening a connection",
    .left_name = "client",
    .right_name = "server",
    .left_initial = TcpState::close,
    .right_initial = TcpState::listen,
    .steps = kHandshakeSteps,
    .notes = kHandshakeNotes,
};

// ---------------------------------------------------------------- four-way close

constexpr auto kCloseSteps = std::to_array<SequenceStep>({
    {Peer::left, "FIN+ACK", "u", "v", TcpState::fin_wait1, TcpState::close_wait,
     "The client calls close(); when its FIN arrives the server is in CLOSE_WAIT"},
    {Peer::right, "ACK", "v", "u+1", TcpState::fin_wait2, std::nullopt,
     "The server's TCP acknowledges the FIN at once; the connection is now half closed"},
    {Peer::right, "FIN+ACK", "w", "u+1", TcpState::time_wait, TcpState::last_ack,
     "The server application calls close(); its FIN puts the client in TIME_WAIT"},
    {Peer::left, "ACK", "u+1", "w+1", std::nullopt, TcpState::close,
     "The last ACK frees the server's socket; the client waits 2MSL, then goes to CLOSE"},
});

constexpr auto kCloseNotes = std::to_array<std::string_view>({
    "Either side may close first. The one that does is the active closer and ends in "
    "TIME_WAIT; the other is the passive closer and passes through CLOSE_WAIT and LAST_ACK. "
    "Client and server here are only the usual casting.",
    "Each FIN uses up one sequence number, hence ack=u+1 and ack=w+1. Every segment after the "
    "handshake carries the ACK flag, so the FINs are really FIN+ACK. v is the server's next "
    "sequence number when the client's FIN arrives; w is larger than v if the server sent more "
    "data before closing.",
    "Closing takes four segments where opening takes three because the two directions close "
    "separately. The passive closer acknowledges the FIN at once but sends its own FIN only "
    "when its application calls close(); until then the connection is half closed and data "
    "can still flow from server to client. If the application closes before the ACK has left, "
    "the ACK rides on the FIN and the exchange takes three segments.",
    "After the last step the client stays in TIME_WAIT for 2MSL, 60 s on Linux, and then moves "
    "to CLOSE (the TIME_WAIT -> CLOSE edge of the state machine). The server's socket is gone "
    "as soon as the last ACK arrives.",
    "A side that never calls close() leaves its peer in FIN_WAIT2 and itself in CLOSE_WAIT; "
    "that is the usual reason for a crowd of either state.",
});

constexpr SequenceDiagram kClose{
    .key = "close",
    .title = "Four-way close: the client closes first",
    .left_name = "client",
    .right_name = "server",
    .left_initial = TcpState::established,
    .right_initial = TcpState::established,
    .steps = kCloseSteps,
    .notes = kCloseNotes,
};

// ---------------------------------------------------------------- simultaneous close

// The FINs cross, and so do the ACKs; a list can only show them one after the other. Each
// receiver's state is the one it enters on arrival, which keeps both columns in the order
// FIN_WAIT1, CLOSING, TIME_WAIT.
constexpr auto kSimultaneousSteps = std::to_array<SequenceStep>({
    {Peer::left, "FIN+ACK", "u", "v", TcpState::fin_wait1, std::nullopt,
     "A calls close() and sends its FIN"},
    {Peer::right, "FIN+ACK", "v", "u", TcpState::closing, TcpState::fin_wait1,
     "B calls close() before A's FIN arrives; B's FIN, which does not ack A's, puts A in CLOSING"},
    {Peer::right, "ACK", "v+1", "u+1", TcpState::time_wait, TcpState::closing,
     "A's FIN reaches B, which enters CLOSING and acks it; that ACK puts A in TIME_WAIT"},
    {Peer::left, "ACK", "u+1", "v+1", std::nullopt, TcpState::time_wait,
     "A's ACK of B's FIN, sent when that FIN arrived, puts B in TIME_WAIT"},
});

constexpr auto kSimultaneousNotes = std::to_array<std::string_view>({
    "Both applications close at about the same moment, so each FIN leaves before the other "
    "arrives and both sides are in FIN_WAIT1. Each then receives a FIN that does not "
    "acknowledge its own, acknowledges it and moves to CLOSING; when the ACK of its own FIN "
    "arrives it enters TIME_WAIT. Both sides end in TIME_WAIT and both wait 2MSL.",
    "The two FINs cross in the network, and so do the two ACKs. The diagram has to list them "
    "one after the other: A's ACK in the last step left A as soon as B's FIN arrived.",
    "A lost ACK alone does not produce CLOSING. A FIN sent after our FIN has arrived "
    "acknowledges ours as well, and takes the receiver from FIN_WAIT1 straight to TIME_WAIT.",
});

constexpr SequenceDiagram kSimultaneousClose{
    .key = "simultaneous_close",
    .title = "Simultaneous close: both sides close at once",
    .left_name = "host A",
    .right_name = "host B",
    .left_initial = TcpState::established,
    .right_initial = TcpState::established,
    .steps = kSimultaneousSteps,
    .notes = kSimultaneousNotes,
};

// ---------------------------------------------------------------- TIME_WAIT

constexpr auto kTimeWaitNotes = std::to_array<std::string_view>({
    "TIME_WAIT belongs to the side that closes first. After acknowledging the peer's FIN it "
    "keeps the connection's addresses and ports reserved, for two reasons. If its last ACK is "
    "lost, the peer resends its FIN, and the socket must still exist to acknowledge it again; "
    "otherwise the peer would receive an RST and report an error for a connection that ended "
    "normally. And segments of the old connection may still be travelling: a new connection "
    "between the same two addresses and ports must not accept them as its own data.",
    "The wait is twice the maximum segment lifetime (MSL), the longest a segment is assumed to "
    "survive in the network. One MSL lets the last ACK arrive or die out; if it was lost, the "
    "peer's resent FIN needs up to another MSL to come back. After 2MSL no segment of the "
    "connection, in either direction, can still be on its way. RFC 9293 keeps the old "
    "engineering value of 2 minutes for MSL; implementations use less.",
    "Linux waits 60 s, fixed at compile time as TCP_TIMEWAIT_LEN (2MSL with MSL taken as "
    "30 s); no sysctl changes it. net.ipv4.tcp_fin_timeout is often mistaken for it but only "
    "limits orphaned FIN_WAIT2 sockets.",
    "A TIME_WAIT entry is a small structure without a file descriptor or buffers. "
    "net.ipv4.tcp_max_tw_buckets caps how many may exist; beyond it Linux closes connections "
    "without TIME_WAIT and counts TCPTimeWaitOverflow in /proc/net/netstat.",
    "For outgoing connections, each TIME_WAIT keeps its local port busy for that (source "
    "address, destination address, destination port) combination, not for the whole host. "
    "The default net.ipv4.ip_local_port_range, 32768-60999, holds 28,232 ports, so one client "
    "address can open about 470 new connections per second to the same destination before "
    "connect() fails with EADDRNOTAVAIL.",
    "What helps: keep connections open and reuse them; let the peer close first where the "
    "protocol allows, so the TIME_WAIT lands there; widen ip_local_port_range; use more "
    "destination addresses or ports. net.ipv4.tcp_tw_reuse=1 lets connect() take over a "
    "TIME_WAIT entry when TCP timestamps show the new segments are newer, so it helps "
    "outgoing connections only and needs net.ipv4.tcp_timestamps; the default, 2, enables it "
    "for loopback only. A server that restarts while its old connections are in TIME_WAIT "
    "needs SO_REUSEADDR to bind its port again.",
    "What never to do: net.ipv4.tcp_tw_recycle dropped TIME_WAIT early based on timestamps and "
    "silently refused connections from clients behind NAT, whose timestamps do not increase "
    "together. It was removed in Linux 4.12; advice to enable it is wrong for every kernel.",
});

// ---------------------------------------------------------------- the life of a socket

constexpr std::array<std::string_view, 0> kNoSysctls{};
constexpr std::array<RuleId, 0> kNoRules{};

constexpr auto kSocketIntro = std::to_array<std::string_view>({
    "A socket is the kernel's end point of one conversation over the network, and the "
    "descriptor that socket() returns is the process's handle to it, used like a file "
    "descriptor with read(), write() and close(). The name pictures the socket a plug goes "
    "into; it and the calls come from the BSD Unix of the early 1980s. A TCP socket is "
    "named by a local address and port and, once connected, also by the peer's address and "
    "port.",
    "A TCP connection is identified by its 4-tuple: local address, local port, peer address, "
    "peer port. The kernel matches every arriving segment to a socket by those four values, so "
    "two connections may share any three of them. That is why a server serves any number of "
    "clients on one port, and why a client's ephemeral port only has to be unique toward one "
    "destination.",
    "A widely copied account of this says the server starts a thread for every connection and "
    "sends its socket's description to the client. TCP does neither. accept() hands the "
    "application a new socket for each connection while the listener goes on listening; "
    "whether a thread, a process or an event loop serves that socket is the application's "
    "choice; and all the client learns is the server's SYN+ACK.",
});

constexpr auto kBindSysctls = std::to_array<std::string_view>({"net.ipv4.ip_local_reserved_ports"});
constexpr auto kBindRules = std::to_array<RuleId>({RuleId::time_wait});
constexpr auto kListenSysctls = std::to_array<std::string_view>({"net.core.somaxconn"});
constexpr auto kAcceptQueueRule = std::to_array<RuleId>({RuleId::accept_queue});
constexpr auto kConnectSysctls =
    std::to_array<std::string_view>({"net.ipv4.ip_local_port_range", "net.ipv4.tcp_syn_retries"});
constexpr auto kConnectRules = std::to_array<RuleId>({RuleId::syn_sent, RuleId::port_exhaustion});
constexpr auto kSynSysctls =
    std::to_array<std::string_view>({"net.ipv4.tcp_synack_retries", "net.ipv4.tcp_syncookies"});
constexpr auto kSynRecvRule = std::to_array<RuleId>({RuleId::syn_recv});
constexpr auto kAckSysctls = std::to_array<std::string_view>({"net.ipv4.tcp_abort_on_overflow"});
constexpr auto kAckRules = std::to_array<RuleId>({RuleId::accept_queue, RuleId::syn_recv});
constexpr auto kDataSysctls = std::to_array<std::string_view>({"net.ipv4.tcp_mem"});
constexpr auto kDataRules = std::to_array<RuleId>({RuleId::tcp_memory});
constexpr auto kActiveCloseSysctls = std::to_array<std::string_view>(
    {"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_max_orphans", "net.ipv4.tcp_tw_reuse"});
constexpr auto kActiveCloseRules =
    std::to_array<RuleId>({RuleId::fin_wait1, RuleId::fin_wait2, RuleId::time_wait,
                           RuleId::port_exhaustion, RuleId::orphans});
constexpr auto kCloseWaitRule = std::to_array<RuleId>({RuleId::close_wait});
constexpr auto kLastAckSysctls = std::to_array<std::string_view>({"net.ipv4.tcp_orphan_retries"});
constexpr auto kLastAckRules = std::to_array<RuleId>({RuleId::last_ack, RuleId::orphans});

constexpr auto kSocketSteps = std::to_array<GuideStep>({
    {"server", "socket(AF_INET, SOCK_STREAM, 0)", TcpState::close,
     "The new socket has neither an address nor a connection, and the kernel keeps it in "
     "CLOSE. No connection table lists such a socket, so neither ss -t nor sk-states shows "
     "it (the CLOSE row of sk-states -a stays at 0); ss -s counts it as closed. The same goes for "
     "a socket whose connect() failed, or "
     "whose connection was reset, while the application still holds the descriptor: a leak "
     "of them shows only as a growing descriptor count in /proc/PID/fd.",
     kNoSysctls, "sk-states -a", kNoRules},
    {"server", "setsockopt(SO_REUSEADDR), bind(address, port)", TcpState::close,
     "bind() gives the socket its local address and port, and fails with EADDRINUSE "
     "(\"Address already in use\") when another socket holds them. The usual victim is a "
     "server restarted while connections it closed first still wait in TIME_WAIT on its port, "
     "for up to 60 s. SO_REUSEADDR, set before bind(), lets the bind succeed over them; "
     "accepted connections inherit the option from their listener, so a server that always "
     "sets it can always restart. It never lets two sockets listen on the same address and "
     "port. A server port inside the ephemeral range can also be taken by an outgoing "
     "connection: list it in net.ipv4.ip_local_reserved_ports.",
     kBindSysctls, "sk-states --state time-wait --by lport --top 5", kBindRules},
    {"server", "listen(fd, backlog)", TcpState::listen,
     "The socket becomes a listener for its address and port; it never carries data itself. "
     "The backlog, silently capped by net.core.somaxconn (4096 since Linux 5.4, 128 before), "
     "sizes the accept queue, where finished handshakes wait for accept() (it holds backlog + "
     "1), and on current kernels also how many half-open connections the listener keeps "
     "before it turns to SYN cookies. Many programs pass a small fixed backlog whatever "
     "somaxconn allows (Java's ServerSocket 50, nginx 511), so check what each listener got: "
     "sk-states lists a listener with RECV_Q, the connections waiting now, and SEND_Q, the "
     "queue's limit.",
     kListenSysctls, "sk-states --list --state listen", kAcceptQueueRule},
    {"client", "connect(address, port)", TcpState::syn_sent,
     "Without an earlier bind(), connect() takes a local port from "
     "net.ipv4.ip_local_port_range (32768-60999 by default, 28,232 ports), sends a SYN and "
     "leaves the socket in SYN_SENT. The port only has to be unique toward this destination "
     "address and port, so every destination has the whole range; when one destination's "
     "share is used up, connect() fails with EADDRNOTAVAIL. A client that binds a source "
     "address first gets its port at bind() time, unique toward every destination, and runs "
     "out far sooner unless it sets IP_BIND_ADDRESS_NO_PORT. An RST in reply means nothing "
     "listens (ECONNREFUSED); silence means the SYN is resent net.ipv4.tcp_syn_retries times "
     "(6 by default, about 127 s) before ETIMEDOUT.",
     kConnectSysctls, "sk-states --state syn-sent --by raddr --top 10", kConnectRules},
    {"server", "the SYN arrives", TcpState::syn_recv,
     "The kernel answers on its own; the application and the listener, still in LISTEN, "
     "notice nothing. It keeps a small request socket, Linux's NEW_SYN_RECV, which ss, "
     "/proc/net/tcp and sk-states all show as SYN_RECV, and sends the SYN+ACK. Without the "
     "final ACK the SYN+ACK is resent net.ipv4.tcp_synack_retries times (5 by default, about "
     "63 s in all) before the request is dropped. When a listener already holds as many "
     "requests as its backlog, further SYNs get SYN cookies (net.ipv4.tcp_syncookies=1, the "
     "default) or are dropped; sk-explain syn-flood tells that part.",
     kSynSysctls, "sk-states --state syn-recv --by lport", kSynRecvRule},
    {"client", "the SYN+ACK arrives; connect() returns", TcpState::established,
     "The client's socket is ESTABLISHED as soon as the SYN+ACK arrives and its ACK leaves, "
     "and connect() returns. The client cannot tell whether the server's application will "
     "ever accept the connection: its first request may wait in a full accept queue, or the "
     "server may have dropped the final ACK (next step). Quick connects followed by slow first "
     "responses point at the server's accept queue rather than the network.",
     kNoSysctls, "sk-states --state established --by raddr --top 10", kNoRules},
    {"server", "the final ACK arrives", TcpState::established,
     "The request becomes a full socket in ESTABLISHED and is queued on the listener, still "
     "unseen by the application. If the accept queue is full, Linux drops the ACK instead "
     "(ListenOverflows and ListenDrops rise) and leaves the request in SYN_RECV to resend its "
     "SYN+ACK, while the client already believes it is connected; with "
     "net.ipv4.tcp_abort_on_overflow=1 the client gets an RST instead. SYNs that reach a "
     "listener whose accept queue is full are dropped as well, so new clients see slow "
     "connects.",
     kAckSysctls, "sk-states --list --state listen", kAckRules},
    {"server", "accept()", TcpState::established,
     "accept() takes the oldest connection off the queue and returns a new descriptor for it; "
     "the listener stays in LISTEN for the next one. Every accepted socket shares the "
     "listener's local address and port and differs only in the peer's, so a server spends "
     "no ports on its clients. A queue that stays long, RECV_Q close to SEND_Q, means "
     "accept() comes too slowly: accept threads that are blocked, a stalled event loop, or a "
     "process at its descriptor limit (EMFILE).",
     kNoSysctls, "sk-states --state established --by lport --top 10", kAcceptQueueRule},
    {"either side", "read() and write()", TcpState::established,
     "Data flows and the state stays ESTABLISHED, however long the connection is idle, until "
     "a FIN or an RST arrives or retransmissions or keepalive probes give up. The buffers of "
     "every socket count against one host-wide budget, net.ipv4.tcp_mem: a large RECV_Q "
     "means the application does not read, a large SEND_Q that the peer or the path is slow. "
     "A connection whose peer vanished without a word stays here for good unless keepalive "
     "is on.",
     kDataSysctls, "sk-states --list --state established -e", kDataRules},
    {"either side", "close() first; the peer's FIN follows", TcpState::time_wait,
     "The side that calls close() first sends a FIN (FIN_WAIT1), has it acknowledged "
     "(FIN_WAIT2), receives the peer's FIN and ends in TIME_WAIT for 60 s, which no sysctl "
     "shortens. From close() on the socket is an orphan: no process holds it, yet TCP is "
     "still at work on it. net.ipv4.tcp_max_orphans caps how many orphans may exist, and an "
     "orphan waits at most net.ipv4.tcp_fin_timeout (60 s) in FIN_WAIT2. A server that closes "
     "first collects TIME_WAIT on its own port, rarely a problem for new connections but the "
     "reason a restart needs SO_REUSEADDR. A client that closes first keeps each ephemeral "
     "port busy toward that destination for the whole minute; net.ipv4.tcp_tw_reuse=1 lets a "
     "new outgoing connection take such a port over when TCP timestamps are on.",
     kActiveCloseSysctls, "sk-states --state time-wait --by raddr --top 10", kActiveCloseRules},
    {"the other side", "the peer's FIN arrives", TcpState::close_wait,
     "The peer's FIN puts this side in CLOSE_WAIT at once, and read() returns 0 to say the "
     "stream has ended. Nothing but the application's close() ends the state: no timer, no "
     "sysctl. A CLOSE_WAIT count that keeps growing is an application that forgets to close "
     "connections, typically on an error path, and the process holding them is the one to "
     "fix.",
     kNoSysctls, "sk-states --state close-wait --by process", kCloseWaitRule},
    {"the other side", "close() after the peer's FIN", TcpState::last_ack,
     "close() sends this side's FIN, and the socket waits in LAST_ACK for its "
     "acknowledgement, usually one round trip, after which it is gone without any TIME_WAIT. "
     "Like every socket closed with work left to do it is an orphan, and an unanswered FIN is "
     "resent net.ipv4.tcp_orphan_retries times (0, the default, means 8) before the kernel "
     "gives up.",
     kLastAckSysctls, "sk-states --list --state last-ack", kLastAckRules},
});

constexpr auto kSocketNotes = std::to_array<std::string_view>({
    "SO_REUSEADDR and SO_REUSEPORT decide only whether bind() may take a local address and "
    "port that other sockets hold. SO_REUSEADDR lets a server bind over its own old "
    "connections in TIME_WAIT. SO_REUSEPORT lets several sockets, each setting it before "
    "bind() and all owned by the same user, bind the very same address and port; for TCP "
    "each becomes a listener with its own accept queue, and the kernel spreads new "
    "connections among them by a hash of the 4-tuple, so one slow worker fills its own queue "
    "while the others idle. sk-states lists each of these listeners on its own line, and the "
    "accept_queue finding judges each one.",
    "Neither option touches connect()'s ephemeral ports or shortens TIME_WAIT. For outgoing "
    "connections the remedies are net.ipv4.tcp_tw_reuse (its default, 2, enables it for "
    "loopback only), a wider net.ipv4.ip_local_port_range, more destination addresses, and "
    "above all fewer, longer-lived connections. net.ipv4.tcp_tw_recycle, which once cut "
    "TIME_WAIT short, broke clients behind NAT and was removed in Linux 4.12.",
    "Where to look: sk-states counts every state and runs the findings; sk-states --list "
    "--state listen shows each listener's queue against its limit; sk-states --state "
    "time-wait --by raddr (or --by lport, --by process) shows whose sockets pile up, and -p "
    "names the processes. sk-explain rules lists the findings named above, and sk-explain "
    "close-wait, or any other state, explains that state in full.",
    "UDP sockets know none of this: no listen(), no accept(), no states. bind() gives a UDP "
    "socket its port, sendto() and recvfrom() carry whole datagrams, and connect() only fixes "
    "a default peer.",
});

constexpr Guide kSocketGuide{
    .topic = "socket",
    .title = "Sockets: from socket() to close(), step by step and state by state",
    .intro = kSocketIntro,
    .steps = kSocketSteps,
    .notes_heading = "Reuse options, ports and where to look",
    .notes = kSocketNotes,
};

// ---------------------------------------------------------------- SYN floods

constexpr auto kSynFloodIntro = std::to_array<std::string_view>({
    "A SYN flood sends a listener SYNs that never become connections, usually from forged "
    "source addresses that will never answer. Each one costs the server a half-open request "
    "in SYN_RECV and up to a minute of SYN+ACK resends, and a listener keeps only so many; once "
    "they are used up, real clients cannot get in. Linux defends the listener with SYN "
    "cookies, which answer SYNs without keeping anything.",
    "The same crowd of SYN_RECV appears without any attack when final ACKs do not come back: "
    "they are lost or filtered on the way (asymmetric routing, a firewall that passes only "
    "one direction), or the listener's accept queue is full and the kernel ignores them. The "
    "peers and the kernel's counters tell the cases apart.",
});

constexpr auto kRetrySysctls = std::to_array<std::string_view>({"net.ipv4.tcp_synack_retries"});
constexpr auto kSynQueueSysctls = std::to_array<std::string_view>(
    {"net.ipv4.tcp_syncookies", "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog"});
constexpr auto kCookieSysctls = std::to_array<std::string_view>({"net.ipv4.tcp_timestamps"});

constexpr auto kSynFloodSteps = std::to_array<GuideStep>({
    {"client or attacker", "a SYN reaches a listener", TcpState::syn_recv,
     "The kernel stores a small request socket (NEW_SYN_RECV inside Linux, SYN_RECV in ss, "
     "/proc/net/tcp and sk-states), sends a SYN+ACK and waits for the final ACK; the listener "
     "stays in LISTEN and the application sees nothing. Without an answer the SYN+ACK is "
     "resent after 1, 3, 7, 15 and 31 s, net.ipv4.tcp_synack_retries times (5 by default), "
     "and the request is dropped at about 63 s. A forged source never answers, so a forged "
     "SYN holds its place until then, except that once requests fill more than half of a "
     "listener's backlog Linux gives the older ones fewer resends, down to 2 (about 7 s), to "
     "keep room for new ones.",
     kRetrySysctls, "sk-states --state syn-recv --by lport", kSynRecvRule},
    {"kernel", "the listener's SYN queue is full", std::nullopt,
     "A listener keeps about as many half-open requests as its listen() backlog, capped by "
     "net.core.somaxconn. Beyond that, with net.ipv4.tcp_syncookies=1 (the default), the "
     "kernel stops storing requests and answers each new SYN with a SYN cookie, a SYN+ACK "
     "whose sequence number encodes the connection; TCPReqQFullDoCookies counts these "
     "decisions, SyncookiesSent the cookies, and the kernel log says \"Possible SYN flooding "
     "on port\" once per listener. With tcp_syncookies=0 such SYNs are dropped and "
     "TCPReqQFullDrop rises; in that mode net.ipv4.tcp_max_syn_backlog also turns away SYNs "
     "from peers it has no round-trip time on record for once a listener's requests pass three "
     "quarters of it. tcp_syncookies=2 sends cookies for every SYN.",
     kSynQueueSysctls, "sk-states --watch 1", kSynRecvRule},
    {"client", "the ACK to a cookie arrives", TcpState::established,
     "A real client answers the cookie's SYN+ACK with an ordinary ACK. The kernel checks the "
     "cookie in the acknowledged sequence number and builds the connection straight into "
     "ESTABLISHED and the accept queue, with no SYN_RECV entry; SyncookiesRecv counts the "
     "good ones and SyncookiesFailed the ACKs whose cookie did not check out. A cookie has "
     "room for little more than the MSS, so unless TCP timestamps (net.ipv4.tcp_timestamps) "
     "carry the rest, such a connection loses window scaling and SACK: tcp(7) calls cookies "
     "a last resort, not a tuning knob. A forged SYN's SYN+ACK goes to the forged address and "
     "costs nothing more.",
     kCookieSysctls, "sk-states --state established --by lport", kAcceptQueueRule},
    {"kernel", "the final ACK meets a full accept queue", TcpState::syn_recv,
     "If the accept queue is full when the final ACK arrives, Linux ignores the ACK, counts "
     "ListenOverflows and ListenDrops, and leaves the request in SYN_RECV to resend its "
     "SYN+ACK, while the client already believes it is connected; with "
     "net.ipv4.tcp_abort_on_overflow=1 the client gets an RST instead. New SYNs to that "
     "listener are dropped as well. This pile of SYN_RECV is the application's doing, not an "
     "attacker's: the accept_queue finding names the listener, and the fix is an application "
     "that calls accept() faster.",
     kAckSysctls, "sk-states --list --state listen", kAckRules},
    {"kernel", "the SYN+ACK retries run out", TcpState::close,
     "After the last resend the request is dropped, about 63 s after its SYN, and nothing is "
     "sent to the client. Lowering net.ipv4.tcp_synack_retries during a flood frees places "
     "sooner (2 gives about 7 s) at the cost of clients on lossy paths whose ACK needs a "
     "resend or two. Many peers with one or two entries each, addresses that never complete "
     "a connection, are a flood; a few peers with many entries each are real clients whose "
     "final ACKs do not arrive, so look at the path back from them.",
     kRetrySysctls, "sk-states --state syn-recv --by raddr --top 10", kSynRecvRule},
});

constexpr auto kSynFloodNotes = std::to_array<std::string_view>({
    "The syn_recv finding of sk-states counts SYN_RECV entries, request sockets included, and "
    "warns at 100, critical at 1000 (sk-states --threshold syn_recv=50:500 changes the "
    "levels). Its evidence names the local ports and peers with the most entries, the "
    "counters TcpExtSyncookiesSent, TcpExtListenOverflows, TcpExtListenDrops and "
    "TcpExtTCPReqQFullDrop, and the limits tcp_max_syn_backlog, somaxconn and tcp_syncookies. "
    "With --watch it also warns whenever SyncookiesSent or TCPReqQFullDrop rose since the "
    "previous sample, whatever the count: with cookies on, a flood keeps each listener's "
    "count near its backlog, so the counters are the surer sign.",
    "Outside sk-states, nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv "
    "TcpExtSyncookiesFailed TcpExtTCPReqQFullDoCookies TcpExtTCPReqQFullDrop shows the "
    "cookie side since boot, and dmesg | grep 'SYN flooding' names the ports the kernel had "
    "to defend.",
    "What to do: keep net.ipv4.tcp_syncookies at 1. Give busy listeners a larger listen() "
    "backlog, and net.core.somaxconn room for it, since the backlog also bounds their "
    "half-open requests; net.ipv4.tcp_max_syn_backlog matters only with cookies off. Shorten "
    "net.ipv4.tcp_synack_retries while under attack. A flood beyond what the host can answer "
    "has to be filtered before it arrives, upstream or by a SYN proxy in front; no sysctl "
    "lets one host absorb any packet rate.",
});

constexpr Guide kSynFloodGuide{
    .topic = "syn-flood",
    .title = "SYN floods: half-open connections, the SYN backlog and SYN cookies",
    .intro = kSynFloodIntro,
    .steps = kSynFloodSteps,
    .notes_heading = "What sk-states reads, and what to do",
    .notes = kSynFloodNotes,
};

// ---------------------------------------------------------------- OSI layers

constexpr auto kLayer7Examples =
    std::to_array<std::string_view>({"HTTP", "DNS", "SMTP", "FTP", "TFTP", "SNMP", "Telnet"});
constexpr auto kLayer6Examples = std::to_array<std::string_view>(
    {"MIME", "XDR", "ASN.1 encodings (BER, DER)", "TLS (often placed here)"});
constexpr auto kLayer5Examples = std::to_array<std::string_view>(
    {"NetBIOS session service", "RPC", "SOCKS (often placed here)"});
constexpr auto kLayer4Examples = std::to_array<std::string_view>({"TCP", "UDP", "SCTP"});
constexpr auto kLayer3Examples =
    std::to_array<std::string_view>({"IPv4", "IPv6", "ICMP", "IGMP", "OSPF", "RIP", "BGP"});
constexpr auto kLayer2Examples = std::to_array<std::string_view>(
    {"Ethernet (IEEE 802.3) framing", "IEEE 802.2 LLC", "Wi-Fi (IEEE 802.11) MAC", "PPP", "SLIP",
     "CSLIP", "ARP and RARP (at the layer 2/3 boundary)"});
constexpr auto kLayer1Examples = std::to_array<std::string_view>(
    {"ISO 2110 (25-pin connector)", "EIA/TIA-232 (RS-232)", "Ethernet physical layers (1000BASE-T)",
     "IEEE 802.11 radio", "optical fibre"});

constexpr auto kOsiLayers = std::to_array<OsiLayer>({
    {7, "application",
     "Services the user's programs talk to: file transfer, mail, name lookup, remote login",
     kLayer7Examples},
    {6, "presentation", "Data representation: encoding, format conversion, compression, encryption",
     kLayer6Examples},
    {5, "session", "Setting up, coordinating and ending dialogues between applications",
     kLayer5Examples},
    {4, "transport", "End-to-end delivery between processes, identified by ports", kLayer4Examples},
    {3, "network", "Addressing hosts and routing packets across networks", kLayer3Examples},
    {2, "data link", "Framing, link addresses (MAC) and error detection on one link",
     kLayer2Examples},
    {1, "physical", "Bits on the medium: connectors, voltages, light, radio", kLayer1Examples},
});

constexpr auto kOsiNotes = std::to_array<std::string_view>({
    "OSI is a reference model for naming layers. The Internet runs the TCP/IP model, which "
    "folds layers 5 to 7 into one application layer and layers 1 and 2 into a link layer.",
    "TCP/IP has no separate presentation or session protocols; applications and libraries do "
    "that work, which is why TLS, SOCKS and RPC are placed at different layers by different "
    "books.",
    "Corrections to a table that circulates widely: ARP and RARP are carried directly in link "
    "frames but serve IP, so they are usually placed at the boundary of layers 2 and 3, not "
    "plainly in layer 2. MTU is a property of a link (the largest packet it carries), not a "
    "protocol. IEEE 802.2 (LLC) belongs to layer 2, not layer 1, and IEEE 802 as a whole spans "
    "layers 1 and 2. RIP and BGP serve layer 3 even though their messages travel over UDP and "
    "TCP.",
    "Sockets sit between layers 4 and 7: the kernel implements TCP and UDP, IP and the link "
    "drivers, and the application above the socket API supplies everything higher.",
});

// ---------------------------------------------------------------- TCP against UDP

constexpr auto kTcpVsUdp = std::to_array<ProtocolContrast>({
    {"connection",
     "Connection-oriented: a three-way handshake before any data, a FIN or RST to end it",
     "Connectionless: each datagram carries full addressing; connect() only sets a default "
     "peer"},
    {"reliability",
     "Acknowledges and resends lost segments; delivery succeeds or the connection fails",
     "No acknowledgement or resending; datagrams can be lost or duplicated without notice"},
    {"ordering", "Bytes arrive in the order they were sent", "Datagrams can arrive in any order"},
    {"data boundaries",
     "A byte stream: one send may arrive in several reads and several sends in one read",
     "Messages: each send is one datagram, read whole or truncated (MSG_TRUNC)"},
    {"size limit", "None for the stream; segments are cut to the MSS",
     "At most 65,507 payload bytes per datagram over IPv4 (65,527 over IPv6); larger than the "
     "path MTU means IP fragments"},
    {"flow and congestion control",
     "Receive window and congestion control (CUBIC by default on Linux)",
     "None; the application must pace itself"},
    {"header size", "20 to 60 bytes", "8 bytes"},
    {"state on the host", "A state machine per connection, listed by ss -t",
     "Only the socket; ss -u shows UNCONN, or ESTAB after connect()"},
    {"first data", "After one round trip for the handshake (TCP Fast Open aside)",
     "In the very first packet"},
    {"probing a port", "Open answers SYN+ACK, closed answers RST, filtered stays silent",
     "Closed answers ICMP port unreachable; open and filtered often both stay silent"},
    {"delivery modes", "Unicast only", "Unicast, broadcast and multicast"},
    {"typical uses", "HTTP/1 and HTTP/2, SSH, SMTP, databases",
     "DNS queries, DHCP, NTP, syslog, media streaming, QUIC"},
});

constexpr auto kTcpVsUdpNotes = std::to_array<std::string_view>({
    "UDP is not TCP without the overhead: an application that needs reliability over UDP must "
    "build acknowledgement, resending, ordering and pacing itself, as QUIC does.",
    "TCP keeps no message boundaries, so every protocol over TCP needs its own framing, such as "
    "a length prefix or a delimiter; code that assumes one read per send breaks under load.",
    "Probing UDP is guesswork: silence can mean open or filtered, and only an ICMP port "
    "unreachable proves a port closed, while some hosts rate-limit those messages.",
});

// ---------------------------------------------------------------- the drawing

// Kept as one raw string so it can be edited as a picture. The leading and trailing
// newlines only keep the first and last lines aligned in this file and are cut off.
constexpr std::string_view kDrawingSource = R"drawing(
The TCP state machine: RFC 9293 with the Linux state names and timers

                                    +---------------+   connect() / snd SYN
                                    |               |-------------------------------------+
                                    |     CLOSE     |                                     |
                                    |               |<------------------------------+     |
                                    +---------------+  close(), SYN retries         |     |
                                        |       ^      run out or rcv RST           |     |
                               listen() |       | close()                           |     |
                                        |       |                                   |     |
                                        v       |                                   |     v
         rcv SYN / snd SYN+ACK      +---------------+                           +--------------+
     +------------------------------|               |  data to send / snd SYN   |              |
     |                              |    LISTEN     |-------------------------->|   SYN_SENT   |
     |    +------------------------>|               |  (RFC 9293 only)          |              |
     |    |  rcv RST (passive open) +---------------+                           +--------------+
     |    |                                                                         |     |
     |    |                                                                         |     |
     v    |                                                                         |     |
+--------------+                                                                    |     |
|              |    rcv SYN / snd SYN+ACK (simultaneous open)                       |     |
|   SYN_RECV   |<-------------------------------------------------------------------+     |
|              |                                                                          |
+--------------+                                                                          |
    |      |                                                                              |
    |      |   rcv ACK of SYN       +---------------+     rcv SYN+ACK / snd ACK           |
    |      +----------------------->|               |<------------------------------------+
    |                               |  ESTABLISHED  |
    | close()             +---------|               |---------------------------------+
    | / snd FIN           |         +---------------+     rcv FIN / snd ACK           |
    |                     | close() / snd FIN                                         |
    |                     |                                                           |
    |                     |                                                           |
    v                     |                                                           v
+--------------+          |                                                     +--------------+
|              |<---------+                                                     |              |
|  FIN_WAIT1   |----------------------------+                                   |  CLOSE_WAIT  |
|              |--------------+             | rcv FIN / snd ACK                 |              |
+--------------+  rcv FIN+ACK |             |                                   +--------------+
        |         / snd ACK   |             |                                           |
        | rcv ACK of FIN      |             |                         close() / snd FIN |
        v                     |             v                                           v
+--------------+              |     +---------------+                           +--------------+
|              |              |     |               |                           |              |
|  FIN_WAIT2   |              |     |    CLOSING    |                           |   LAST_ACK   |
|              |              |     |               |                           |              |
+--------------+              |     +---------------+                           +--------------+
    |      |                  |             |                                           |
    |      |                  |             | rcv ACK of FIN            rcv ACK of FIN  |
    |      | rcv FIN          |             v                                           v
    |      | / snd ACK        |     +---------------+                           +--------------+
    |      |                  +---->|               |   2MSL timeout            |              |
    |      |                        |   TIME_WAIT   |-------------------------->|    CLOSE     |
    |      +----------------------->|               |   (60 s on Linux)         |              |
    |                               +---------------+                           +--------------+
    |                                                                                   ^
    +-----------------------------------------------------------------------------------+
      orphan: net.ipv4.tcp_fin_timeout expires (Linux only, not in RFC 9293)

rcv = a segment arrives, snd = TCP sends one; each arrow reads "event / action".
CLOSE is drawn twice: where connections start (top) and where they end (bottom right).

Not drawn above, all ending in CLOSE:
  SYN_RECV      rcv RST after a simultaneous open, or SYN+ACK retries run out
  ESTABLISHED   rcv RST, retransmissions or keepalive give up, or abort / snd RST
  FIN_WAIT1     rcv RST, or the orphan gives up (tcp_orphan_retries, tcp_max_orphans)
  FIN_WAIT2     rcv RST
  CLOSE_WAIT    rcv RST, or abort / snd RST
  CLOSING       rcv RST, or the orphan gives up (tcp_orphan_retries)
  LAST_ACK      rcv RST, or FIN retries run out
  TIME_WAIT     rcv RST (Linux, unless net.ipv4.tcp_rfc1337=1)
  abort = close() with SO_LINGER set to 0 s, or close() while received data is unread

Linux passive open (since 4.4): a SYN creates a small request socket instead of a full
socket in SYN_RECV, and ss, /proc/net/tcp and sock_diag report it as SYN_RECV.

+----------+  rcv SYN / snd SYN+ACK  +--------------+  rcv ACK: full socket  +-------------+
|  LISTEN  |------------------------>| NEW_SYN_RECV |----------------------->| ESTABLISHED |
+----------+  (the listener stays    +--------------+  in the accept queue   +-------------+
               in LISTEN)                   |          until accept()
                                            |
                                            | SYN+ACK retries run out (tcp_synack_retries)
                                            | or rcv RST: the request is dropped
                                            v
                                     +--------------+
                                     |    CLOSE     |
                                     +--------------+
)drawing";
constexpr std::string_view kDrawing = kDrawingSource.substr(1, kDrawingSource.size() - 2);

}  // namespace

const SequenceDiagram& handshake_diagram() {
  return kHandshake;
}
const SequenceDiagram& close_diagram() {
  return kClose;
}
const SequenceDiagram& simultaneous_close_diagram() {
  return kSimultaneousClose;
}

std::span<const std::string_view> time_wait_notes() {
  return kTimeWaitNotes;
}

const Guide& socket_guide() {
  return kSocketGuide;
}
const Guide& syn_flood_guide() {
  return kSynFloodGuide;
}

std::span<const OsiLayer> osi_layers() {
  return kOsiLayers;
}
std::span<const std::string_view> osi_notes() {
  return kOsiNotes;
}

std::span<const ProtocolContrast> tcp_vs_udp() {
  return kTcpVsUdp;
}
std::span<const std::string_view> tcp_vs_udp_notes() {
  return kTcpVsUdpNotes;
}

std::string_view state_machine_drawing() {
  return kDrawing;
}

}  // namespace sockkit
