#include "sockkit/finding_wording.hpp"

#include <stdexcept>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

using sockkit::RuleId;

namespace {

// Every field a wording may name, so a misspelt one fails here rather than in a finding.
std::string filled(std::string_view wording) {
  using fmt::arg;
  return fmt::format(fmt::runtime(wording), arg("sockets", "1"), arg("growth", ""),
                     arg("detail", ""), arg("share", ""), arg("overflow", ""), arg("percent", "1%"),
                     arg("limit", "1"), arg("destroyed", "1"), arg("used", "1"), arg("range", "1"),
                     arg("destination", "d"), arg("time_wait", "1"), arg("peer", "p"),
                     arg("dropped", "1"), arg("rise", 1), arg("listener", "l"), arg("owner", ""),
                     arg("queue", "1"), arg("backlog", "1"), arg("queue_n", 1), arg("backlog_n", 1),
                     arg("port", 1), arg("drops", "1"), arg("drops_n", 1), arg("orphans", "1"),
                     arg("rate_per_s", 1.5), arg("command", "c"), arg("pid", 1));
}

}  // namespace

TEST_CASE("finding_wording: every rule has a title and a brief") {
  for (const auto& rule : sockkit::rule_infos()) {
    const auto& wording = sockkit::finding_wording(rule.id);
    CHECK_MESSAGE(!wording.title.empty(), rule.key);
    CHECK_MESSAGE(!wording.brief.empty(), rule.key);
  }
}

TEST_CASE("finding_wording: every wording formats with the diagnosis' fields") {
  for (const auto& wording : sockkit::finding_wordings()) {
    CHECK_NOTHROW((void)filled(wording.title));
    CHECK_NOTHROW((void)filled(wording.brief));
    CHECK((wording.title.empty() && wording.brief.empty()) == false);
  }
  CHECK(filled(sockkit::finding_wording(RuleId::close_wait).title) ==
        "1 sockets in CLOSE_WAIT: the peers closed, the application has not");
  CHECK(filled(sockkit::finding_wording(std::nullopt, "growth").title) == ", growing +1.5/s");
}

TEST_CASE("finding_wording: a variant the table lacks is a programming error") {
  CHECK_THROWS_AS((void)sockkit::finding_wording(RuleId::close_wait, "full"), std::out_of_range);
  CHECK_THROWS_AS((void)sockkit::finding_wording(std::nullopt, ""), std::out_of_range);
}
