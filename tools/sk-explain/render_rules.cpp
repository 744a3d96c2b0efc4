// The diagnosis rules of sk-states, explained: the list (`sk-explain rules`) and one
// rule (`sk-explain port-exhaustion`). Rules named after a state explain themselves
// through that state's page, so both tools print the same words.
#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/table.hpp"

namespace sk_explain {

using sockkit::Json;
using sockkit::Style;

namespace {

std::string topic_word(std::string_view key) {
  std::string word(key);
  for (auto& c : word) c = c == '_' ? '-' : c;
  return word;
}

std::string unit_text(sockkit::RuleUnit unit) {
  return unit == sockkit::RuleUnit::percent ? "percent" : "sockets";
}

}  // namespace

std::string render_rule_list(const TextStyle& style) {
  std::string out = style.paint(Style::bold, "sk-states finding rules (rule id, what it catches)");
  out += "\n";
  for (const auto& rule : sockkit::rule_infos()) {
    auto label = fmt::format("  {:<17}", rule.key);
    out += label + sockkit::wrap_text(rule.summary, style.width, label.size()).substr(label.size());
  }
  out += "\n" + sockkit::wrap_text(
                    "Run `sk-explain RULE` for one rule (close-wait, port-exhaustion, "
                    "accept-queue, ...); rules named after a state explain that state. "
                    "`sk-states --threshold RULE=WARN[:CRIT]` changes when a rule fires.",
                    style.width);
  return out;
}

std::string render_rule(sockkit::RuleId id, const TextStyle& style) {
  const auto& rule = sockkit::rule_info(id);
  std::string out = style.paint(Style::bold, fmt::format("{} (sk-states finding)", rule.key));
  out += "\n" + sockkit::wrap_text(rule.summary, style.width, 2) + "\n";
  out += sockkit::wrap_text(sockkit::rule_why(id), style.width) + "\n";
  out += style.paint(Style::bold, "Measure and default levels") + "\n";
  out += sockkit::wrap_text(fmt::format("{}: {}", unit_text(rule.unit), rule.threshold_doc),
                            style.width, 2);
  out += "\n" + style.paint(Style::bold, "What to check next") + "\n";
  for (auto check : sockkit::rule_checks(id)) out += fmt::format("  {}\n", check);
  return out;
}

Json rule_list_json() {
  Json rules = Json::array();
  for (const auto& rule : sockkit::rule_infos()) rules.push_back(rule_json(rule.id));
  return Json{{"topic", "rules"}, {"rules", rules}};
}

Json rule_json(sockkit::RuleId id) {
  const auto& rule = sockkit::rule_info(id);
  Json checks = Json::array();
  for (auto check : sockkit::rule_checks(id)) checks.push_back(check);
  return Json{
      {"rule", rule.key},
      {"topic", topic_word(rule.key)},
      {"state", rule.state ? Json(sockkit::tcp_state_info(*rule.state).key) : Json(nullptr)},
      {"summary", rule.summary},
      {"unit", unit_text(rule.unit)},
      {"default_levels", rule.threshold_doc},
      {"why", sockkit::rule_why(id)},
      {"checks", checks}};
}

}  // namespace sk_explain
