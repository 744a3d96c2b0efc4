// The rule table's lookups: rule names as users type them, severities, and the
// --threshold parser.
#include "sockkit/findings.hpp"

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
  }
  return "?";
}

std::optional<RuleId> parse_rule_id(std::string_view text) {
  std::string key;
  for (char c : text) key += c == '-' ? '_' : detail::lower_ascii(c);
  for (const auto& rule : rule_infos()) {
    if (rule.key == key) return rule.id;
  }
  return std::nullopt;
}

std::string rule_explain_command(RuleId id) {
  std::string topic(rule_info(id).key);
  for (auto& c : topic) c = c == '_' ? '-' : c;
  return "sk-explain " + topic;
}

namespace {

std::string rule_list() {
  std::string out;
  for (const auto& rule : rule_infos()) {
    out += out.empty() ? "" : ", ";
    out += rule.key;
  }
  return out;
}

double parse_level(std::string_view text, std::string_view item) {
  // Levels are whole numbers: socket counts, or percents of a kernel limit.
  auto value = detail::parse_decimal(text, 1'000'000'000);
  if (!value) {
    throw InputError(
        fmt::format("invalid threshold \"{}\": levels are whole numbers, as in close_wait=50 or "
                    "close_wait=50:500",
                    item));
  }
  return static_cast<double>(*value);
}

}  // namespace

RuleId parse_rule_or_throw(std::string_view name, std::string_view item) {
  auto id = parse_rule_id(name);
  if (!id) {
    throw InputError(
        fmt::format("unknown rule \"{}\" in \"{}\": expected one of {}", name, item, rule_list()));
  }
  return *id;
}

void Thresholds::parse(std::string_view text) {
  detail::for_each_item(text, [&](std::string_view item) {
    auto equals = item.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      throw InputError(fmt::format(
          "invalid threshold \"{}\": expected RULE=WARN[:CRIT] or RULE=off, as in close_wait=50",
          item));
    }
    auto id = parse_rule_or_throw(item.substr(0, equals), item);
    auto levels = item.substr(equals + 1);
    if (levels == "off") {
      set_off(id);
      return;
    }
    auto colon = levels.find(':');
    set_warn(id, parse_level(levels.substr(0, colon), item));
    if (colon != std::string_view::npos) set_crit(id, parse_level(levels.substr(colon + 1), item));
    // Checked on what the rule ends up with, so a later item cannot undercut an earlier one.
    const auto& now = overrides(id);
    if (now.warn && now.crit && *now.crit < *now.warn) {
      throw InputError(fmt::format(
          "invalid threshold \"{}\": the critical level is below the warning level", item));
    }
  });
}

}  // namespace sockkit
