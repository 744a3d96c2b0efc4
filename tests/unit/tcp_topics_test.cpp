#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/tcp_state.hpp"
#include "sockkit/tcp_topics.hpp"
#include "text_checks.hpp"

using sockkit::Peer;
using sockkit::SequenceDiagram;
using sockkit::TcpState;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string joined(std::span<const std::string_view> paragraphs) {
  std::string out;
  for (const std::string_view p : paragraphs) {
    out += p;
    out += '\n';
  }
  return out;
}

bool has_edge(TcpState from, TcpState to) {
  for (const sockkit::TcpTransition& t : sockkit::tcp_transitions()) {
    if (t.from == from && t.to == to) {
      return true;
    }
  }
  return false;
}

// The states one side passes through, initial state first, as a renderer would show them.
std::vector<TcpState> path(const SequenceDiagram& d, Peer side) {
  std::vector<TcpState> out{side == Peer::left ? d.left_initial : d.right_initial};
  for (const sockkit::SequenceStep& step : d.steps) {
    const auto& next = side == Peer::left ? step.left_state : step.right_state;
    if (next) {
      out.push_back(*next);
    }
  }
  return out;
}

void check_diagram_shape(const SequenceDiagram& d) {
  CAPTURE(d.key);
  CHECK_FALSE(d.title.empty());
  CHECK(is_printable_ascii(d.title));
  CHECK(d.title.back() != '.');
  CHECK_FALSE(d.left_name.empty());
  CHECK_FALSE(d.right_name.empty());
  CHECK_FALSE(d.notes.empty());
  for (const std::string_view note : d.notes) {
    CHECK(is_printable_ascii(note));
    CHECK(note.back() == '.');
  }
  for (const sockkit::SequenceStep& step : d.steps) {
    CAPTURE(step.note);
    CHECK(is_printable_ascii(step.note));
    CHECK_FALSE(step.note.empty());
    CHECK(step.note.size() <= 100);
    CHECK(step.note.back() != '.');
    // The ack field is shown exactly when the ACK flag is set.
    CHECK(step.ack.empty() == !contains(step.flags, "ACK"));
    // A step changes something, otherwise it would not be worth a line.
    CHECK((step.left_state.has_value() || step.right_state.has_value()));
  }
  // Every state change in a diagram must be an edge of the state machine, so the pictures
  // and the table cannot drift apart.
  for (const Peer side : {Peer::left, Peer::right}) {
    const std::vector<TcpState> states = path(d, side);
    for (std::size_t i = 1; i < states.size(); ++i) {
      CAPTURE(sockkit::tcp_state_name(states[i - 1]));
      CAPTURE(sockkit::tcp_state_name(states[i]));
      CHECK(has_edge(states[i - 1], states[i]));
    }
  }
}

}  // namespace

TEST_CASE("handshake: SYN - SYN+ACK - ACK and both sides ESTABLISHED") {
  const SequenceDiagram& d = sockkit::handshake_diagram();
  check_diagram_shape(d);
  CHECK(d.key == "handshake");
  CHECK(d.left_name == "client");
  CHECK(d.right_name == "server");
  CHECK(d.left_initial == TcpState::close);
  CHECK(d.right_initial == TcpState::listen);
  REQUIRE(d.steps.size() == 3);

  CHECK(d.steps[0].sender == Peer::left);
  CHECK(d.steps[0].flags == "SYN");
  CHECK(d.steps[0].seq == "x");
  CHECK(d.steps[0].ack.empty());
  CHECK(d.steps[0].left_state == TcpState::syn_sent);
  CHECK(d.steps[0].right_state == TcpState::syn_recv);

  CHECK(d.steps[1].sender == Peer::right);
  CHECK(d.steps[1].flags == "SYN+ACK");
  CHECK(d.steps[1].seq == "y");
  CHECK(d.steps[1].ack == "x+1");
  CHECK(d.steps[1].left_state == TcpState::established);

  CHECK(d.steps[2].sender == Peer::left);
  CHECK(d.steps[2].flags == "ACK");
  CHECK(d.steps[2].seq == "x+1");
  CHECK(d.steps[2].ack == "y+1");
  CHECK(d.steps[2].right_state == TcpState::established);

  CHECK(path(d, Peer::left) ==
        std::vector<TcpState>{TcpState::close, TcpState::syn_sent, TcpState::established});
  CHECK(path(d, Peer::right) ==
        std::vector<TcpState>{TcpState::listen, TcpState::syn_recv, TcpState::established});
  CHECK(contains(joined(d.notes), "NEW_SYN_RECV"));
}

TEST_CASE("close: the client ends in TIME_WAIT - the server in CLOSE") {
  const SequenceDiagram& d = sockkit::close_diagram();
  check_diagram_shape(d);
  CHECK(d.key == "close");
  CHECK(d.left_initial == TcpState::established);
  CHECK(d.right_initial == TcpState::established);
  REQUIRE(d.steps.size() == 4);

  CHECK(d.steps[0].sender == Peer::left);
  CHECK(d.steps[0].flags == "FIN+ACK");
  CHECK(d.steps[0].seq == "u");
  CHECK(d.steps[1].sender == Peer::right);
  CHECK(d.steps[1].flags == "ACK");
  CHECK(d.steps[1].ack == "u+1");
  CHECK(d.steps[2].sender == Peer::right);
  CHECK(d.steps[2].flags == "FIN+ACK");
  CHECK(d.steps[2].seq == "w");
  CHECK(d.steps[2].ack == "u+1");
  CHECK(d.steps[3].sender == Peer::left);
  CHECK(d.steps[3].flags == "ACK");
  CHECK(d.steps[3].ack == "w+1");

  CHECK(path(d, Peer::left) == std::vector<TcpState>{TcpState::established, TcpState::fin_wait1,
                                                     TcpState::fin_wait2, TcpState::time_wait});
  CHECK(path(d, Peer::right) == std::vector<TcpState>{TcpState::established, TcpState::close_wait,
                                                      TcpState::last_ack, TcpState::close});

  // The 2MSL wait is not a segment, so the diagram ends with the client in TIME_WAIT; the
  // move to CLOSE is the TIME_WAIT -> CLOSE edge of the state machine and is told in a note.
  const std::string notes = joined(d.notes);
  CHECK(contains(notes, "2MSL"));
  CHECK(contains(notes, "60 s"));
  CHECK(contains(notes, "TIME_WAIT -> CLOSE"));
  CHECK(contains(d.steps.back().note, "2MSL"));
  CHECK(has_edge(TcpState::time_wait, TcpState::close));
}

TEST_CASE("simultaneous close: both sides through FIN_WAIT1 and CLOSING to TIME_WAIT") {
  const SequenceDiagram& d = sockkit::simultaneous_close_diagram();
  check_diagram_shape(d);
  CHECK(d.key == "simultaneous_close");
  CHECK(d.left_initial == TcpState::established);
  CHECK(d.right_initial == TcpState::established);
  REQUIRE(d.steps.size() == 4);
  CHECK(d.steps[0].flags == "FIN+ACK");
  CHECK(d.steps[1].flags == "FIN+ACK");
  CHECK(d.steps[0].sender != d.steps[1].sender);
  CHECK(d.steps[2].flags == "ACK");
  CHECK(d.steps[3].flags == "ACK");
  CHECK(d.steps[2].sender != d.steps[3].sender);

  const std::vector<TcpState> expected{TcpState::established, TcpState::fin_wait1,
                                       TcpState::closing, TcpState::time_wait};
  CHECK(path(d, Peer::left) == expected);
  CHECK(path(d, Peer::right) == expected);
}

TEST_CASE("the three diagrams have distinct keys") {
  const std::set<std::string_view> keys{sockkit::handshake_diagram().key,
                                        sockkit::close_diagram().key,
                                        sockkit::simultaneous_close_diagram().key};
  CHECK(keys.size() == 3);
}

TEST_CASE("time_wait_notes explain the why and the Linux numbers") {
  const auto notes = sockkit::time_wait_notes();
  REQUIRE(notes.size() >= 4);
  for (const std::string_view note : notes) {
    CHECK(is_printable_ascii(note));
    CHECK(note.back() == '.');
  }
  const std::string text = joined(notes);
  for (const std::string_view fact :
       {"last ACK", "FIN", "MSL", "2MSL", "60 s", "TCP_TIMEWAIT_LEN", "30 s", "no sysctl",
        "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_max_tw_buckets", "TCPTimeWaitOverflow",
        "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse", "timestamps", "outgoing",
        "net.ipv4.tcp_tw_recycle", "removed in Linux 4.12", "NAT", "EADDRNOTAVAIL"}) {
    CAPTURE(fact);
    CHECK(contains(text, fact));
  }
}

TEST_CASE("OSI layers run from 7 to 1 with corrected examples") {
  const auto layers = sockkit::osi_layers();
  REQUIRE(layers.size() == 7);
  const std::vector<std::string_view> names{"application", "presentation", "session", "transport",
                                            "network",     "data link",    "physical"};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    CAPTURE(i);
    CHECK(layers[i].number == static_cast<int>(7 - i));
    CHECK(layers[i].name == names[i]);
    CHECK_FALSE(layers[i].job.empty());
    CHECK(is_printable_ascii(layers[i].job));
    CHECK_FALSE(layers[i].examples.empty());
  }
  const auto has_example = [&](int number, std::string_view needle) {
    for (const std::string_view e : layers[static_cast<std::size_t>(7 - number)].examples) {
      if (contains(e, needle)) {
        return true;
      }
    }
    return false;
  };
  CHECK(has_example(7, "HTTP"));
  CHECK(has_example(7, "DNS"));
  CHECK(has_example(4, "TCP"));
  CHECK(has_example(4, "UDP"));
  CHECK(has_example(3, "ICMP"));
  CHECK(has_example(3, "OSPF"));
  CHECK(has_example(2, "PPP"));
  CHECK(has_example(2, "ARP"));
  CHECK(has_example(2, "2/3 boundary"));
  CHECK(has_example(1, "ISO 2110"));
  // The circulating table gets these wrong: MTU is no protocol, 802.2 is not physical.
  for (const sockkit::OsiLayer& layer : layers) {
    for (const std::string_view e : layer.examples) {
      CHECK(e != "MTU");
    }
  }
  CHECK_FALSE(has_example(1, "802.2"));

  const std::string notes = joined(sockkit::osi_notes());
  CHECK(contains(notes, "ARP"));
  CHECK(contains(notes, "boundary of layers 2 and 3"));
  CHECK(contains(notes, "MTU"));
  CHECK(contains(notes, "TCP/IP"));
}

TEST_CASE("TCP against UDP") {
  const auto rows = sockkit::tcp_vs_udp();
  REQUIRE(rows.size() >= 8);
  std::set<std::string_view> aspects;
  for (const sockkit::ProtocolContrast& row : rows) {
    CAPTURE(row.aspect);
    CHECK(aspects.insert(row.aspect).second);
    CHECK_FALSE(row.tcp.empty());
    CHECK_FALSE(row.udp.empty());
    CHECK(is_printable_ascii(row.tcp));
    CHECK(is_printable_ascii(row.udp));
    CHECK(row.tcp.back() != '.');
    CHECK(row.udp.back() != '.');
  }
  for (const std::string_view aspect :
       {"connection", "reliability", "ordering", "data boundaries", "size limit"}) {
    CHECK(aspects.count(aspect) == 1);
  }
  CHECK_FALSE(sockkit::tcp_vs_udp_notes().empty());
}

TEST_CASE("the state machine drawing fits 100 columns and shows every state") {
  const std::string_view drawing = sockkit::state_machine_drawing();
  REQUIRE_FALSE(drawing.empty());
  CHECK(drawing.front() != '\n');
  CHECK(drawing.back() != '\n');

  std::size_t lines = 0;
  std::size_t start = 0;
  while (start <= drawing.size()) {
    const std::size_t end = std::min(drawing.find('\n', start), drawing.size());
    const std::string_view line = drawing.substr(start, end - start);
    CAPTURE(line);
    CHECK(line.size() <= 100);
    CHECK(is_printable_ascii(line));  // also rules out tabs and carriage returns
    if (!line.empty()) {
      CHECK(line.back() != ' ');
    }
    ++lines;
    start = end + 1;
  }
  CHECK(lines > 40);

  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    CAPTURE(info.name);
    CHECK(contains(drawing, info.name));
  }
  for (const std::string_view label :
       {"listen()", "connect() / snd SYN", "rcv SYN / snd SYN+ACK", "rcv SYN+ACK / snd ACK",
        "rcv ACK of SYN", "close() / snd FIN", "rcv FIN / snd ACK", "rcv ACK of FIN", "rcv FIN+ACK",
        "2MSL", "60 s", "tcp_fin_timeout", "simultaneous open", "rcv RST", "tcp_synack_retries",
        "accept queue"}) {
    CAPTURE(label);
    CHECK(contains(drawing, label));
  }
}
