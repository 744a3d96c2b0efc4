// The notes under sk-ping's summary. Each condition reads the counts alone, and notes
// that exclude each other (every attempt refused, or only some) say so in their
// conditions, so the table is the whole rule and its order is the printed order.
#include "sockkit/ping_hints.hpp"

#include <fmt/format.h>

namespace sockkit {
namespace {

constexpr PingHint kHints[] = {
    {"all_refused", "TCP: resets, and no handshake completed",
     [](const PingCounts& c) { return !c.udp && c.refused > 0 && c.connected == 0; },
     "every answer was a reset: nothing listens on port {port}, or a firewall rejects with a "
     "TCP reset; on the server, sk-states --listening shows what listens"},
    {"some_refused", "TCP: resets while other handshakes completed",
     [](const PingCounts& c) { return !c.udp && c.refused > 0 && c.connected > 0; },
     "some attempts were reset while others connected: a backend behind a load balancer is "
     "down, or the listener's accept queue overflowed with net.ipv4.tcp_abort_on_overflow=1"},
    {"no_answer", "TCP: time-outs, and neither a handshake nor a reset",
     [](const PingCounts& c) {
       return !c.udp && c.timeouts > 0 && c.connected == 0 && c.refused == 0;
     },
     "no SYN was answered: a firewall drops them, the host is down, or the route leads "
     "nowhere; sk-probe shows whether any other port of the host answers"},
    {"some_timed_out", "TCP: time-outs while something else answered",
     [](const PingCounts& c) {
       return !c.udp && c.timeouts > 0 && (c.connected > 0 || c.refused > 0);
     },
     "{timeouts} of {sent} attempts got no answer in time while others connected: packets are "
     "lost on the path, or the server drops SYNs because its SYN or accept queue is full"},
    {"syn_retransmitted", "TCP: handshakes that completed only after a SYN was sent again",
     [](const PingCounts& c) { return !c.udp && c.retransmitted > 0; },
     "{retransmitted} handshake{plural_retransmitted} needed a retransmitted SYN, each costing "
     "a second or more: loss on the path, or a server whose SYN or accept queue overflows; on "
     "the server, sk-states reports accept_queue and syn_recv findings, and nstat shows "
     "TcpExtListenOverflows"},
    {"local_unreachable", "TCP: every connect() failed on this host",
     [](const PingCounts& c) {
       return !c.udp && c.local_unreachable > 0 && c.local_unreachable == c.sent;
     },
     "nothing left this host: connect() failed at once ({local_cause}), so no SYN was sent; "
     "ip route get ADDRESS shows how this host routes it"},
    {"some_local_unreachable", "TCP: some connect() calls failed on this host",
     [](const PingCounts& c) {
       return !c.udp && c.local_unreachable > 0 && c.local_unreachable != c.sent;
     },
     "nothing left this host for {local_unreachable} of {sent} attempts: connect() failed at "
     "once ({local_cause}), so no SYN was sent; ip route get ADDRESS shows how this host "
     "routes it"},
    {"icmp_unreachable", "TCP: ICMP errors stopped attempts on the way",
     [](const PingCounts& c) { return !c.udp && c.remote_unreachable > 0 && c.remote_icmp; },
     "ICMP errors stopped {remote_unreachable} of {sent} attempts before the server "
     "({remote_cause}): a router without a route, or a firewall's reject rule"},
    {"remote_unreachable", "TCP: errors without ICMP stopped attempts after the SYN left",
     [](const PingCounts& c) { return !c.udp && c.remote_unreachable > 0 && !c.remote_icmp; },
     "errors after the SYN left stopped {remote_unreachable} of {sent} attempts before the "
     "server ({remote_cause}): a router without a route, or a firewall's reject rule"},
    {"close_kept_sending", "TCP --close: the peer still sent data when the wait for its FIN ended",
     [](const PingCounts& c) { return !c.udp && c.close_kept_sending > 0; },
     "the peer kept sending after our FIN and did not close its side in time: a server that "
     "streams does not stop for a half-close, so only the reset at the end stopped it"},
    {"close_no_fin", "TCP --close: the peer acknowledged our FIN but sent none of its own",
     [](const PingCounts& c) { return !c.udp && c.close_timeouts > c.close_kept_sending; },
     "the peer acknowledged our FIN but did not send its own in time (we sat in FIN_WAIT2): "
     "the server application does not close its side when the client does; on the server, "
     "sk-states shows it as CLOSE_WAIT"},
    {"udp_silent", "UDP: no reply at all",
     [](const PingCounts& c) { return c.udp && c.answered == 0 && c.timeouts > 0; },
     "no datagram came back: nothing echoes on that port, a firewall drops UDP, or the "
     "replies leave from another address; UDP gives no error when nothing answers"},
    {"udp_lost", "UDP: some datagrams never came back",
     [](const PingCounts& c) { return c.udp && c.answered > 0 && c.timeouts > 0; },
     "{timeouts} of {sent} datagrams were lost: UDP does not resend, so this is the path's (or "
     "the echo service's receive buffer's) loss rate"},
    {"udp_port_unreachable", "UDP: ICMP port unreachable came back",
     [](const PingCounts& c) { return c.udp && c.refused > 0; },
     "ICMP port unreachable came back: nothing listens on that UDP port"},
    {"udp_order", "UDP: replies came back twice or out of order",
     [](const PingCounts& c) { return c.udp && (c.duplicates > 0 || c.reordered > 0); },
     "UDP neither removes duplicates nor keeps order: an application on this path must number "
     "its messages, as this ping does"},
    {"out_of_descriptors", "attempts that could not open a socket (EMFILE, ENFILE)",
     [](const PingCounts& c) { return c.out_of_descriptors > 0; },
     "{out_of_descriptors} attempts found no free descriptor: every attempt still waiting holds "
     "a socket, and --timeout / --interval of them exceeds ulimit -n; shorten -W, lengthen -i "
     "or raise the limit"},
    {"mismatch", "connections whose answer was not the one expected",
     [](const PingCounts& c) { return c.mismatched > 0; },
     "connections were made but the request was not answered as expected: the port is open, "
     "the service behind it is not healthy"},
};

std::string filled(std::string_view text, const PingCounts& c) {
  return fmt::format(fmt::runtime(text), fmt::arg("port", c.port), fmt::arg("sent", c.sent),
                     fmt::arg("timeouts", c.timeouts), fmt::arg("retransmitted", c.retransmitted),
                     fmt::arg("plural_retransmitted", c.retransmitted == 1 ? "" : "s"),
                     fmt::arg("out_of_descriptors", c.out_of_descriptors),
                     fmt::arg("local_unreachable", c.local_unreachable),
                     fmt::arg("local_cause", c.local_cause),
                     fmt::arg("remote_unreachable", c.remote_unreachable),
                     fmt::arg("remote_cause", c.remote_cause));
}

}  // namespace

std::span<const PingHint> ping_hints() {
  return kHints;
}

std::vector<std::string> ping_notes(const PingCounts& counts) {
  std::vector<std::string> out;
  for (const auto& hint : kHints) {
    if (hint.applies(counts)) out.push_back(filled(hint.text, counts));
  }
  return out;
}

}  // namespace sockkit
