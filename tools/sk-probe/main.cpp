// sk-probe: is it open? TCP connect and UDP probes over many hosts and ports at once,
// with each answer named (open, closed, filtered, unreachable) and an exit status a
// script can use.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "options.hpp"
#include "report.hpp"
#include "sockkit/cli.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/netns.hpp"
#include "sockkit/probe_targets.hpp"
#include "sockkit/signal_watch.hpp"
#include "sockkit/top_ports.hpp"
#include "wait.hpp"

namespace {

constexpr const char* kFooter = R"(
States: open (a connection or a reply), closed (a reset, or ICMP port unreachable),
filtered (no answer; UDP: another ICMP unreachable), unreachable (an ICMP error or a
local firewall, the reason named), error (a local failure), open|filtered (UDP
silence: nothing proves the port open).

Exit status: 0 every probed port is open; 1 any is not (or a name did not resolve);
2 usage or runtime error. `sk-probe -q HOST:PORT` is a drop-in for `nc -z`.

Examples:
  sk-probe db:5432                        one port: a row and a summary
  sk-probe -q redis:6379 && echo up       nc -z: the exit status answers
  sk-probe 127.0.0.1 22,80                nc's order: HOST PORTS
  sk-probe web                            no port: the built-in top 316 ports
  sk-probe 10.0.0.0/24 -p 22,80,443       a subnet, three ports
  sk-probe 127.0.0.1 -p-                  all 65,535 ports
  sk-probe scanme.lan --top-ports 100 -b  the 100 most common ports, with banners
  sk-probe -u 10.0.0.1 -p 53,123,161      UDP: a real request for DNS, NTP, SNMP
  sk-probe --wait 30s db:5432 && start    wait until the database listens
  cat targets.txt | sk-probe - -j         host:port lines in, JSON lines out
)";

// Descriptors kept for everything but probes (stdio, epoll, resolver, signalfd): 64,
// or a quarter of a small limit, so `ulimit -n 64` still scans, only slower.
std::uint64_t descriptor_reserve(std::uint64_t limit) {
  return std::clamp<std::uint64_t>(limit / 4, 8, 64);
}

// The default for --parallel: as many sockets as the descriptor limit allows once
// raised to the hard limit, leaving room for everything else the process holds.
unsigned default_parallel() {
  constexpr std::uint64_t kCap = 16384;
  auto limit = sockkit::raise_descriptor_limit(kCap + 64);
  auto reserve = descriptor_reserve(limit);
  return static_cast<unsigned>(
      std::clamp<std::uint64_t>(limit > reserve ? limit - reserve : 1, 1, kCap));
}

std::vector<sockkit::TargetSpec> read_all_targets(const sk_probe::Settings& s) {
  std::vector<sockkit::TargetSpec> specs;
  for (const auto& text : s.target_args) {
    if (text == "-") {
      auto more = sockkit::read_targets(STDIN_FILENO, "stdin");
      specs.insert(specs.end(), more.begin(), more.end());
    } else {
      specs.push_back(sockkit::parse_target(text));
    }
  }
  for (const auto& path : s.files) {
    sockkit::Fd fd = sockkit::open_file(path.c_str(), O_RDONLY);
    auto more = sockkit::read_targets(fd.get(), path);
    specs.insert(specs.end(), more.begin(), more.end());
  }
  return specs;
}

// Targets without a port of their own take the port list; when none was given, the
// whole built-in list of top ports, as nmap scans its top ports when given none.
void default_ports(const std::vector<sockkit::TargetSpec>& specs, sk_probe::Settings& s) {
  if (s.ports_given) return;
  bool needed =
      std::any_of(specs.begin(), specs.end(), [](const auto& spec) { return !spec.port; });
  if (!needed) return;
  auto size = sk_probe::builtin_top_ports(s.plan.udp);
  s.plan.ports = sockkit::top_ports(size, s.plan.udp);
  s.report.top_ports = size;
}

// A target with its own port, given with a port list too: both are probed, its own
// port and the list's, so neither is dropped without a word.
std::vector<sockkit::TargetSpec> with_port_list(std::vector<sockkit::TargetSpec> specs,
                                                const sk_probe::Settings& s) {
  if (!s.ports_given) return specs;
  std::vector<sockkit::TargetSpec> out;
  out.reserve(specs.size());
  for (auto& spec : specs) {
    if (spec.port && !s.plan.ports.contains(*spec.port)) out.push_back(spec);
    spec.port.reset();
    out.push_back(std::move(spec));
  }
  return out;
}

// A source address of the other family would fail every probe: refused up front.
void check_source_family(const sk_probe::ScanPlan& plan) {
  if (!plan.source) return;
  for (const auto& host : plan.hosts)
    sockkit::check_source_family(*plan.source, host.address, host.name);
}

// With --wait, a name that does not resolve yet (a container whose DNS entry appears
// when it starts) is looked up again every quarter second until the time is up.
std::vector<sockkit::ProbeHost> resolve_hosts(const std::vector<sockkit::TargetSpec>& specs,
                                              const sockkit::ExpandOptions& expand,
                                              std::optional<sk_probe::Millis> wait) {
  auto deadline = std::chrono::steady_clock::now() + wait.value_or(sk_probe::Millis(0));
  for (;;) {
    auto hosts = sockkit::expand_targets(specs, expand);
    bool all_resolved = std::all_of(hosts.begin(), hosts.end(),
                                    [](const auto& host) { return host.error.empty(); });
    auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
    if (all_resolved || !wait || next >= deadline) return hosts;
    std::this_thread::sleep_until(next);
  }
}

int run(const sk_probe::Options& options) {
  auto settings = sk_probe::settings_of(options);
  auto specs = with_port_list(read_all_targets(settings), settings);
  if (specs.empty()) throw sockkit::InputError("no target: the input held none");
  default_ports(specs, settings);
  if (!settings.netns.empty()) sockkit::enter_netns(settings.netns);
  auto& plan = settings.plan;
  if (plan.parallel == 0) plan.parallel = default_parallel();
  auto limit = sockkit::raise_descriptor_limit(plan.parallel + 64ULL);
  auto needed = plan.parallel + descriptor_reserve(limit);
  if (limit < needed) {
    throw sockkit::InputError(fmt::format(
        "--parallel {} needs {} descriptors, but this process may open at most {} (ulimit -Hn)",
        plan.parallel, needed, limit));
  }

  sockkit::ExpandOptions expand;
  expand.version = settings.version;
  expand.max_hosts = settings.max_hosts;
  auto started = std::chrono::steady_clock::now();
  auto hosts = resolve_hosts(specs, expand, settings.wait);
  if (settings.wait) {
    auto spent =
        std::chrono::duration_cast<sk_probe::Millis>(std::chrono::steady_clock::now() - started);
    settings.wait = std::max(sk_probe::Millis(1), *settings.wait - spent);
  }
  std::vector<sockkit::ProbeHost> unresolved;
  for (auto& host : hosts) {
    if (host.error.empty()) {
      plan.hosts.push_back(std::move(host));
    } else {
      unresolved.push_back(std::move(host));
    }
  }
  check_source_family(plan);
  sockkit::block_stop_signals();  // the scan reads them from its event loop
  plan.progress = !settings.report.quiet && !settings.wait;
  sk_probe::Report report(plan, settings.report);
  for (const auto& host : unresolved) report.unresolved(host);
  auto totals = settings.wait ? sk_probe::run_wait(plan, *settings.wait, report)
                              : sk_probe::run_scan(plan, [&] { return report.sink(); });
  report.finish(totals);
  auto open = totals.states[static_cast<std::size_t>(sk_probe::State::open)];
  bool all_open = unresolved.empty() && totals.probes > 0 && open == totals.probes &&
                  totals.probes == plan.probe_count();
  return all_open ? sockkit::cli::exit_ok : sockkit::cli::exit_negative;
}

}  // namespace

int main(int argc, char** argv) {
  if (auto code = sockkit::cli::version_only("sk-probe", argc, argv)) return *code;
  sk_probe::Options options;
  CLI::App app(
      "Is it open? TCP connect and UDP probes over many hosts and ports at once, each "
      "answer named and timed.",
      "sk-probe");
  sk_probe::add_options(app, options);
  app.footer(kFooter);
  return sockkit::cli::run("sk-probe", app, argc, argv, [&] { return run(options); });
}
