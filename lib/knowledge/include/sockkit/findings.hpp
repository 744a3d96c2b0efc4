// What sk-states says is wrong: the diagnosis rules, their thresholds, and the findings
// they give, each with the evidence from this host and what to check next. The rules'
// explanations come from the knowledge base (tcp_state.hpp for the states, the rule
// table here for the rest), so sk-explain and sk-states never tell two stories.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"
#include "sockkit/tcp_state.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class Severity : std::uint8_t { info, warning, critical };

[[nodiscard]] std::string_view severity_name(Severity severity);  // "warning"

enum class RuleId : std::uint8_t {
  close_wait,
  time_wait,
  port_exhaustion,
  fin_wait2,
  fin_wait1,
  last_ack,
  closing,
  syn_recv,
  syn_sent,
  accept_queue,
  orphans,
  tcp_memory,
};
inline constexpr std::size_t kRuleCount = 12;

enum class RuleUnit : std::uint8_t { sockets, percent };

// A rule as the knowledge base describes it.
struct RuleInfo {
  RuleId id;
  std::string_view key;           // "close_wait": the rule id users type
  std::optional<TcpState> state;  // the state a socket-count rule counts
  RuleUnit unit;
  std::string_view summary;                  // one line: what it catches
  std::string_view why;                      // for rules without a state; states use their pileup
  std::span<const std::string_view> checks;  // for rules without a state, as above
  std::string_view threshold_doc;            // how the default levels are chosen, one line
};

[[nodiscard]] std::span<const RuleInfo> rule_infos();  // in RuleId order
[[nodiscard]] const RuleInfo& rule_info(RuleId id);
// "close_wait", "close-wait", "CLOSE_WAIT" ...; nullopt for anything else.
[[nodiscard]] std::optional<RuleId> parse_rule_id(std::string_view text);
// As parse_rule_id, but an unknown name throws InputError quoting `item` and listing
// the rules.
[[nodiscard]] RuleId parse_rule_or_throw(std::string_view name, std::string_view item);
// The explanation and next checks of a rule: its state's, or its own.
[[nodiscard]] std::string_view rule_why(RuleId id);
[[nodiscard]] std::span<const std::string_view> rule_checks(RuleId id);
// "sk-explain close-wait" or "sk-explain port-exhaustion".
[[nodiscard]] std::string rule_explain_command(RuleId id);

// Levels at which a rule fires, in the rule's unit. nullopt: that level is off.
struct Levels {
  std::optional<double> warn;
  std::optional<double> crit;
  bool off = false;  // the rule never fires
};

// The user's overrides for every rule; unset levels take the rule's defaults, which may
// depend on this host's sysctls (see default_levels in diagnosis.hpp).
class Thresholds {
 public:
  // "close_wait=50", "syn_sent=10:100", "orphans=off", comma separated, repeatable.
  // Throws InputError naming the bad item and what is allowed.
  void parse(std::string_view text);
  // Setting a level turns an "off" rule back on: the last word wins.
  void set_warn(RuleId id, double value) {
    levels_[index(id)].warn = value;
    levels_[index(id)].off = false;
  }
  void set_crit(RuleId id, double value) {
    levels_[index(id)].crit = value;
    levels_[index(id)].off = false;
  }
  void set_off(RuleId id) { levels_[index(id)].off = true; }
  [[nodiscard]] const Levels& overrides(RuleId id) const { return levels_[index(id)]; }

 private:
  static std::size_t index(RuleId id) { return static_cast<std::size_t>(id); }
  std::array<Levels, kRuleCount> levels_{};
};

// The evidence a finding carries (what it shows the user; what the diagnosis gathered
// to find it are its observations, observations.hpp): only what matters for its rule
// is filled.
struct CountedPort {
  std::uint16_t port = 0;
  std::uint64_t sockets = 0;
};
struct CountedPeer {
  IpAddress address;
  std::optional<std::uint16_t> port;  // only where the port names the service
  std::uint64_t sockets = 0;
};
struct CountedProcess {
  int pid = 0;
  std::string command;
  std::uint64_t sockets = 0;
};
struct CounterReading {
  std::string name;  // nstat's spelling: "TcpExtListenOverflows"
  std::int64_t value = 0;
  std::optional<std::int64_t> delta;  // since the previous sample, in --watch
};
struct LimitReading {
  std::string_view name;  // the sysctl's leaf: "tcp_max_tw_buckets"
  std::int64_t value = 0;
};
// A listening socket and its accept queue, as one sample saw it.
struct Listener {
  IpAddress address;
  std::uint16_t port = 0;
  std::uint32_t queue = 0;             // connections waiting for accept()
  std::uint32_t backlog = 0;           // the limit listen() got, after somaxconn
  std::optional<std::uint32_t> drops;  // SK_MEMINFO_DROPS since the listener was made
  std::uint32_t inode = 0;             // how its owner is found; 0 when unknown
};
// The listener as a finding shows it: with the change of its drops and its holder.
struct ListenerEvidence : Listener {
  std::optional<std::int64_t> drops_delta;  // since the previous sample, in --watch
  std::optional<int> pid;
  std::string command;
};
struct TupleEvidence {
  IpAddress local_address;
  IpAddress address;
  std::uint16_t port = 0;
  std::uint64_t used = 0;       // ephemeral ports taken toward address:port
  std::uint64_t time_wait = 0;  // of them in TIME_WAIT
  std::uint64_t range = 0;      // ports in ip_local_port_range
};

struct Evidence {
  std::uint64_t sockets = 0;
  std::vector<CountedPort> local_ports;
  std::vector<CountedPeer> peers;
  std::vector<CountedProcess> processes;
  std::vector<ListenerEvidence> listeners;
  std::vector<TupleEvidence> tuples;
  std::vector<CounterReading> counters;
  std::vector<LimitReading> limits;
  std::optional<double> rate_per_s;  // growth of the measure, in --watch
  std::vector<std::string> notes;    // facts that fit no field, one sentence each
};

struct Finding {
  RuleId rule = RuleId::close_wait;
  Severity severity = Severity::info;
  std::string title;  // one line
  std::string brief;  // for a Nagios status line: "312 CLOSE_WAIT (java pid 4121 :8080)"
  double value = 0;   // the measure compared with the levels
  Levels levels;      // as applied
  Evidence evidence;
};

}  // namespace sockkit

SOCKKIT_API_END
