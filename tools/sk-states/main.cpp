// sk-states: what are the sockets on this host doing? A per-state census of TCP
// and UDP sockets, read from the kernel, filtered there, and printed for people,
// scripts or Prometheus.
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "diagnose.hpp"
#include "netns_sampling.hpp"
#include "query.hpp"
#include "render_netns.hpp"
#include "sampling.hpp"
#include "sockkit/cli.hpp"
#include "sockkit/netns.hpp"
#include "watch_netns.hpp"

namespace {

using sk_states::Mode;
using sockkit::cli::Format;

constexpr const char* kFooter =
    R"(States and groups for --state: any spelling sk-explain accepts (time-wait,
TIME_WAIT, SYN_RCVD, fin-wait-1, estab, closing ...), ss's groups all, connected,
synchronized, bucket, big, and teardown (FIN_WAIT1 FIN_WAIT2 CLOSING TIME_WAIT
CLOSE_WAIT LAST_ACK). ss's words work too: sk-states -tan, state time-wait,
exclude listening.

Findings: after the counts, what looks wrong, with evidence and next checks.
Rules: close_wait time_wait port_exhaustion fin_wait2 fin_wait1 last_ack closing
syn_recv syn_sent accept_queue orphans tcp_memory (sk-explain rules).

Exit status: 0 success; with a filter, 0 if it matched a socket and 1 if none;
2 on error. With --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

Examples:
  sk-states                                   counts by state, then findings
  sk-states -a --family-split                 every state, IPv4 and IPv6 apart
  sk-states --state time-wait --by raddr --top 10   who holds my TIME_WAIT?
  sk-states --state close-wait --by process   which program leaks CLOSE_WAIT?
  sk-states -q --state close-wait --dport 5432 && echo leak
  sk-states --list --state established -e -p  the sockets, with RTT and owner
  sk-states --threshold close_wait=10:100     findings fire earlier
  sk-states --check --warn close_wait=100 --crit close_wait=500   Nagios
  sk-states --format prom > /var/lib/node_exporter/sockkit.prom
  sk-states --watch 1                         redraw every second, with rates
  sk-states --netns blue -t -u -j             TCP and UDP inside namespace blue
  sk-states --all-netns --sort close-wait     which container holds the CLOSE_WAIT?
  sk-states --all-netns --state close-wait --by netns,lport   ... and on which port
)";

void add_options(CLI::App& app, sk_states::Options& o) {
  app.add_flag("-t,--tcp", o.tcp, "TCP sockets (the default)");
  app.add_flag("-u,--udp", o.udp, "UDP sockets; with -t both");
  sockkit::cli::add_family_flags(app, o.ipv4, o.ipv6);
  app.add_option("--source", o.source, "netlink (default, /proc if refused) or proc")
      ->type_name("SRC");
  sockkit::cli::add_netns_option(app, o.netns);
  app.add_flag("--all-netns", o.all_netns,
               "Every network namespace of the host (containers, pods), one row each");
  app.add_option("--sort", o.sort, "With --all-netns: order namespaces by total or by a STATE")
      ->type_name("KEY");
  // A bare -s is ss's summary: take no list then, so that the error can say so.
  app.add_option("-s,--state", o.states, "States or groups, comma separated (see below)")
      ->type_name("LIST")
      ->expected(0, 1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  app.add_option("filter", o.state_words,
                 "ss's state filter: state STATE or exclude STATE, repeatable")
      ->type_name("WORD");
  app.add_flag("-l,--listening", o.listening, "Listening sockets only (UDP: unconnected)");
  app.add_option("--sport", o.sport, "Local ports: 22, 22,80 or 8000-8100")->type_name("PORTS");
  app.add_option("--dport", o.dport, "Remote ports, as --sport")->type_name("PORTS");
  app.add_option("--src", o.src, "Local address or CIDR block, repeatable")
      ->type_name("CIDR")
      ->allow_extra_args(false);
  app.add_option("--dst", o.dst, "Remote address or CIDR block, repeatable")
      ->type_name("CIDR")
      ->allow_extra_args(false);
  app.add_flag("-a,--all", o.all, "Also show states whose count is 0");
  app.add_flag("-n,--numeric", o.numeric, "Accepted for ss users: numbers are never resolved");
  sk_states::add_ss_flags(app, o.ss_flags);
  app.add_flag("--family-split", o.family_split, "IPv4 and IPv6 counts side by side");
  sockkit::cli::add_output_options(app, o.output,
                                   {Format::text, Format::json, Format::csv, Format::prom});
  app.add_option("--by", o.by,
                 "Count by state, lport, rport, laddr, raddr, process, netns (comma separated)")
      ->type_name("KEYS");
  app.add_option("--top", o.top, "With --by: the N largest groups; with --all-netns: namespaces")
      ->type_name("N");
  app.add_flag("--list", o.list, "One matching socket per line");
  app.add_flag("-e,--extended", o.extended,
               "With --list: RTT, cwnd, retransmits, bytes (TCP_INFO)");
  app.add_flag("-q,--quiet", o.quiet, "Print nothing; only the exit status");
  app.add_option("-w,--watch", o.watch_interval,
                 "Sample every TIME (seconds, or 500ms, 1m; default 2)")
      ->type_name("[TIME]")
      ->expected(0, 1);
  app.add_option("-c,--count", o.count, "With --watch: stop after N samples")->type_name("N");
  app.add_flag("-p,--processes", o.processes,
               "Name the processes holding the sockets (--list, --by process, findings)");
  app.add_option("--threshold", o.thresholds, "Finding levels: RULE=WARN[:CRIT] or RULE=off")
      ->type_name("LIST")
      ->allow_extra_args(false);
  app.add_flag("--no-findings", o.no_findings, "Counts only: no diagnosis");
  app.add_flag("--check", o.check, "Nagios plugin: one status line, exit 0/1/2/3");
  app.add_option("--warn", o.warn, "With --check: NAME=N, NAME a rule or a state")
      ->type_name("LIST")
      ->allow_extra_args(false);
  app.add_option("--crit", o.crit, "With --check: NAME=N, as --warn")
      ->type_name("LIST")
      ->allow_extra_args(false);
}

void warn_about_source(const sk_states::Sample& sample) {
  const auto& report = sample.report;
  if (!report.fallback_reason.empty()) {
    sockkit::cli::print_warning("sk-states",
                                fmt::format("{}; read /proc/net instead", report.fallback_reason));
  }
  if (!report.complete) {
    sockkit::cli::print_warning(
        "sk-states", fmt::format("the socket tables changed during each of {} dumps; the counts "
                                 "are from the last one and may be off by that churn",
                                 report.restarts + 1));
  }
}

std::vector<std::uint32_t> inodes_of(const std::vector<sk_states::ListedSocket>& sockets) {
  std::vector<std::uint32_t> inodes;
  inodes.reserve(sockets.size());
  for (const auto& s : sockets) inodes.push_back(s.record.inode);
  return inodes;
}

std::string list_sockets(const sk_states::Query& query, sk_states::Sample& sample,
                         const sk_states::RenderContext& context) {
  std::vector<sk_states::ListedSocket> sockets;
  sample = sk_states::take_list(query, sockets);
  std::optional<sockkit::ProcessMap> owners;
  if (query.processes) owners = sk_states::scan_owners(inodes_of(sockets));
  if (query.quiet) return {};
  return sk_states::render_list(query, sample, sockets, owners ? &*owners : nullptr, context);
}

std::string group_sockets(const sk_states::Query& query, sk_states::Sample& sample,
                          const sk_states::RenderContext& context) {
  sockkit::GroupCounter groups(query.group_keys);
  std::optional<sockkit::ProcessMap> owners;
  if (query.processes) {
    sample = sk_states::take_groups_by_owner(query, groups, owners.emplace());
  } else {
    sample = sk_states::take_census(query, &groups);
  }
  if (query.quiet) return {};
  return sk_states::render_groups(query, sample, groups.rows(query.top),
                                  owners ? &*owners : nullptr, context);
}

// What the renderers need to know about this terminal and this kernel, asked once.
sk_states::RenderContext render_context(const sk_states::Query& query) {
  sk_states::RenderContext context;
  context.paint = sockkit::Painter(sockkit::color_enabled(query.color, STDOUT_FILENO));
  context.width = sockkit::cli::output_width();
  if (auto page = ::sysconf(_SC_PAGESIZE); page > 0) {
    context.page_bytes = static_cast<std::uint64_t>(page);
  }
  return context;
}

int exit_for(const sk_states::Query& query, const sockkit::Census& census) {
  bool matched = census.total() > 0;
  return query.filtered && !matched ? sockkit::cli::exit_negative : sockkit::cli::exit_ok;
}

// --all-netns: the same modes, every namespace of the host from worker threads.
int run_all_netns(const sk_states::Query& query) {
  sk_states::NetnsSampler sampler(query);
  auto context = render_context(query);
  if (query.watch_seconds) return sk_states::run_watch_netns(query, sampler, context);
  std::string text;
  std::optional<sk_states::NetnsRun> run;
  if (query.mode == Mode::list) {
    std::vector<sk_states::ListedSocket> sockets;
    run = sampler.take_list(query, sockets);
    std::optional<sockkit::ProcessMap> owners;
    if (query.processes) owners = sk_states::scan_owners(inodes_of(sockets));
    if (!query.quiet) {
      text =
          sk_states::render_list(query, run->total, sockets, owners ? &*owners : nullptr, context);
    }
  } else if (query.mode == Mode::groups) {
    sockkit::GroupCounter groups(query.group_keys);
    std::optional<sockkit::ProcessMap> owners;
    run = sampler.take_groups(query, groups, owners);
    if (!query.quiet) {
      text = sk_states::render_groups(query, run->total, groups.rows(query.top),
                                      owners ? &*owners : nullptr, context);
    }
  } else {
    run = sampler.take_counts(query);
    if (query.check) {
      auto result = sk_states::check_netns(query, *run);
      sockkit::cli::write_out(result.line);
      return result.code;
    }
    if (!query.quiet) text = sk_states::render_netns_counts(query, *run, context);
  }
  sk_states::warn_about_walk(*run);
  warn_about_source(run->total);
  sockkit::cli::write_out(text);
  return exit_for(query, run->total.census);
}

int run(const sk_states::Options& options, bool watch) {
  auto opts = options;
  opts.watch = watch;
  auto query = sk_states::make_query(opts);
  if (query.all_netns) return run_all_netns(query);
  // Host-wide limits are visible only from the initial namespace: read them first.
  std::optional<sk_states::Diagnoser> diagnoser;
  if (query.findings) diagnoser.emplace();
  if (!query.netns.empty()) sockkit::enter_netns(query.netns);
  auto context = render_context(query);
  if (query.watch_seconds) return sk_states::run_watch(query, diagnoser, context);

  sk_states::Sample sample;
  std::string text;
  if (query.mode == Mode::list) {
    text = list_sockets(query, sample, context);
  } else if (query.mode == Mode::groups) {
    text = group_sockets(query, sample, context);
  } else {
    sample = diagnoser ? diagnoser->take(query) : sk_states::take_census(query, nullptr);
    if (query.check) {
      auto result = sk_states::check_result(query, sample);
      warn_about_source(sample);
      sockkit::cli::write_out(result.line);
      return result.code;
    }
    if (!query.quiet) text = sk_states::render_counts(query, sample, context);
  }
  warn_about_source(sample);
  sockkit::cli::write_out(text);
  return exit_for(query, sample.census);
}

}  // namespace

int main(int argc, char** argv) {
  if (auto code = sockkit::cli::version_only("sk-states", argc, argv)) return *code;
  sk_states::Options options;
  CLI::App app(
      "Count the TCP (and UDP) sockets of this host by state, filter them in the "
      "kernel, group them, list them, or watch them change.",
      "sk-states");
  add_options(app, options);
  app.footer(kFooter);
  auto body = [&] {
    options.state_without_list = app.count("--state") > options.states.size() ||
                                 std::any_of(options.states.begin(), options.states.end(),
                                             [](const std::string& list) { return list.empty(); });
    return run(options, app.count("--watch") > 0);
  };
  return sockkit::cli::run_checkable("sk-states", "SK-STATES", app, argc, argv, body);
}
