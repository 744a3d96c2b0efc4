#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/table.hpp"
#include "sockkit/tcp_topics.hpp"

namespace sk_explain {

using sockkit::Style;
using sockkit::TcpState;

namespace {

// `label` then `text` wrapped so continuation lines start under the text.
std::string hanging(std::string_view label, std::size_t label_width, std::string_view text,
                    std::size_t width) {
  auto body = sockkit::wrap_text(text, width, label_width);
  if (body.empty()) body = "\n";
  std::string head(label);
  head.append(label_width >= head.size() ? label_width - head.size() : 1, ' ');
  return head + body.substr(std::min(label_width, body.find_first_not_of(' ')));
}

std::string heading(const TextStyle& style, std::string_view text) {
  return style.paint(Style::bold, text) + "\n";
}

std::string state_name(const TextStyle& style, TcpState state) {
  return style.paint(Style::cyan, sockkit::tcp_state_name(state));
}

std::string list_roles(std::uint8_t roles) {
  std::string out;
  for (auto role : {sockkit::role_active_opener, sockkit::role_passive_opener,
                    sockkit::role_active_closer, sockkit::role_passive_closer}) {
    if ((roles & role) == 0) continue;
    if (!out.empty()) out += ", ";
    out += sockkit::tcp_role_name(role);
  }
  return out.empty() ? "no particular side" : out;
}

std::string transitions(const TextStyle& style, TcpState state, bool incoming) {
  std::string out;
  for (const auto& t : sockkit::tcp_transitions()) {
    if ((incoming ? t.to : t.from) != state) continue;
    auto what = t.action.empty() ? std::string(t.event) : fmt::format("{}; {}", t.event, t.action);
    auto arrow = fmt::format("  {:<12} -> {:<12}  ", sockkit::tcp_state_name(t.from),
                             sockkit::tcp_state_name(t.to));
    out += hanging(arrow, arrow.size(), what, style.width);
  }
  return out.empty() ? "  (none)\n" : out;
}

}  // namespace

std::string render_state_list(const TextStyle& style) {
  std::string out = heading(style, "TCP states (kernel number, name, meaning)");
  for (const auto& info : sockkit::tcp_states()) {
    auto label = fmt::format("{:>3}  {:<13} ", static_cast<int>(info.state), info.name);
    auto line = hanging(label, label.size(), info.summary, style.width);
    auto name_at = line.find(info.name);
    out += line.substr(0, name_at) + state_name(style, info.state) +
           line.substr(name_at + info.name.size());
  }
  out += "\n" + sockkit::wrap_text(
                    "Run `sk-explain STATE` for one state in full, or a topic: handshake, close, "
                    "diagram, tcp-vs-udp, osi, socket, syn-flood; `sk-explain rules` for the "
                    "sk-states findings.",
                    style.width);
  return out;
}

std::string render_state(TcpState state, const TextStyle& style) {
  const auto& info = sockkit::tcp_state_info(state);
  auto number = static_cast<int>(info.state);
  std::string out = style.paint(Style::bold, info.name);
  if (info.in_rfc9293) {
    out += fmt::format("  (RFC 9293: {}; kernel state {}, /proc/net/tcp st {:02X})\n",
                       info.rfc_name, number, number);
  } else {
    out += fmt::format("  (Linux only; kernel state {})\n", number);
  }
  out += sockkit::wrap_text(info.summary, style.width);
  std::string spellings(info.name);
  if (!info.rfc_name.empty() && info.rfc_name != info.name)
    spellings += fmt::format(", {}", info.rfc_name);
  for (auto alias : info.aliases) spellings += fmt::format(", {}", alias);
  out += "\n" + hanging("Spellings:", 12,
                        fmt::format("{} (any case; '-' and '_' optional)", spellings), style.width);
  out += hanging("Side:", 12, list_roles(info.roles), style.width);
  out += "\n" + heading(style, "Meaning") + sockkit::wrap_text(info.meaning, style.width, 2);
  out += "\n" + heading(style, "Transitions in") + transitions(style, state, true);
  out += "\n" + heading(style, "Transitions out") + transitions(style, state, false);
  if (!info.pileup.empty()) {
    out += "\n" + heading(style, "When many pile up") +
           sockkit::wrap_text(info.pileup, style.width, 2);
  }
  if (!info.checks.empty()) {
    out += "\n" + heading(style, "What to check");
    for (auto check : info.checks) out += hanging("  -", 4, check, style.width);
  }
  return out;
}

}  // namespace sk_explain

namespace sk_explain {

namespace {

constexpr std::size_t kStateColumn = 13;
constexpr std::size_t kArrowColumn = 40;

std::string segment_label(const sockkit::SequenceStep& step) {
  std::string label(step.flags);
  if (!step.seq.empty()) label += fmt::format(" seq={}", step.seq);
  if (!step.ack.empty()) label += fmt::format(" ack={}", step.ack);
  return label;
}

// "SYN seq=x ---------->" or "<---------- SYN+ACK ..."; an application call such
// as "close()" is not a segment and gets no arrow.
std::string arrow(const sockkit::SequenceStep& step) {
  auto label = segment_label(step);
  bool rightwards = step.sender == sockkit::Peer::left;
  if (step.flags.ends_with("()")) {
    auto call = fmt::format("[{}]", label);
    if (rightwards) return fmt::format("{:<{}}", call, kArrowColumn);
    return fmt::format("{:>{}}", call, kArrowColumn);
  }
  std::size_t dashes = kArrowColumn > label.size() + 2 ? kArrowColumn - label.size() - 2 : 2;
  if (rightwards) return label + " " + std::string(dashes, '-') + ">";
  return "<" + std::string(dashes, '-') + " " + label;
}

std::string state_cell(const TextStyle& style, std::optional<TcpState> state) {
  if (!state) return std::string(kStateColumn, ' ');
  auto name = sockkit::tcp_state_name(*state);
  return style.paint(Style::cyan, name) +
         std::string(kStateColumn > name.size() ? kStateColumn - name.size() : 1, ' ');
}

std::string render_sequence(const sockkit::SequenceDiagram& diagram, const TextStyle& style) {
  std::string out = heading(style, diagram.title) + "\n";
  out += fmt::format("  {:<{}}  {:<{}}  {}\n", diagram.left_name, kStateColumn, "", kArrowColumn,
                     diagram.right_name);
  out += "  " + state_cell(style, diagram.left_initial) + "  " + std::string(kArrowColumn, ' ') +
         "  " + style.paint(Style::cyan, sockkit::tcp_state_name(diagram.right_initial)) + "\n";
  for (const auto& step : diagram.steps) {
    std::string line = "  " + state_cell(style, step.left_state) + "  " + arrow(step) + "  ";
    if (step.right_state)
      line += style.paint(Style::cyan, sockkit::tcp_state_name(*step.right_state));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (!step.note.empty()) {
      out += style.paint(Style::dim, sockkit::wrap_text(step.note, style.width, kStateColumn + 6));
    }
  }
  for (auto note : diagram.notes) out += "\n" + sockkit::wrap_text(note, style.width);
  return out;
}

std::string render_close(const TextStyle& style) {
  std::string out = render_sequence(sockkit::close_diagram(), style);
  out += "\n" + heading(style, "Why TIME_WAIT lasts 2MSL");
  for (auto note : sockkit::time_wait_notes()) out += sockkit::wrap_text(note, style.width) + "\n";
  out += render_sequence(sockkit::simultaneous_close_diagram(), style);
  return out;
}

std::string render_osi(const TextStyle& style) {
  std::string out = heading(style, "The OSI reference model, top to bottom") + "\n";
  for (const auto& layer : sockkit::osi_layers()) {
    auto label = fmt::format("{}  {:<13}", layer.number, layer.name);
    out += style.paint(Style::bold, label) + " ";
    out += sockkit::wrap_text(layer.job, style.width, label.size() + 1).substr(label.size() + 1);
    std::string examples;
    for (auto example : layer.examples)
      examples += fmt::format("{}{}", examples.empty() ? "" : ", ", example);
    if (!examples.empty()) {
      out += sockkit::wrap_text("e.g. " + examples, style.width, label.size() + 1);
    }
  }
  for (auto note : sockkit::osi_notes()) out += "\n" + sockkit::wrap_text(note, style.width);
  return out;
}

std::string render_tcp_vs_udp(const TextStyle& style) {
  std::string out = heading(style, "TCP and UDP compared") + "\n";
  for (const auto& row : sockkit::tcp_vs_udp()) {
    out += style.paint(Style::bold, row.aspect) + "\n";
    out += hanging("  TCP:", 8, row.tcp, style.width);
    out += hanging("  UDP:", 8, row.udp, style.width);
  }
  for (auto note : sockkit::tcp_vs_udp_notes()) out += "\n" + sockkit::wrap_text(note, style.width);
  return out;
}

std::string join_words(std::span<const std::string_view> items) {
  std::string out;
  for (auto item : items) out += fmt::format("{}{}", out.empty() ? "" : ", ", item);
  return out;
}

// "accept_queue (sk-explain accept-queue)": the rule id sk-states prints, and where it is
// explained.
std::string findings_text(std::span<const sockkit::RuleId> findings) {
  std::string out;
  for (auto id : findings) {
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", sockkit::rule_info(id).key,
                       sockkit::rule_explain_command(id));
  }
  return out;
}

constexpr std::size_t kGuideLabel = 15;  // "    sk-states: "

std::string render_guide_step(std::size_t number, const sockkit::GuideStep& step,
                              const TextStyle& style) {
  std::string out =
      style.paint(Style::bold, fmt::format("{:>2}. {}: {}", number, step.actor, step.event));
  out += "\n" + fmt::format("{:<{}}", "    state:", kGuideLabel);
  out += step.state ? state_name(style, *step.state) : std::string("none: no socket is kept");
  out += "\n" + sockkit::wrap_text(step.text, style.width, 4);
  if (!step.sysctls.empty()) {
    out += hanging("    sysctls:", kGuideLabel, join_words(step.sysctls), style.width);
  }
  out += hanging("    sk-states:", kGuideLabel, step.watch, style.width);
  if (!step.findings.empty()) {
    out += hanging("    findings:", kGuideLabel, findings_text(step.findings), style.width);
  }
  return out;
}

std::string render_guide(const sockkit::Guide& guide, const TextStyle& style) {
  std::string out = heading(style, guide.title);
  for (auto paragraph : guide.intro) out += "\n" + sockkit::wrap_text(paragraph, style.width);
  out += "\n" + heading(style, "Step by step");
  std::size_t number = 0;
  for (const auto& step : guide.steps) out += "\n" + render_guide_step(++number, step, style);
  out += "\n" + heading(style, guide.notes_heading);
  for (std::size_t i = 0; i < guide.notes.size(); ++i) {
    out += (i == 0 ? "" : "\n") + sockkit::wrap_text(guide.notes[i], style.width);
  }
  return out;
}

}  // namespace

std::string render_text(const Topic& topic, const TextStyle& style) {
  switch (topic.kind) {
    case TopicKind::states: return render_state_list(style);
    case TopicKind::state: return render_state(topic.state, style);
    case TopicKind::handshake: return render_sequence(sockkit::handshake_diagram(), style);
    case TopicKind::close: return render_close(style);
    case TopicKind::diagram: return std::string(sockkit::state_machine_drawing()) + "\n";
    case TopicKind::tcp_vs_udp: return render_tcp_vs_udp(style);
    case TopicKind::osi: return render_osi(style);
    case TopicKind::socket: return render_guide(sockkit::socket_guide(), style);
    case TopicKind::syn_flood: return render_guide(sockkit::syn_flood_guide(), style);
    case TopicKind::rules: return render_rule_list(style);
    case TopicKind::rule: return render_rule(topic.rule, style);
  }
  return {};
}

}  // namespace sk_explain
