#include "sockkit/findings.hpp"

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "error_text.hpp"
#include "sockkit/tcp_state.hpp"
#include "text_checks.hpp"

using sockkit::Levels;
using sockkit::parse_rule_id;
using sockkit::RuleId;
using sockkit::RuleUnit;
using sockkit::Severity;
using sockkit::TcpState;
using sockkit::Thresholds;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

constexpr RuleId kAllRules[] = {
    RuleId::close_wait, RuleId::time_wait,    RuleId::port_exhaustion, RuleId::fin_wait2,
    RuleId::fin_wait1,  RuleId::last_ack,     RuleId::closing,         RuleId::syn_recv,
    RuleId::syn_sent,   RuleId::accept_queue, RuleId::orphans,         RuleId::tcp_memory,
};

const std::string kRuleList =
    "close_wait, time_wait, port_exhaustion, fin_wait2, fin_wait1, last_ack, closing, syn_recv, "
    "syn_sent, accept_queue, orphans, tcp_memory";

std::string threshold_error(std::string_view text) {
  Thresholds thresholds;
  return input_error_of([&] { thresholds.parse(text); });
}

std::string usage_error(std::string_view item) {
  return "invalid threshold \"" + std::string(item) +
         "\": expected RULE=WARN[:CRIT] or RULE=off, as in close_wait=50";
}

std::string number_error(std::string_view item) {
  return "invalid threshold \"" + std::string(item) +
         "\": levels are whole numbers, as in close_wait=50 or close_wait=50:500";
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string dashed(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = c == '_' ? '-' : c;
  return out;
}

// "warn/crit/off" of a rule's overrides, so a failing check shows all three.
std::string levels_text(const Levels& levels) {
  auto level = [](const std::optional<double>& v) {
    return v ? std::to_string(static_cast<long long>(*v)) : std::string("-");
  };
  return level(levels.warn) + "/" + level(levels.crit) + (levels.off ? "/off" : "");
}

}  // namespace

TEST_CASE("findings: severity_name and severity order") {
  CHECK(sockkit::severity_name(Severity::info) == "info");
  CHECK(sockkit::severity_name(Severity::warning) == "warning");
  CHECK(sockkit::severity_name(Severity::critical) == "critical");
  CHECK(Severity::info < Severity::warning);
  CHECK(Severity::warning < Severity::critical);
}

TEST_CASE("findings: the rule table in RuleId order with keys and units and states") {
  auto rules = sockkit::rule_infos();
  REQUIRE(rules.size() == sockkit::kRuleCount);
  REQUIRE(sockkit::kRuleCount == std::size(kAllRules));
  const char* keys[] = {"close_wait", "time_wait",    "port_exhaustion", "fin_wait2",
                        "fin_wait1",  "last_ack",     "closing",         "syn_recv",
                        "syn_sent",   "accept_queue", "orphans",         "tcp_memory"};
  for (std::size_t i = 0; i < rules.size(); ++i) {
    CAPTURE(i);
    CHECK(rules[i].id == kAllRules[i]);
    CHECK(rules[i].key == keys[i]);
    CHECK(&sockkit::rule_info(kAllRules[i]) == &rules[i]);
    CHECK_FALSE(rules[i].summary.empty());
    CHECK_FALSE(rules[i].threshold_doc.empty());
  }
  struct Expected {
    RuleId id;
    std::optional<TcpState> state;
    RuleUnit unit;
  };
  const Expected expected[] = {
      {RuleId::close_wait, TcpState::close_wait, RuleUnit::sockets},
      {RuleId::time_wait, TcpState::time_wait, RuleUnit::sockets},
      {RuleId::port_exhaustion, std::nullopt, RuleUnit::percent},
      {RuleId::fin_wait2, TcpState::fin_wait2, RuleUnit::sockets},
      {RuleId::fin_wait1, TcpState::fin_wait1, RuleUnit::sockets},
      {RuleId::last_ack, TcpState::last_ack, RuleUnit::sockets},
      {RuleId::closing, TcpState::closing, RuleUnit::sockets},
      {RuleId::syn_recv, TcpState::syn_recv, RuleUnit::sockets},
      {RuleId::syn_sent, TcpState::syn_sent, RuleUnit::sockets},
      {RuleId::accept_queue, std::nullopt, RuleUnit::percent},
      {RuleId::orphans, std::nullopt, RuleUnit::percent},
      {RuleId::tcp_memory, std::nullopt, RuleUnit::percent},
  };
  for (const auto& e : expected) {
    const auto& rule = sockkit::rule_info(e.id);
    CAPTURE(rule.key);
    CHECK(rule.state == e.state);
    CHECK(rule.unit == e.unit);
  }
}

TEST_CASE("findings: parse_rule_id accepts underscores and dashes in any case") {
  CHECK(parse_rule_id("close_wait") == RuleId::close_wait);
  CHECK(parse_rule_id("close-wait") == RuleId::close_wait);
  CHECK(parse_rule_id("CLOSE_WAIT") == RuleId::close_wait);
  CHECK(parse_rule_id("Close-Wait") == RuleId::close_wait);
  CHECK(parse_rule_id("port-exhaustion") == RuleId::port_exhaustion);
  CHECK(parse_rule_id("TCP_MEMORY") == RuleId::tcp_memory);
  CHECK(parse_rule_id("accept-queue") == RuleId::accept_queue);
  for (auto id : kAllRules) {
    auto key = sockkit::rule_info(id).key;
    CAPTURE(key);
    CHECK(parse_rule_id(key) == id);
    CHECK(parse_rule_id(upper(key)) == id);
    CHECK(parse_rule_id(dashed(key)) == id);
    CHECK(parse_rule_id(upper(dashed(key))) == id);
  }
}

TEST_CASE("findings: parse_rule_id gives nullopt for anything else") {
  for (std::string_view text :
       {"", "bogus", "closewait", "close wait", " close_wait", "close_wait ", "close_wait=50",
        "established", "listen", "time_wait2", "orphan", "close__wait", "_close_wait"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_rule_id(text).has_value());
  }
}

TEST_CASE("findings: parse_rule_or_throw names the item and lists the rules") {
  CHECK(sockkit::parse_rule_or_throw("SYN-SENT", "SYN-SENT=3") == RuleId::syn_sent);
  CHECK(input_error_of([] { (void)sockkit::parse_rule_or_throw("bogus", "bogus=5"); }) ==
        "unknown rule \"bogus\" in \"bogus=5\": expected one of " + kRuleList);
}

TEST_CASE("findings: Thresholds start with no overrides") {
  Thresholds thresholds;
  for (auto id : kAllRules) {
    CAPTURE(sockkit::rule_info(id).key);
    CHECK(levels_text(thresholds.overrides(id)) == "-/-");
  }
}

TEST_CASE("findings: Thresholds::parse of warn and warn:crit and off") {
  Thresholds t;
  t.parse("close_wait=50");
  CHECK(levels_text(t.overrides(RuleId::close_wait)) == "50/-");

  t.parse("syn_sent=10:100");
  CHECK(levels_text(t.overrides(RuleId::syn_sent)) == "10/100");

  t.parse("orphans=off");
  CHECK(levels_text(t.overrides(RuleId::orphans)) == "-/-/off");
  CHECK(t.overrides(RuleId::orphans).off);

  // Equal levels are allowed, and zero is a level.
  t.parse("closing=7:7");
  CHECK(levels_text(t.overrides(RuleId::closing)) == "7/7");
  t.parse("fin_wait2=0");
  CHECK(levels_text(t.overrides(RuleId::fin_wait2)) == "0/-");
  t.parse("last_ack=1000000000");
  CHECK(levels_text(t.overrides(RuleId::last_ack)) == "1000000000/-");

  // Rule names in any spelling.
  t.parse("TIME-WAIT=5:6");
  CHECK(levels_text(t.overrides(RuleId::time_wait)) == "5/6");

  // What was not named keeps no override.
  for (auto id : {RuleId::port_exhaustion, RuleId::fin_wait1, RuleId::syn_recv,
                  RuleId::accept_queue, RuleId::tcp_memory}) {
    CHECK(levels_text(t.overrides(id)) == "-/-");
  }
}

TEST_CASE("findings: Thresholds::parse of a comma list and of repeated calls") {
  Thresholds t;
  t.parse("close_wait=50,syn_sent=10:100,orphans=off");
  CHECK(levels_text(t.overrides(RuleId::close_wait)) == "50/-");
  CHECK(levels_text(t.overrides(RuleId::syn_sent)) == "10/100");
  CHECK(levels_text(t.overrides(RuleId::orphans)) == "-/-/off");

  // A later --threshold adds to the earlier ones; the same rule again replaces the
  // levels it names.
  t.parse("accept_queue=80");
  t.parse("close_wait=60:600");
  CHECK(levels_text(t.overrides(RuleId::accept_queue)) == "80/-");
  CHECK(levels_text(t.overrides(RuleId::close_wait)) == "60/600");
  CHECK(levels_text(t.overrides(RuleId::syn_sent)) == "10/100");
  t.parse("syn_sent=3");
  CHECK(t.overrides(RuleId::syn_sent).warn == 3);

  // Within one list the last item for a rule wins.
  Thresholds last;
  last.parse("close_wait=5,close_wait=7:9");
  CHECK(levels_text(last.overrides(RuleId::close_wait)) == "7/9");
}

TEST_CASE("findings: Thresholds set_warn and set_crit and set_off") {
  Thresholds t;
  t.set_warn(RuleId::tcp_memory, 70);
  t.set_crit(RuleId::tcp_memory, 95);
  t.set_off(RuleId::syn_recv);
  CHECK(levels_text(t.overrides(RuleId::tcp_memory)) == "70/95");
  CHECK(t.overrides(RuleId::syn_recv).off);
  CHECK_FALSE(t.overrides(RuleId::tcp_memory).off);
}

TEST_CASE("findings: Thresholds::parse errors without a rule and level") {
  CHECK(threshold_error("close_wait") == usage_error("close_wait"));
  CHECK(threshold_error("close_wait:50") == usage_error("close_wait:50"));
  CHECK(threshold_error("=50") == usage_error("=50"));
  CHECK(threshold_error("50") == usage_error("50"));
  CHECK(threshold_error("close_wait=50,syn_sent") == usage_error("syn_sent"));
}

TEST_CASE("findings: Thresholds::parse errors for an empty item") {
  CHECK(threshold_error("") == usage_error(""));
  CHECK(threshold_error("close_wait=50,,syn_sent=3") == usage_error(""));
  CHECK(threshold_error("close_wait=50,") == usage_error(""));
  CHECK(threshold_error(",close_wait=50") == usage_error(""));
  CHECK(threshold_error(",") == usage_error(""));
}

TEST_CASE("findings: Thresholds::parse errors for an unknown rule list the rules") {
  CHECK(threshold_error("bogus=5") ==
        "unknown rule \"bogus\" in \"bogus=5\": expected one of " + kRuleList);
  CHECK(threshold_error("close_wait=5,established=9:10") ==
        "unknown rule \"established\" in \"established=9:10\": expected one of " + kRuleList);
  CHECK(threshold_error("close_wait =5") ==
        "unknown rule \"close_wait \" in \"close_wait =5\": expected one of " + kRuleList);
  CHECK(threshold_error("bogus=off") ==
        "unknown rule \"bogus\" in \"bogus=off\": expected one of " + kRuleList);
}

TEST_CASE("findings: Thresholds::parse errors for levels that are not whole numbers") {
  for (std::string_view item :
       {"close_wait=", "close_wait=abc", "close_wait=5.5", "close_wait=+5", "close_wait= 5",
        "close_wait=5 ", "close_wait=0x10", "close_wait=5:", "close_wait=:5", "close_wait=5:x",
        "close_wait=5:6:7", "close_wait=1000000001", "close_wait=99999999999999999999999",
        "close_wait=OFF", "close_wait=off:5", "close_wait=5%"}) {
    CAPTURE(item);
    CHECK(threshold_error(item) == number_error(item));
  }
}

TEST_CASE("findings: Thresholds::parse errors for negative levels") {
  CHECK(threshold_error("close_wait=-5") == number_error("close_wait=-5"));
  CHECK(threshold_error("syn_sent=10:-100") == number_error("syn_sent=10:-100"));
  CHECK(threshold_error("syn_sent=-10:100") == number_error("syn_sent=-10:100"));
}

TEST_CASE("findings: Thresholds::parse errors for a critical level below the warning level") {
  CHECK(threshold_error("syn_sent=100:10") ==
        "invalid threshold \"syn_sent=100:10\": the critical level is below the warning level");
  CHECK(threshold_error("close_wait=5,closing=2:1") ==
        "invalid threshold \"closing=2:1\": the critical level is below the warning level");
  CHECK(threshold_error("closing=1:0") ==
        "invalid threshold \"closing=1:0\": the critical level is below the warning level");
}

TEST_CASE("findings: a later threshold may not undercut an earlier critical level") {
  Thresholds t;
  t.parse("close_wait=50:500");
  CHECK_THROWS_WITH_AS(t.parse("close_wait=600"),
                       "invalid threshold \"close_wait=600\": the critical level is below the "
                       "warning level",
                       sockkit::InputError);
}

TEST_CASE("findings: a level set after off turns the rule back on") {
  Thresholds t;
  t.parse("close_wait=off");
  CHECK(t.overrides(RuleId::close_wait).off);
  t.parse("close_wait=50");
  CHECK_FALSE(t.overrides(RuleId::close_wait).off);
  CHECK(levels_text(t.overrides(RuleId::close_wait)) == "50/-");
}

TEST_CASE("findings: the errors are one line") {
  for (std::string_view text : {"bogus=5", "close_wait", "close_wait=x", "syn_sent=9:1", ""}) {
    CAPTURE(text);
    auto message = threshold_error(text);
    CHECK(message != "(no error)");
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("findings: state rules explain themselves with the state table") {
  for (const auto& rule : sockkit::rule_infos()) {
    if (!rule.state) continue;
    CAPTURE(rule.key);
    const auto& state = sockkit::tcp_state_info(*rule.state);
    CHECK(sockkit::rule_why(rule.id) == state.pileup);
    CHECK(sockkit::rule_why(rule.id).data() == state.pileup.data());  // one copy, not two
    auto checks = sockkit::rule_checks(rule.id);
    REQUIRE(checks.size() == state.checks.size());
    CHECK(checks.data() == state.checks.data());
    for (std::size_t i = 0; i < checks.size(); ++i) CHECK(checks[i] == state.checks[i]);
  }
  CHECK(sockkit::rule_why(RuleId::close_wait) ==
        sockkit::tcp_state_info(TcpState::close_wait).pileup);
  CHECK(sockkit::rule_why(RuleId::syn_recv) == sockkit::tcp_state_info(TcpState::syn_recv).pileup);
}

TEST_CASE("findings: rules without a state carry their own why and checks") {
  for (auto id :
       {RuleId::port_exhaustion, RuleId::accept_queue, RuleId::orphans, RuleId::tcp_memory}) {
    const auto& rule = sockkit::rule_info(id);
    CAPTURE(rule.key);
    CHECK(sockkit::rule_why(id) == rule.why);
    CHECK(sockkit::rule_checks(id).data() == rule.checks.data());
    CHECK(sockkit::rule_checks(id).size() == rule.checks.size());
  }
  CHECK(contains(sockkit::rule_why(RuleId::port_exhaustion), "ip_local_port_range"));
  CHECK(contains(sockkit::rule_why(RuleId::accept_queue), "somaxconn"));
  CHECK(contains(sockkit::rule_why(RuleId::orphans), "tcp_max_orphans"));
  CHECK(contains(sockkit::rule_why(RuleId::tcp_memory), "tcp_mem"));
}

TEST_CASE("findings: every rule has a why and checks in printable text") {
  for (auto id : kAllRules) {
    CAPTURE(sockkit::rule_info(id).key);
    CHECK_FALSE(sockkit::rule_why(id).empty());
    CHECK(is_printable_ascii(sockkit::rule_why(id)));
    auto checks = sockkit::rule_checks(id);
    CHECK_FALSE(checks.empty());
    for (auto check : checks) {
      CHECK_FALSE(check.empty());
      CHECK(is_printable_ascii(check));
    }
  }
}

TEST_CASE("findings: rule_explain_command names the sk-explain topic") {
  CHECK(sockkit::rule_explain_command(RuleId::close_wait) == "sk-explain close-wait");
  CHECK(sockkit::rule_explain_command(RuleId::time_wait) == "sk-explain time-wait");
  CHECK(sockkit::rule_explain_command(RuleId::port_exhaustion) == "sk-explain port-exhaustion");
  CHECK(sockkit::rule_explain_command(RuleId::fin_wait2) == "sk-explain fin-wait2");
  CHECK(sockkit::rule_explain_command(RuleId::syn_recv) == "sk-explain syn-recv");
  CHECK(sockkit::rule_explain_command(RuleId::accept_queue) == "sk-explain accept-queue");
  CHECK(sockkit::rule_explain_command(RuleId::orphans) == "sk-explain orphans");
  CHECK(sockkit::rule_explain_command(RuleId::tcp_memory) == "sk-explain tcp-memory");
  // State topics are spellings sk-explain's state parser accepts.
  for (const auto& rule : sockkit::rule_infos()) {
    if (!rule.state) continue;
    auto command = sockkit::rule_explain_command(rule.id);
    CAPTURE(command);
    REQUIRE(command.rfind("sk-explain ", 0) == 0);
    CHECK(sockkit::parse_tcp_state(command.substr(11)) == rule.state);
  }
}
