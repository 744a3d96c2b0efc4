// The words of a finding: its title (one line for people) and brief (a few words for a
// Nagios status line), one table for every rule. Each entry is a fmt format string over
// named fields that the diagnosis fills from the finding's evidence ({sockets},
// {percent}, {destination}, {listener}, ...), so the knowledge base holds what a
// finding says and the diagnosis only what it measured.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/findings.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct FindingWording {
  std::optional<RuleId> rule;  // nullopt: a phrase every rule's wording may use
  std::string_view variant;    // "" for the rule's usual wording; "full", "share", ...
  std::string_view title;
  std::string_view brief;  // "" when the variant is a phrase of a title only
};

// Every wording, rules in RuleId order, the shared phrases last.
[[nodiscard]] std::span<const FindingWording> finding_wordings();
// The wording of `rule` (or a shared phrase, rule nullopt) for `variant`; throws
// std::out_of_range for a pair the table does not have (a programming error).
[[nodiscard]] const FindingWording& finding_wording(std::optional<RuleId> rule,
                                                    std::string_view variant = "");

}  // namespace sockkit

SOCKKIT_API_END
