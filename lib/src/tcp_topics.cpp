// The explanations around the state table. Sequence diagrams record, for each segment,
// the state of its sender once it has been sent and of its receiver once it has been
// received, because that is when the kernel changes state; the renderer draws from that.
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
