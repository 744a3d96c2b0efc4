// What the numbers point at. Each note names the likely causes in the order an
// operator should rule them out, and where to look.
#include <fmt/format.h>

#include "report.hpp"

namespace sk_ping {

namespace {

// Each note names its cause itself: with -q no line above it was printed.
void unreachable_hints(const Tally& t, std::vector<std::string>& out) {
  const auto& local = t.local_unreachable;
  if (local.count > 0) {
    out.push_back(fmt::format(
        "nothing left this host{}: connect() failed at once ({}), so no SYN was sent; ip route "
        "get ADDRESS shows how this host routes it",
        local.count == t.sent ? "" : fmt::format(" for {} of {} attempts", local.count, t.sent),
        cause_text(local)));
  }
  const auto& remote = t.remote_unreachable;
  if (remote.count > 0) {
    out.push_back(fmt::format(
        "{} {} of {} attempts before the server ({}): a router without a route, or a firewall's "
        "reject rule",
        remote.icmp ? "ICMP errors stopped" : "errors after the SYN left stopped", remote.count,
        t.sent, cause_text(remote)));
  }
}

void close_hints(const Tally& t, std::vector<std::string>& out) {
  auto timeouts = t.close_ends[static_cast<std::size_t>(CloseEnd::timeout)];
  if (t.close_kept_sending > 0) {
    out.push_back(
        "the peer kept sending after our FIN and did not close its side in time: a server that "
        "streams does not stop for a half-close, so only the reset at the end stopped it");
  }
  if (timeouts > t.close_kept_sending) {
    out.push_back(
        "the peer acknowledged our FIN but did not send its own in time (we sat in FIN_WAIT2): "
        "the server application does not close its side when the client does; on the server, "
        "sk-states shows it as CLOSE_WAIT");
  }
}

void tcp_hints(const Plan& plan, const Tally& t, std::vector<std::string>& out) {
  auto connected = t.count(Outcome::connected) + t.count(Outcome::mismatch);
  auto refused = t.count(Outcome::refused);
  auto timeouts = t.count(Outcome::timeout);
  if (refused > 0 && connected == 0) {
    out.push_back(fmt::format(
        "every answer was a reset: nothing listens on port {}, or a firewall rejects with a TCP "
        "reset; on the server, sk-states --listening shows what listens",
        plan.port));
  } else if (refused > 0) {
    out.push_back(
        "some attempts were reset while others connected: a backend behind a load balancer is "
        "down, or the listener's accept queue overflowed with net.ipv4.tcp_abort_on_overflow=1");
  }
  if (timeouts > 0 && connected == 0 && refused == 0) {
    out.push_back(
        "no SYN was answered: a firewall drops them, the host is down, or the route leads "
        "nowhere; sk-probe shows whether any other port of the host answers");
  } else if (timeouts > 0) {
    out.push_back(fmt::format(
        "{} of {} attempts got no answer in time while others connected: packets are lost on the "
        "path, or the server drops SYNs because its SYN or accept queue is full",
        timeouts, t.sent));
  }
  if (t.retransmitted_attempts > 0) {
    out.push_back(fmt::format(
        "{} handshake{} needed a retransmitted SYN, each costing a second or more: loss on the "
        "path, or a server whose SYN or accept queue overflows; on the server, sk-states reports "
        "accept_queue and syn_recv findings, and nstat shows TcpExtListenOverflows",
        t.retransmitted_attempts, t.retransmitted_attempts == 1 ? "" : "s"));
  }
  unreachable_hints(t, out);
  close_hints(t, out);
}

void udp_hints(const Tally& t, std::vector<std::string>& out) {
  if (t.answered() == 0 && t.count(Outcome::timeout) > 0) {
    out.push_back(
        "no datagram came back: nothing echoes on that port, a firewall drops UDP, or the "
        "replies leave from another address; UDP gives no error when nothing answers");
  } else if (t.count(Outcome::timeout) > 0) {
    out.push_back(
        fmt::format("{} of {} datagrams were lost: UDP does not resend, so this is the path's "
                    "(or the echo service's receive buffer's) loss rate",
                    t.count(Outcome::timeout), t.sent));
  }
  if (t.count(Outcome::refused) > 0) {
    out.push_back("ICMP port unreachable came back: nothing listens on that UDP port");
  }
  if (t.duplicates > 0 || t.reordered > 0) {
    out.push_back(
        "UDP neither removes duplicates nor keeps order: an application on this path must "
        "number its messages, as this ping does");
  }
}

}  // namespace

std::vector<std::string> hints(const Plan& plan, const Tally& t) {
  std::vector<std::string> out;
  if (plan.udp) {
    udp_hints(t, out);
  } else {
    tcp_hints(plan, t, out);
  }
  if (t.out_of_descriptors > 0) {
    out.push_back(fmt::format(
        "{} attempts found no free descriptor: every attempt still waiting holds a socket, and "
        "--timeout / --interval of them exceeds ulimit -n; shorten -W, lengthen -i or raise the "
        "limit",
        t.out_of_descriptors));
  }
  if (t.count(Outcome::mismatch) > 0) {
    out.push_back(
        "connections were made but the request was not answered as expected: the port is open, "
        "the service behind it is not healthy");
  }
  return out;
}

}  // namespace sk_ping
