// Renderers: knowledge-base data in, finished text out. They never gather or print.
#pragma once

#include <string>

#include "sockkit/color.hpp"
#include "sockkit/json.hpp"
#include "topic.hpp"

namespace sk_explain {

struct TextStyle {
  sockkit::Painter paint;
  std::size_t width = 80;  // prose wraps here; drawings have their own fixed widths
};

[[nodiscard]] std::string render_text(const Topic& topic, const TextStyle& style);
[[nodiscard]] sockkit::Json render_json(const Topic& topic);

// Pieces the text renderer is built from, exposed for its tests.
[[nodiscard]] std::string render_state_list(const TextStyle& style);
[[nodiscard]] std::string render_state(sockkit::TcpState state, const TextStyle& style);
[[nodiscard]] std::string render_rule_list(const TextStyle& style);
[[nodiscard]] std::string render_rule(sockkit::RuleId id, const TextStyle& style);
[[nodiscard]] sockkit::Json rule_list_json();
[[nodiscard]] sockkit::Json rule_json(sockkit::RuleId id);

}  // namespace sk_explain
