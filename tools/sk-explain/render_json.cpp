#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/tcp_topics.hpp"

namespace sk_explain {

using sockkit::Json;
using sockkit::TcpState;

namespace {

Json strings(std::span<const std::string_view> items) {
  Json out = Json::array();
  for (auto item : items) out.push_back(item);
  return out;
}

Json text_or_null(std::string_view text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

Json state_or_null(std::optional<TcpState> state) {
  return state ? Json(sockkit::tcp_state_name(*state)) : Json(nullptr);
}

Json roles(std::uint8_t bits) {
  Json out = Json::array();
  constexpr std::pair<sockkit::TcpRole, const char*> kRoles[] = {
      {sockkit::role_active_opener, "active_opener"},
      {sockkit::role_passive_opener, "passive_opener"},
      {sockkit::role_active_closer, "active_closer"},
      {sockkit::role_passive_closer, "passive_closer"},
  };
  for (const auto& [role, key] : kRoles) {
    if ((bits & role) != 0) out.push_back(key);
  }
  return out;
}

Json transition(const sockkit::TcpTransition& t) {
  return Json{{"from", sockkit::tcp_state_name(t.from)},
              {"to", sockkit::tcp_state_name(t.to)},
              {"event", t.event},
              {"action", t.action}};
}

Json transitions(TcpState state, bool incoming) {
  Json out = Json::array();
  for (const auto& t : sockkit::tcp_transitions()) {
    if ((incoming ? t.to : t.from) == state) out.push_back(transition(t));
  }
  return out;
}

Json state_json(const sockkit::TcpStateInfo& info) {
  auto number = static_cast<int>(info.state);
  return Json{{"name", info.name},
              {"rfc_name", text_or_null(info.rfc_name)},
              {"key", info.key},
              {"kernel_number", number},
              {"proc_hex", fmt::format("{:02X}", number)},
              {"aliases", strings(info.aliases)},
              {"roles", roles(info.roles)},
              {"in_rfc9293", info.in_rfc9293},
              {"summary", info.summary},
              {"meaning", info.meaning},
              {"pileup", text_or_null(info.pileup)},
              {"checks", strings(info.checks)},
              {"transitions_in", transitions(info.state, true)},
              {"transitions_out", transitions(info.state, false)}};
}

Json sequence_json(const sockkit::SequenceDiagram& diagram) {
  Json steps = Json::array();
  for (const auto& step : diagram.steps) {
    steps.push_back(Json{
        {"sender", step.sender == sockkit::Peer::left ? diagram.left_name : diagram.right_name},
        {"flags", step.flags},
        {"seq", text_or_null(step.seq)},
        {"ack", text_or_null(step.ack)},
        {"left_state", state_or_null(step.left_state)},
        {"right_state", state_or_null(step.right_state)},
        {"note", text_or_null(step.note)}});
  }
  return Json{{"key", diagram.key},
              {"title", diagram.title},
              {"left", diagram.left_name},
              {"right", diagram.right_name},
              {"left_initial", sockkit::tcp_state_name(diagram.left_initial)},
              {"right_initial", sockkit::tcp_state_name(diagram.right_initial)},
              {"steps", steps},
              {"notes", strings(diagram.notes)}};
}

Json guide_json(const sockkit::Guide& guide) {
  Json steps = Json::array();
  for (const auto& step : guide.steps) {
    Json findings = Json::array();
    for (auto id : step.findings) findings.push_back(sockkit::rule_info(id).key);
    steps.push_back(Json{{"actor", step.actor},
                         {"event", step.event},
                         {"state", state_or_null(step.state)},
                         {"text", step.text},
                         {"sysctls", strings(step.sysctls)},
                         {"watch", step.watch},
                         {"findings", findings}});
  }
  return Json{{"topic", guide.topic},
              {"title", guide.title},
              {"intro", strings(guide.intro)},
              {"steps", steps},
              {"notes_heading", guide.notes_heading},
              {"notes", strings(guide.notes)}};
}

Json states_json() {
  Json list = Json::array();
  for (const auto& info : sockkit::tcp_states()) list.push_back(state_json(info));
  return Json{{"states", list}};
}

Json osi_json() {
  Json layers = Json::array();
  for (const auto& layer : sockkit::osi_layers()) {
    layers.push_back(Json{{"number", layer.number},
                          {"name", layer.name},
                          {"job", layer.job},
                          {"examples", strings(layer.examples)}});
  }
  return Json{{"topic", "osi"}, {"layers", layers}, {"notes", strings(sockkit::osi_notes())}};
}

Json tcp_vs_udp_json() {
  Json rows = Json::array();
  for (const auto& row : sockkit::tcp_vs_udp()) {
    rows.push_back(Json{{"aspect", row.aspect}, {"tcp", row.tcp}, {"udp", row.udp}});
  }
  return Json{
      {"topic", "tcp-vs-udp"}, {"rows", rows}, {"notes", strings(sockkit::tcp_vs_udp_notes())}};
}

Json diagram_json() {
  Json edges = Json::array();
  for (const auto& t : sockkit::tcp_transitions()) edges.push_back(transition(t));
  return Json{
      {"topic", "diagram"}, {"drawing", sockkit::state_machine_drawing()}, {"transitions", edges}};
}

}  // namespace

Json render_json(const Topic& topic) {
  switch (topic.kind) {
    case TopicKind::states: return states_json();
    case TopicKind::state: return state_json(sockkit::tcp_state_info(topic.state));
    case TopicKind::handshake:
      return Json{{"topic", "handshake"},
                  {"diagrams", Json::array({sequence_json(sockkit::handshake_diagram())})}};
    case TopicKind::close:
      return Json{{"topic", "close"},
                  {"diagrams", Json::array({sequence_json(sockkit::close_diagram()),
                                            sequence_json(sockkit::simultaneous_close_diagram())})},
                  {"time_wait_notes", strings(sockkit::time_wait_notes())}};
    case TopicKind::diagram: return diagram_json();
    case TopicKind::tcp_vs_udp: return tcp_vs_udp_json();
    case TopicKind::osi: return osi_json();
    case TopicKind::socket: return guide_json(sockkit::socket_guide());
    case TopicKind::syn_flood: return guide_json(sockkit::syn_flood_guide());
    case TopicKind::rules: return rule_list_json();
    case TopicKind::rule: return rule_json(topic.rule);
  }
  return Json{};
}

}  // namespace sk_explain
