#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "rule_steps.hpp"
#include "sockkit/census.hpp"
#include "sockkit/diagnosis.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/observations.hpp"
#include "sockkit/tcp_state.hpp"
#include "sockkit/tcp_topics.hpp"
#include "test_records.hpp"
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

// ---------------------------------------------------------------- guides

namespace {

using sockkit::Guide;
using sockkit::GuideStep;
using sockkit::RuleId;

// Every piece of prose a guide shows, one piece per element.
std::vector<std::string_view> guide_texts(const Guide& g) {
  std::vector<std::string_view> out{g.title, g.notes_heading};
  out.insert(out.end(), g.intro.begin(), g.intro.end());
  for (const GuideStep& step : g.steps) {
    out.insert(out.end(), {step.actor, step.event, step.text, step.watch});
    out.insert(out.end(), step.sysctls.begin(), step.sysctls.end());
  }
  out.insert(out.end(), g.notes.begin(), g.notes.end());
  return out;
}

std::string guide_text(const Guide& g) {
  std::string out;
  for (const std::string_view piece : guide_texts(g)) {
    out += piece;
    out += '\n';
  }
  return out;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The runs of letters, digits and '_' in `text`.
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_word_char(text[end])) ++end;
    out.push_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

bool all_caps(std::string_view word) {
  bool letter = false;
  for (const char c : word) {
    if (c >= 'a' && c <= 'z') return false;
    letter = letter || (c >= 'A' && c <= 'Z');
  }
  return letter;
}

// Upper-case words in the guides that are not TCP states: flags, acronyms, errno names,
// socket options and sk-states column names. Anything else in capitals must be the
// kernel's name of a state, so a misspelt or invented state (CLOSED, SYN_RCVD) fails.
bool known_non_state(std::string_view word) {
  for (const std::string_view prefix : {"SO_", "IP_", "AF_", "SOCK_", "TCP_", "INADDR_"}) {
    if (word.starts_with(prefix)) return true;
  }
  // errno names: EADDRINUSE, ECONNREFUSED, ...
  if (word.size() > 4 && word[0] == 'E' && word.find('_') == std::string_view::npos &&
      !sockkit::parse_tcp_state(word)) {
    return true;
  }
  for (const std::string_view w :
       {"SYN", "ACK", "RST", "FIN", "TCP", "UDP",    "IP",     "MSS", "SACK", "MSL", "2MSL",
        "RFC", "BSD", "NAT", "UID", "API", "RECV_Q", "SEND_Q", "PID", "ISN",  "ICMP"}) {
    if (word == w) return true;
  }
  return false;
}

bool is_state_name(std::string_view word) {
  for (const sockkit::TcpStateInfo& info : sockkit::tcp_states()) {
    if (info.name == word) return true;
  }
  return false;
}

bool is_rule_key(std::string_view word) {
  for (const sockkit::RuleInfo& rule : sockkit::rule_infos()) {
    if (rule.key == word) return true;
  }
  return false;
}

// The word just before " finding" (as in "the syn_recv finding") and just after
// "--threshold " (as in "--threshold syn_recv=50"): both must name a rule.
std::vector<std::string> named_rules(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t at = text.find(" finding"); at != std::string_view::npos;
       at = text.find(" finding", at + 1)) {
    if (at + 8 < text.size() && is_word_char(text[at + 8])) continue;  // "findings"
    std::size_t start = at;
    while (start > 0 && (is_word_char(text[start - 1]) || text[start - 1] == '-')) --start;
    out.emplace_back(text.substr(start, at - start));
  }
  for (std::size_t at = text.find("--threshold "); at != std::string_view::npos;
       at = text.find("--threshold ", at + 1)) {
    std::size_t start = at + 12;
    std::size_t end = start;
    while (end < text.size() && (is_word_char(text[end]) || text[end] == '-')) ++end;
    out.emplace_back(text.substr(start, end - start));
  }
  return out;
}

// "net.ipv4.tcp_syncookies" and "net.core.somaxconn" as they appear in the text.
std::vector<std::string> named_sysctls(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t at = text.find("net."); at != std::string_view::npos;
       at = text.find("net.", at + 1)) {
    if (at > 0 && (is_word_char(text[at - 1]) || text[at - 1] == '.')) continue;
    std::size_t end = at;
    while (end < text.size() && (is_word_char(text[end]) || text[end] == '.')) ++end;
    while (text[end - 1] == '.') --end;  // the end of a sentence
    out.emplace_back(text.substr(at, end - at));
  }
  return out;
}

bool sysctl_exists(std::string name) {
  std::replace(name.begin(), name.end(), '.', '/');
  return std::filesystem::exists("/proc/sys/" + name);
}

void check_guide_shape(const Guide& g) {
  CAPTURE(g.topic);
  CHECK_FALSE(g.title.empty());
  CHECK(g.title.back() != '.');
  CHECK_FALSE(g.notes_heading.empty());
  CHECK_FALSE(g.intro.empty());
  CHECK_FALSE(g.notes.empty());
  for (const std::string_view piece : guide_texts(g)) {
    CAPTURE(piece);
    CHECK(is_printable_ascii(piece));
  }
  for (const std::string_view paragraph : g.intro) CHECK(paragraph.back() == '.');
  for (const std::string_view paragraph : g.notes) CHECK(paragraph.back() == '.');
  REQUIRE_FALSE(g.steps.empty());
  for (const GuideStep& step : g.steps) {
    CAPTURE(step.event);
    CHECK_FALSE(step.actor.empty());
    CHECK_FALSE(step.event.empty());
    CHECK(step.event.back() != '.');
    CHECK(step.event.size() <= 60);
    CHECK(step.text.back() == '.');
    // A step ties what happens to something an operator can see.
    CHECK((step.state.has_value() || !step.findings.empty()));
    CHECK((step.watch == "sk-states" || step.watch.starts_with("sk-states ")));
    for (const std::string_view sysctl : step.sysctls) {
      CAPTURE(sysctl);
      CHECK(sysctl.starts_with("net."));
      CHECK(contains(step.text, sysctl));  // the text says what it does
    }
  }
}

// Every state, rule and sysctl the text names exists: the states in the knowledge base,
// the rules among sk-states' findings, the sysctls on this kernel.
void check_names(const std::vector<std::string_view>& pieces) {
  for (const std::string_view piece : pieces) {
    CAPTURE(piece);
    for (const std::string_view word : words(piece)) {
      if (word.size() < 2 || !all_caps(word) || known_non_state(word)) continue;
      CAPTURE(word);
      CHECK(is_state_name(word));
    }
    for (const std::string& rule : named_rules(piece)) {
      CAPTURE(rule);
      CHECK(is_rule_key(rule));
    }
    for (const std::string& sysctl : named_sysctls(piece)) {
      CAPTURE(sysctl);
      // A sysctl the kernel no longer has may only be named to say so.
      CHECK((sysctl_exists(sysctl) || contains(piece, "removed")));
    }
  }
}

void check_guide_names(const Guide& g) {
  CAPTURE(g.topic);
  check_names(guide_texts(g));
}

std::set<TcpState> guide_states(const Guide& g) {
  std::set<TcpState> out;
  for (const GuideStep& step : g.steps) {
    if (step.state) out.insert(*step.state);
  }
  return out;
}

std::set<RuleId> guide_rules(const Guide& g) {
  std::set<RuleId> out;
  for (const GuideStep& step : g.steps) out.insert(step.findings.begin(), step.findings.end());
  return out;
}

const GuideStep* step_with(const Guide& g, std::string_view event_part) {
  for (const GuideStep& step : g.steps) {
    if (contains(step.event, event_part)) return &step;
  }
  return nullptr;
}

// The limits the syn_recv finding shows, from a diagnosis of 1000 half-open connections
// on a host whose limits are all known.
std::vector<std::string_view> syn_recv_finding_limits() {
  sockkit::Census census;
  sockkit::Observations observations(std::nullopt);
  for (int i = 0; i < 1000; ++i) {
    const sockkit::SocketRecord r = tcp_record(
        "127.0.0.1", 8080, "127.0.0.2", static_cast<std::uint16_t>(10000 + i), TcpState::syn_recv);
    census.add(r);
    observations.add(r);
  }
  sockkit::KernelReadings readings;
  readings.sysctls.somaxconn = 4096;
  readings.sysctls.tcp_max_syn_backlog = 512;
  readings.sysctls.tcp_syncookies = 1;
  readings.sysctls.tcp_max_tw_buckets = 1000;
  readings.sysctls.tcp_fin_timeout = 60;
  readings.sysctls.tcp_tw_reuse = 2;
  readings.sysctls.tcp_max_orphans = 1000;
  sockkit::DiagnosisInput in;
  in.census = &census;
  in.observations = &observations;
  in.readings = &readings;
  const sockkit::Diagnosis d = sockkit::diagnose(in, {}, {});
  std::vector<std::string_view> out;
  for (const sockkit::Finding& f : d.findings) {
    if (f.rule != RuleId::syn_recv) continue;
    for (const sockkit::LimitReading& limit : f.evidence.limits) out.push_back(limit.name);
  }
  REQUIRE_FALSE(out.empty());
  return out;
}

// The counters whose rise between two samples alone raises the syn_recv finding.
std::set<std::string> syn_recv_rising_counters() {
  std::set<std::string> out;
  const auto counters = sockkit::detail::rule_counters(RuleId::syn_recv);
  for (const sockkit::detail::CounterName& rising : counters) {
    sockkit::KernelReadings before;
    sockkit::KernelReadings after;
    for (const sockkit::detail::CounterName& c : counters) {
      before.counters.add(std::string(c.section), std::string(c.name), 0);
      after.counters.add(std::string(c.section), std::string(c.name),
                         c.name == rising.name ? 1 : 0);
    }
    const sockkit::Census census;
    const sockkit::Observations observations(std::nullopt);
    sockkit::DiagnosisInput in;
    in.census = &census;
    in.observations = &observations;
    in.readings = &after;
    in.previous_readings = &before;
    for (const sockkit::Finding& f : sockkit::diagnose(in, {}, {}).findings) {
      if (f.rule == RuleId::syn_recv) out.emplace(rising.name);
    }
  }
  REQUIRE_FALSE(out.empty());
  return out;
}

}  // namespace

TEST_CASE("the name checks catch what they are for") {
  CHECK(is_state_name("CLOSING"));
  CHECK_FALSE(is_state_name("CLOSED"));  // RFC 9293's name; the kernel's is CLOSE
  CHECK_FALSE(known_non_state("SYN_RCVD"));
  CHECK(known_non_state("EADDRINUSE"));
  CHECK(known_non_state("SO_REUSEPORT"));
  CHECK_FALSE(known_non_state("ESTABLISHED"));
  CHECK(named_rules("the syn_recv finding and --threshold accept_queue=2") ==
        std::vector<std::string>{"syn_recv", "accept_queue"});
  CHECK(named_sysctls("see net.core.somaxconn. And net.ipv4.tcp_syncookies=1") ==
        std::vector<std::string>{"net.core.somaxconn", "net.ipv4.tcp_syncookies"});
  CHECK(sysctl_exists("net.core.somaxconn"));
  CHECK_FALSE(sysctl_exists("net.ipv4.tcp_tw_recycle"));  // removed in Linux 4.12
}

TEST_CASE("socket guide: from socket() to close() with each step tied to a state") {
  const Guide& g = sockkit::socket_guide();
  check_guide_shape(g);
  check_guide_names(g);
  CHECK(g.topic == "socket");
  REQUIRE(g.steps.size() == 12);
  CHECK(g.steps.front().event.starts_with("socket("));
  CHECK(g.steps.front().state == TcpState::close);

  const std::set<TcpState> states = guide_states(g);
  for (const TcpState s :
       {TcpState::close, TcpState::listen, TcpState::syn_sent, TcpState::syn_recv,
        TcpState::established, TcpState::time_wait, TcpState::close_wait, TcpState::last_ack}) {
    CAPTURE(sockkit::tcp_state_name(s));
    CHECK(states.count(s) == 1);
  }
  const std::set<RuleId> rules = guide_rules(g);
  for (const RuleId r : {RuleId::accept_queue, RuleId::port_exhaustion, RuleId::time_wait,
                         RuleId::syn_recv, RuleId::syn_sent, RuleId::close_wait}) {
    CAPTURE(sockkit::rule_info(r).key);
    CHECK(rules.count(r) == 1);
  }

  const GuideStep* listen = step_with(g, "listen(");
  REQUIRE(listen != nullptr);
  CHECK(listen->state == TcpState::listen);
  CHECK(std::find(listen->findings.begin(), listen->findings.end(), RuleId::accept_queue) !=
        listen->findings.end());
  CHECK(contains(listen->text, "net.core.somaxconn"));
  CHECK(contains(listen->text, "4096"));
  const GuideStep* connect = step_with(g, "connect(");
  REQUIRE(connect != nullptr);
  CHECK(connect->state == TcpState::syn_sent);
  CHECK(contains(connect->text, "net.ipv4.ip_local_port_range"));
  const GuideStep* bind = step_with(g, "bind(");
  REQUIRE(bind != nullptr);
  CHECK(contains(bind->text, "SO_REUSEADDR"));
  CHECK(contains(bind->text, "TIME_WAIT"));

  const std::string text = guide_text(g);
  for (const std::string_view fact :
       {"handle", "4-tuple", "SO_REUSEADDR", "SO_REUSEPORT", "EADDRINUSE", "EADDRNOTAVAIL",
        "accept queue", "backlog", "32768-60999", "28,232", "IP_BIND_ADDRESS_NO_PORT",
        "net.ipv4.tcp_tw_reuse", "NEW_SYN_RECV", "sk-explain syn-flood", "sk-explain rules"}) {
    CAPTURE(fact);
    CHECK(contains(text, fact));
  }
}

TEST_CASE("syn-flood guide: the SYN backlog and cookies and what the syn_recv finding reads") {
  const Guide& g = sockkit::syn_flood_guide();
  check_guide_shape(g);
  check_guide_names(g);
  CHECK(g.topic == "syn-flood");
  REQUIRE(g.steps.size() == 5);
  CHECK(g.steps.front().state == TcpState::syn_recv);
  CHECK(guide_rules(g).count(RuleId::syn_recv) == 1);
  CHECK(guide_rules(g).count(RuleId::accept_queue) == 1);

  const std::string text = guide_text(g);
  for (const std::string_view fact :
       {"net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog", "net.core.somaxconn",
        "net.ipv4.tcp_synack_retries", "net.ipv4.tcp_abort_on_overflow", "63 s", "NEW_SYN_RECV",
        "SYN cookie", "TCPReqQFullDoCookies", "SyncookiesRecv", "SyncookiesFailed",
        "Possible SYN flooding"}) {
    CAPTURE(fact);
    CHECK(contains(text, fact));
  }

  // The paragraph on the finding says what the code reads: its measure's levels, every
  // counter and limit of its evidence, and no counter it does not read.
  std::string_view finding;
  for (const std::string_view note : g.notes) {
    if (contains(note, "syn_recv finding")) finding = note;
  }
  REQUIRE_FALSE(finding.empty());
  const sockkit::Levels levels = sockkit::default_levels(RuleId::syn_recv, {});
  REQUIRE(levels.warn.has_value());
  REQUIRE(levels.crit.has_value());
  CHECK(contains(finding, fmt::format("warns at {:.0f}", *levels.warn)));
  CHECK(contains(finding, fmt::format("critical at {:.0f}", *levels.crit)));
  std::set<std::string> read;
  for (const sockkit::detail::CounterName& c : sockkit::detail::rule_counters(RuleId::syn_recv)) {
    read.insert(fmt::format("{}{}", c.section, c.name));
  }
  std::set<std::string> named;
  for (const std::string_view word : words(finding)) {
    if (word.starts_with("TcpExt") ||
        (word.starts_with("Tcp") && word.size() > 3 && word[3] >= 'A' && word[3] <= 'Z')) {
      named.emplace(word);
    }
  }
  CHECK(named == read);
  // "With --watch it also warns whenever X or Y rose ...": exactly the counters that do.
  const std::size_t watch_at = finding.find("With --watch");
  REQUIRE(watch_at != std::string_view::npos);
  const std::string_view watch = finding.substr(watch_at, finding.find(':', watch_at) - watch_at);
  std::set<std::string> rising;
  for (const std::string_view word : words(watch)) {
    for (const sockkit::detail::CounterName& c : sockkit::detail::rule_counters(RuleId::syn_recv)) {
      if (word == c.name) rising.emplace(word);
    }
  }
  CHECK(rising == syn_recv_rising_counters());
  for (const std::string_view limit : syn_recv_finding_limits()) {
    CAPTURE(limit);
    CHECK(contains(finding, limit));
  }
}

TEST_CASE("the handshake and close topics name only real states and rules and sysctls") {
  std::vector<std::string_view> pieces;
  for (const SequenceDiagram* d : {&sockkit::handshake_diagram(), &sockkit::close_diagram(),
                                   &sockkit::simultaneous_close_diagram()}) {
    pieces.push_back(d->title);
    pieces.insert(pieces.end(), d->notes.begin(), d->notes.end());
    for (const sockkit::SequenceStep& step : d->steps) pieces.push_back(step.note);
  }
  const auto time_wait = sockkit::time_wait_notes();
  pieces.insert(pieces.end(), time_wait.begin(), time_wait.end());
  check_names(pieces);
}
