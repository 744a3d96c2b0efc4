// What the user asked sk-states, checked and turned into library requests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sockkit/census.hpp"
#include "sockkit/console.hpp"
#include "sockkit/findings.hpp"
#include "sockkit/socket_reader.hpp"
#include "ss_habits.hpp"

namespace sk_states {

// The options as CLI11 fills them.
struct Options {
  bool tcp = false;
  bool udp = false;
  bool ipv4 = false;
  bool ipv6 = false;
  std::string source;
  std::string netns;
  bool all_netns = false;
  std::string sort;
  std::vector<std::string> states;
  bool state_without_list = false;       // -s or --state with no list: ss's -s summary
  std::vector<std::string> state_words;  // ss's "state S" and "exclude S", in order
  SsFlags ss_flags;                      // ss flags that mean nothing here, to refuse
  bool numeric = false;                  // -n: accepted; everything is numeric anyway
  bool listening = false;
  std::string sport;
  std::string dport;
  std::vector<std::string> src;
  std::vector<std::string> dst;
  bool all = false;
  bool family_split = false;
  sockkit::cli::OutputOptions output;
  std::string by;
  std::string top;
  bool list = false;
  bool extended = false;
  bool quiet = false;
  bool watch = false;
  std::string watch_interval;
  std::string count;
  bool processes = false;
  std::vector<std::string> thresholds;
  bool no_findings = false;
  bool check = false;
  std::vector<std::string> warn;
  std::vector<std::string> crit;
};

// --warn/--crit on a state that no rule watches (established, listen, ...): its count.
struct StateCheck {
  sockkit::TcpState state = sockkit::TcpState::established;
  sockkit::Levels levels;
};

enum class Mode { count, groups, list };

struct Query {
  sockkit::ReadRequest read;
  Mode mode = Mode::count;
  std::vector<sockkit::GroupKey> group_keys;
  std::size_t top = 0;
  bool filtered = false;   // any filter given: the exit status says whether it matched
  bool listening = false;  // -l
  bool show_zero = false;
  bool family_split = false;
  bool quiet = false;
  bool extended = false;
  sockkit::cli::Format format = sockkit::cli::Format::text;
  sockkit::ColorMode color = sockkit::ColorMode::automatic;
  std::optional<double> watch_seconds;
  std::uint64_t watch_count = 0;  // 0: until interrupted
  std::string netns;
  bool all_netns = false;                    // every network namespace of the host
  std::optional<sockkit::TcpState> sort_by;  // --sort STATE; nullopt: by total
  bool processes = false;                    // -p, or --by process
  bool findings = false;                     // apply the diagnosis rules
  sockkit::Thresholds thresholds;
  bool check = false;  // Nagios plugin mode
  std::vector<StateCheck> state_checks;
};

// Throws InputError for every contradiction or bad value, naming the option.
[[nodiscard]] Query make_query(const Options& options);

}  // namespace sk_states
