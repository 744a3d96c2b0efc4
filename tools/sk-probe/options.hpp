// The command line as CLI11 fills it, and its checked conversion into a scan: every
// mistake is refused here, before anything is sent.
#pragma once

#include <string>
#include <vector>

#include "probe.hpp"
#include "report.hpp"
#include "sockkit/cli_fwd.hpp"
#include "sockkit/console.hpp"

namespace sk_probe {

struct Options {
  std::vector<std::string> targets;
  std::vector<std::string> files;
  std::string ports;
  std::size_t top_ports = 0;
  bool udp = false;
  bool tcp = false;
  std::string timeout = "1";
  unsigned retries = 1;
  unsigned parallel = 0;  // 0: sized from the descriptor limit
  double rate = 0;
  std::string source;
  std::string close = "rst";
  bool banner = false;
  std::string banner_wait = "1";
  std::string wait;
  std::size_t max_hosts = 65536;
  bool all = false;
  bool quiet = false;
  bool ipv4 = false;
  bool ipv6 = false;
  std::string netns;
  sockkit::cli::OutputOptions output;
  CLI::Option* top_ports_option = nullptr;
  CLI::Option* parallel_option = nullptr;
  CLI::Option* banner_wait_option = nullptr;
};

void add_options(CLI::App& app, Options& options);

// Everything but the hosts, which need the targets read and resolved.
struct Settings {
  ScanPlan plan;  // hosts left empty
  bool ports_given = false;
  std::vector<std::string> target_args;
  std::vector<std::string> files;
  sockkit::IpVersion version = sockkit::IpVersion::any;
  std::size_t max_hosts = 65536;
  std::optional<Millis> wait;
  ReportOptions report;
  std::string netns;
};

// How many ports the built-in top list holds (what a scan with no ports probes).
[[nodiscard]] std::size_t builtin_top_ports(bool udp);

[[nodiscard]] Settings settings_of(const Options& options);

}  // namespace sk_probe
