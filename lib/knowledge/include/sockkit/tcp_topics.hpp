// The explanations around the state table: the handshake, the close, the life of a
// socket, SYN floods, TCP against UDP and the OSI layers. They are data, not prose with
// drawings, so the same facts render as text diagrams for people and as JSON for scripts.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/tcp_state.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class Peer { left, right };

// One segment of a sequence diagram, and the state each side is in once it has
// been sent (for the sender) and received (for the receiver).
struct SequenceStep {
  Peer sender;
  std::string_view flags;  // "SYN", "SYN+ACK", "FIN+ACK", "ACK", or a call such as "close()"
  std::string_view seq;    // "x", "" when not worth showing
  std::string_view ack;    // "x+1", "" when the ACK flag is off
  std::optional<TcpState> left_state;   // nullopt: unchanged
  std::optional<TcpState> right_state;  // nullopt: unchanged
  std::string_view note;                // why this step happens, one line
};

struct SequenceDiagram {
  std::string_view key;         // "handshake", "close", "simultaneous_close"
  std::string_view title;       // one line
  std::string_view left_name;   // "client"
  std::string_view right_name;  // "server"
  TcpState left_initial;
  TcpState right_initial;
  std::span<const SequenceStep> steps;
  std::span<const std::string_view> notes;  // paragraphs printed after the drawing
};

[[nodiscard]] const SequenceDiagram& handshake_diagram();
[[nodiscard]] const SequenceDiagram& close_diagram();
[[nodiscard]] const SequenceDiagram& simultaneous_close_diagram();

// Why TIME_WAIT lasts 2MSL, and the Linux numbers behind it; paragraphs.
[[nodiscard]] std::span<const std::string_view> time_wait_notes();

// A guide walks through one subject step by step. Each step says which state it leaves
// the socket in, which sysctls govern it, which sk-states command shows it and which
// sk-states findings watch it, so every explanation ends at something to look at.
struct GuideStep {
  std::string_view actor;         // "server", "client", "kernel", "either side"
  std::string_view event;         // a call or what arrives: "listen(fd, backlog)", one line
  std::optional<TcpState> state;  // the state the socket is in afterwards; nullopt: none kept
  std::string_view text;          // a paragraph: what happens and what goes wrong
  std::span<const std::string_view> sysctls;  // full names, each explained in `text`
  std::string_view watch;                     // an sk-states command line, runnable as is
  std::span<const RuleId> findings;           // the rules that watch this step
};

struct Guide {
  std::string_view topic;                   // the word sk-explain takes: "socket", "syn-flood"
  std::string_view title;                   // one line
  std::span<const std::string_view> intro;  // paragraphs before the steps
  std::span<const GuideStep> steps;
  std::string_view notes_heading;           // one line
  std::span<const std::string_view> notes;  // paragraphs after the steps
};

// What a socket is, and the calls from socket() to close() with the state each leaves.
[[nodiscard]] const Guide& socket_guide();
// Half-open connections, the SYN backlog, SYN cookies and what the syn_recv rule reads.
[[nodiscard]] const Guide& syn_flood_guide();

struct OsiLayer {
  int number;  // 7 = application ... 1 = physical
  std::string_view name;
  std::string_view job;
  std::span<const std::string_view> examples;  // protocols or technologies
};

// Layer 7 first.
[[nodiscard]] std::span<const OsiLayer> osi_layers();
[[nodiscard]] std::span<const std::string_view> osi_notes();

struct ProtocolContrast {
  std::string_view aspect;  // "connection", "reliability", ...
  std::string_view tcp;
  std::string_view udp;
};

[[nodiscard]] std::span<const ProtocolContrast> tcp_vs_udp();
[[nodiscard]] std::span<const std::string_view> tcp_vs_udp_notes();

// The whole state machine drawn as plain text, at most 100 columns wide, lines
// separated by '\n'.
[[nodiscard]] std::string_view state_machine_drawing();

}  // namespace sockkit

SOCKKIT_API_END
