#include "query.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "sockkit/common_options.hpp"
#include "sockkit/duration.hpp"
#include "sockkit/error.hpp"

namespace sk_states {

using sockkit::InputError;
using sockkit::cli::Format;

namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma == text.npos ? text.npos : comma - start));
    if (comma == text.npos) return items;
    start = comma + 1;
  }
}

std::vector<sockkit::Cidr> parse_blocks(const std::vector<std::string>& texts) {
  std::vector<sockkit::Cidr> blocks;
  for (const auto& text : texts) {
    for (auto item : split_commas(text)) blocks.push_back(sockkit::Cidr::parse(item));
  }
  return blocks;
}

std::uint64_t positive_number(std::string_view option, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  auto value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 || value == 0) {
    throw InputError(
        fmt::format("invalid {} \"{}\": expected a whole number above 0", option, text));
  }
  return value;
}

std::uint64_t positive_number_or_zero(std::string_view option, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  auto value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 ||
      value > 1'000'000'000) {
    throw InputError(fmt::format("invalid {} level \"{}\": expected a whole number", option, text));
  }
  return value;
}

double interval_seconds(const std::string& text) {
  using namespace std::chrono_literals;
  if (text.empty()) return 2.0;
  auto interval = sockkit::parse_duration("--watch", text, {100ms, 24h});
  return std::chrono::duration<double>(interval).count();
}

// --state lists first, then ss's state words, which start from what --state chose.
std::optional<std::uint32_t> chosen_states(const Options& options) {
  if (options.state_without_list) throw InputError(bare_state_message());
  std::optional<std::uint32_t> chosen;
  for (const auto& list : options.states)
    chosen = chosen.value_or(0) | sockkit::parse_state_list(list);
  return apply_state_words(options.state_words, chosen);
}

void select_sockets(const Options& options, Query& query) {
  refuse_ss_flags(options.ss_flags);
  auto& read = query.read;
  read.tcp = options.tcp || !options.udp;
  read.udp = options.udp;
  read.version = sockkit::cli::ip_version_of(options.ipv4, options.ipv6);
  if (!options.source.empty()) read.source = sockkit::parse_reader_source(options.source);
  auto chosen = chosen_states(options);
  if (chosen) read.tcp_states = *chosen;
  if (options.listening) {
    read.tcp_states &= sockkit::state_bit(sockkit::TcpState::listen);
    read.udp_unconnected_only = true;
  }
  if (!options.sport.empty()) read.filter.local_ports = sockkit::PortSet::parse(options.sport);
  if (!options.dport.empty()) read.filter.remote_ports = sockkit::PortSet::parse(options.dport);
  read.filter.local_addrs = parse_blocks(options.src);
  read.filter.remote_addrs = parse_blocks(options.dst);
  query.listening = options.listening;
  query.filtered = chosen.has_value() || options.listening || !read.filter.empty();
}

void choose_mode(const Options& options, Query& query) {
  if (options.list && !options.by.empty()) throw InputError("--list and --by exclude each other");
  if (options.extended && !options.list) throw InputError("-e/--extended adds fields to --list");
  if (!options.top.empty() && options.by.empty() && (!options.all_netns || options.list)) {
    throw InputError("--top needs --by (or --all-netns: the largest namespaces)");
  }
  if (options.list) query.mode = Mode::list;
  if (!options.by.empty()) {
    query.mode = Mode::groups;
    query.group_keys = sockkit::parse_group_keys(options.by);
  }
  if (!options.top.empty()) query.top = positive_number("--top", options.top);
  query.extended = options.extended;
  query.read.tcp_info = options.extended;
}

void choose_output(const Options& options, Query& query) {
  query.format = options.output.resolved_format();
  query.color = options.output.resolved_color();
  if (query.format == Format::prom && query.mode != Mode::count) {
    throw InputError(
        "--format prom gives the per-state counts; it does not combine with --by or --list");
  }
  query.show_zero = options.all;
  query.family_split = options.family_split;
  query.quiet = options.quiet;
  if (options.watch) {
    if (query.mode != Mode::count) {
      throw InputError(
          "--watch samples the per-state counts; it does not combine with --by or --list");
    }
    if (query.format != Format::text && query.format != Format::json) {
      throw InputError("--watch prints text or json lines");
    }
    query.watch_seconds = interval_seconds(options.watch_interval);
  }
  if (!options.count.empty()) {
    if (!options.watch) throw InputError("-c/--count needs --watch");
    query.watch_count = positive_number("--count", options.count);
  }
  query.netns = sockkit::cli::checked_netns(options.netns);
}

void choose_namespaces(const Options& options, Query& query) {
  query.all_netns = options.all_netns;
  if (options.all_netns && !options.netns.empty()) {
    throw InputError("--all-netns and --netns contradict each other");
  }
  bool by_netns = std::find(query.group_keys.begin(), query.group_keys.end(),
                            sockkit::GroupKey::netns) != query.group_keys.end();
  if (by_netns && !options.all_netns) throw InputError("--by netns needs --all-netns");
  if (options.sort.empty()) return;
  if (!options.all_netns) throw InputError("--sort orders namespaces: add --all-netns");
  if (query.mode != Mode::count) {
    throw InputError("--sort orders the namespace rows; with --by or --list the counts order them");
  }
  if (options.sort == "total") return;
  auto state = sockkit::parse_tcp_state(options.sort);
  if (!state) {
    throw InputError(fmt::format(
        "invalid --sort \"{}\": expected total or a TCP state (close-wait, time-wait, ...)",
        options.sort));
  }
  query.sort_by = *state;
}

StateCheck& state_check(Query& query, sockkit::TcpState state) {
  for (auto& check : query.state_checks) {
    if (check.state == state) return check;
  }
  return query.state_checks.emplace_back(StateCheck{state, {}});
}

// --warn/--crit NAME=N: a rule's level, or a count level for a state no rule watches.
void parse_check_levels(const std::vector<std::string>& lists, bool critical, Query& query) {
  const char* option = critical ? "--crit" : "--warn";
  for (const auto& list : lists) {
    for (auto item : split_commas(list)) {
      auto equals = item.find('=');
      if (equals == std::string_view::npos || equals == 0) {
        throw InputError(
            fmt::format("invalid {} \"{}\": expected NAME=N, as in close_wait=100", option, item));
      }
      auto name = item.substr(0, equals);
      auto level = static_cast<double>(
          positive_number_or_zero(option, std::string(item.substr(equals + 1))));
      auto rule = sockkit::parse_rule_id(name);
      auto state = sockkit::parse_tcp_state(name);
      if (!rule && state) {
        for (const auto& info : sockkit::rule_infos()) {
          if (info.state == *state) rule = info.id;
        }
      }
      if (rule) {
        critical ? query.thresholds.set_crit(*rule, level)
                 : query.thresholds.set_warn(*rule, level);
      } else if (state) {
        auto& levels = state_check(query, *state).levels;
        (critical ? levels.crit : levels.warn) = level;
      } else {
        throw InputError(fmt::format(
            "unknown rule or state \"{}\" in {} {}: expected a rule (close_wait, time_wait, "
            "port_exhaustion, accept_queue, ...) or a TCP state (established, listen, ...)",
            name, option, item));
      }
    }
  }
}

void choose_diagnosis(const Options& options, Query& query) {
  query.processes = options.processes;
  for (auto key : query.group_keys) query.processes |= key == sockkit::GroupKey::process;
  for (const auto& list : options.thresholds) query.thresholds.parse(list);
  if ((!options.warn.empty() || !options.crit.empty()) && !options.check) {
    throw InputError(
        "--warn and --crit set the levels of --check (--threshold sets the findings')");
  }
  if (options.check) {
    if (query.mode != Mode::count || options.watch || options.quiet || options.no_findings) {
      throw InputError(
          "--check prints one status line; it does not combine with --by, --list, "
          "--watch, -q or --no-findings");
    }
    if (options.output.json || !options.output.format.empty()) {
      throw InputError("--check prints a Nagios status line; leave out --format and -j");
    }
    query.check = true;
    query.read.tcp = true;  // the rules and the status line are about TCP, with -u or not
    parse_check_levels(options.warn, false, query);
    parse_check_levels(options.crit, true, query);
  }
  bool shown = query.mode == Mode::count && !query.quiet && query.format != Format::csv;
  query.findings = !options.no_findings && (shown || query.check);
}

}  // namespace

Query make_query(const Options& options) {
  Query query;
  select_sockets(options, query);
  choose_mode(options, query);
  choose_output(options, query);
  choose_namespaces(options, query);
  choose_diagnosis(options, query);
  return query;
}

}  // namespace sk_states
