#include "topic.hpp"

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sk_explain {

namespace {

struct TopicWord {
  std::string_view word;
  TopicKind kind;
};

constexpr TopicWord kTopicWords[] = {
    {"states", TopicKind::states},
    {"handshake", TopicKind::handshake},
    {"close", TopicKind::close},
    {"diagram", TopicKind::diagram},
    {"tcp-vs-udp", TopicKind::tcp_vs_udp},
    {"tcp_vs_udp", TopicKind::tcp_vs_udp},
    {"osi", TopicKind::osi},
    {"socket", TopicKind::socket},
    {"syn-flood", TopicKind::syn_flood},
    {"syn_flood", TopicKind::syn_flood},
    {"rules", TopicKind::rules},
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Topic parse_topic(std::string_view text) {
  if (text.empty()) return {};
  for (const auto& topic : kTopicWords) {
    if (equal_ignoring_case(text, topic.word)) return {topic.kind};
  }
  if (auto state = sockkit::parse_tcp_state(text)) return {TopicKind::state, *state};
  if (auto rule = sockkit::parse_rule_id(text)) return {TopicKind::rule, {}, *rule};
  throw sockkit::InputError(fmt::format(
      "unknown topic or state \"{}\": expected a TCP state (e.g. time-wait) or one of {}", text,
      kTopicList));
}

}  // namespace sk_explain
