// What the user asked sk-explain about.
#pragma once

#include <string_view>

#include "sockkit/findings.hpp"
#include "sockkit/tcp_state.hpp"

namespace sk_explain {

enum class TopicKind {
  states,
  state,
  handshake,
  close,
  diagram,
  tcp_vs_udp,
  osi,
  socket,
  syn_flood,
  rules,
  rule
};

struct Topic {
  TopicKind kind = TopicKind::states;
  sockkit::TcpState state = sockkit::TcpState::established;  // for TopicKind::state
  sockkit::RuleId rule = sockkit::RuleId::port_exhaustion;   // for TopicKind::rule
};

// "" and "states" list the states; topic words come before state names, so "close"
// is the four-way close and the CLOSE state is "closed". Throws InputError listing
// the valid topics. After the states come the sk-states rules that watch no single
// state: port-exhaustion, accept-queue, orphans, tcp-memory.
[[nodiscard]] Topic parse_topic(std::string_view text);

inline constexpr std::string_view kTopicList =
    "states, handshake, close, diagram, tcp-vs-udp, osi, socket, syn-flood, rules, or a rule "
    "(port-exhaustion, ...)";

}  // namespace sk_explain
