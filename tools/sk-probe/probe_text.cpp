// Names of states and the reason behind each result, in the words of the man page.
#include <cerrno>

#include <fmt/format.h>

#include "probe.hpp"
#include "sockkit/error.hpp"
#include "sockkit/icmp_error.hpp"

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

std::string reason_of(const Result& r) {
  if (r.icmp_type >= 0) {
    return sockkit::describe_icmp({.type = r.icmp_type, .code = r.icmp_code, .v6 = r.icmp6});
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
