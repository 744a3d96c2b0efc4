// Names of states and the reason behind each result, in the words of the man page.
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <cerrno>

#include <fmt/format.h>

#include "probe.hpp"
#include "sockkit/error.hpp"

namespace sk_probe {

std::string_view state_name(State state) {
  switch (state) {
    case State::open: return "open";
    case State::closed: return "closed";
    case State::filtered: return "filtered";
    case State::unreachable: return "unreachable";
    case State::error: return "error";
    case State::open_filtered: return "open|filtered";
  }
  return "error";
}

namespace {

std::string_view icmp4_text(int type, int code) {
  if (type != ICMP_DEST_UNREACH) return "ICMP error";
  switch (code) {
    case ICMP_NET_UNREACH: return "network unreachable";
    case ICMP_HOST_UNREACH: return "host unreachable";
    case ICMP_PROT_UNREACH: return "protocol unreachable";
    case ICMP_PORT_UNREACH: return "port unreachable";
    case ICMP_NET_ANO:
    case ICMP_HOST_ANO:
    case ICMP_PKT_FILTERED: return "administratively prohibited";
    default: return "destination unreachable";
  }
}

std::string_view icmp6_text(int type, int code) {
  if (type != ICMP6_DST_UNREACH) return "ICMPv6 error";
  switch (code) {
    case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
    case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
    case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
    case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
    case 5: return "source address failed policy";
    case 6: return "reject route to destination";
    default: return "destination unreachable";
  }
}

}  // namespace

std::string reason_of(const Result& r) {
  if (r.icmp_type >= 0) {
    auto text =
        r.icmp6 ? icmp6_text(r.icmp_type, r.icmp_code) : icmp4_text(r.icmp_type, r.icmp_code);
    return fmt::format("{} (ICMP{} type {} code {})", text, r.icmp6 ? "v6" : "", r.icmp_type,
                       r.icmp_code);
  }
  if (r.self_connect) return "the probe connected to itself: nothing listens";
  switch (r.state) {
    case State::open:
      if (r.udp) return "reply";
      return r.banner.empty() ? "syn-ack" : "syn-ack, banner";
    case State::closed:
      return r.error == ECONNREFUSED ? std::string(r.udp ? "refused" : "reset")
                                     : sockkit::errno_name(r.error);
    case State::filtered:
    case State::open_filtered:
      if (r.error == EACCES || r.error == EPERM) {
        return fmt::format("refused by a local firewall ({})", sockkit::errno_name(r.error));
      }
      if (r.error != 0 && r.error != ETIMEDOUT) return fmt::format("{}", sockkit::Errno{r.error});
      return fmt::format("no reply to {} {}", r.attempts, r.attempts == 1 ? "try" : "tries");
    case State::unreachable:
      if (r.error == EACCES || r.error == EPERM) {
        return fmt::format("administratively prohibited ({}, a local firewall)",
                           sockkit::errno_name(r.error));
      }
      return fmt::format("{}", sockkit::Errno{r.error});
    case State::error: return fmt::format("{}", sockkit::Errno{r.error});
  }
  return {};
}

}  // namespace sk_probe
