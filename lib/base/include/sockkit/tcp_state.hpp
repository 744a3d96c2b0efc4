// The TCP knowledge base: every state of RFC 9293 plus Linux's NEW_SYN_RECV, with
// the kernel's numbers, the accepted spellings, the transitions, and what a pile-up
// of each state means on a production host. sk-explain prints it and sk-states
// builds its hints from it, so this is the only place these facts are written down.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Values are the kernel's (include/net/tcp_states.h), which are also the hex `st`
// column of /proc/net/tcp and the idiag_state of sock_diag records.
enum class TcpState : std::uint8_t {
  established = 1,
  syn_sent = 2,
  syn_recv = 3,
  fin_wait1 = 4,
  fin_wait2 = 5,
  time_wait = 6,
  close = 7,
  close_wait = 8,
  last_ack = 9,
  listen = 10,
  closing = 11,
  new_syn_recv = 12,
};

inline constexpr int kMinTcpStateNumber = 1;
inline constexpr int kMaxTcpStateNumber = 12;

// Bit flags: which party of a connection passes through a state.
enum TcpRole : std::uint8_t {
  role_active_opener = 1U << 0U,   // called connect()
  role_passive_opener = 1U << 1U,  // called listen() and accepted
  role_active_closer = 1U << 2U,   // sent the first FIN
  role_passive_closer = 1U << 3U,  // received the first FIN
};

struct TcpTransition {
  TcpState from;
  TcpState to;
  std::string_view event;   // what happens: "receive SYN", "application calls close()"
  std::string_view action;  // what TCP sends in response, "" when nothing
};

struct TcpStateInfo {
  TcpState state;
  std::string_view name;      // the kernel's spelling, as ss prints it: "TIME_WAIT"
  std::string_view rfc_name;  // RFC 9293's spelling: "TIME-WAIT"; "" for NEW_SYN_RECV
  std::string_view key;       // lower case, for JSON keys and Prometheus labels: "time_wait"
  std::span<const std::string_view> aliases;  // extra accepted spellings, normalised
  std::uint8_t roles;                         // TcpRole bits
  bool in_rfc9293;
  std::string_view summary;                  // one line, no trailing period
  std::string_view meaning;                  // a short paragraph
  std::string_view pileup;                   // what many of them on a host means; "" when nothing
  std::span<const std::string_view> checks;  // what to look at next, most useful first
};

// Every state in kernel-number order (NEW_SYN_RECV last).
[[nodiscard]] std::span<const TcpStateInfo> tcp_states();
[[nodiscard]] const TcpStateInfo& tcp_state_info(TcpState state);

// All transitions of the state machine, one edge each.
[[nodiscard]] std::span<const TcpTransition> tcp_transitions();

// Accepts every spelling, case-insensitively, ignoring '-' and '_': TIME_WAIT,
// TIME-WAIT, time-wait, timewait; SYN_RECV, SYN_RCVD, SYN-RECEIVED; ESTAB; CLOSED ...
[[nodiscard]] std::optional<TcpState> parse_tcp_state(std::string_view text);

// The state for a kernel number (1..12), or nullopt.
[[nodiscard]] std::optional<TcpState> tcp_state_from_number(int number);

[[nodiscard]] std::string_view tcp_state_name(TcpState state);
[[nodiscard]] std::string_view tcp_role_name(TcpRole role);

}  // namespace sockkit

template <>
struct fmt::formatter<sockkit::TcpState> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(sockkit::TcpState state, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(sockkit::tcp_state_name(state), ctx);
  }
};

SOCKKIT_API_END
