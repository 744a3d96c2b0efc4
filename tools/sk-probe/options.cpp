#include "options.hpp"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "sockkit/cli.hpp"
#include "sockkit/color.hpp"
#include "sockkit/common_options.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/top_ports.hpp"

namespace sk_probe {

using sockkit::InputError;

void add_options(CLI::App& app, Options& o) {
  app.add_option("target", o.targets,
                 "HOST, HOST:PORT, [V6]:PORT, CIDR, - (stdin); HOST PORTS as nc")
      ->type_name("TARGET");
  app.add_option("--file", o.files, "Read targets from FILE (whitespace-separated, # comments)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option("-p,--ports", o.ports, "Ports: 22,80,8000-8100, or - for all 65,535")
      ->type_name("PORTS");
  o.top_ports_option =
      app.add_option("--top-ports", o.top_ports, "The N most commonly open ports (built-in list)")
          ->type_name("N");
  app.add_flag("-u,--udp", o.udp, "UDP probes instead of TCP connects");
  app.add_flag("-t,--tcp", o.tcp, "TCP connects (the default)");
  app.add_option("-w,--timeout", o.timeout,
                 "Longest wait for one attempt, TIME (default 1; adapts below it)")
      ->type_name("TIME");
  app.add_option("--retries", o.retries, "Attempts again after silence, N times (default 1)")
      ->type_name("N");
  o.parallel_option =
      app.add_option("--parallel", o.parallel, "Probes in flight at once (default: from ulimit -n)")
          ->type_name("N");
  app.add_option("--rate", o.rate, "At most PER_SECOND attempts per second")
      ->type_name("PER_SECOND");
  sockkit::cli::add_source_option(app, o.source);
  app.add_option("--close", o.close, "Close open connections with rst (default) or fin")
      ->type_name("rst|fin");
  app.add_flag("-b,--banner", o.banner, "Read what open TCP services send first");
  o.banner_wait_option = app.add_option("--banner-wait", o.banner_wait,
                                        "How long to wait for a banner, TIME (default 1)")
                             ->type_name("TIME");
  app.add_option("--wait", o.wait,
                 "Probe again until every target is open, for up to TIME (30, 30s, 500ms, 2m, 1h)")
      ->type_name("TIME");
  app.add_option("--max-hosts", o.max_hosts, "Refuse more than N addresses (default 65,536)")
      ->type_name("N");
  app.add_flag("-a,--all", o.all, "Text: show every result, not only open ports");
  app.add_flag("-q,--quiet", o.quiet, "Print nothing; the exit status answers");
  sockkit::cli::add_family_flags(app, o.ipv4, o.ipv6);
  sockkit::cli::add_netns_option(app, o.netns);
  using sockkit::cli::Format;
  sockkit::cli::add_output_options(app, o.output,
                                   {Format::text, Format::json, Format::csv, Format::grep});
}

namespace {

using namespace std::chrono_literals;

Millis time_option(std::string_view option, std::string_view text, sockkit::Nanoseconds max) {
  return sockkit::cli::duration_option<Millis>(option, text, {1ms, max});
}

}  // namespace

std::size_t builtin_top_ports(bool udp) {
  return (udp ? sockkit::top_udp_ports() : sockkit::top_tcp_ports()).size();
}

namespace {

// nc's order, `sk-probe HOST PORTS`: after at least one target, a last word made of
// digits, commas and dashes only is the port list (a host is never written so).
bool ends_with_ports(const Options& o) {
  if (o.targets.empty() || (o.targets.size() == 1 && o.files.empty())) return false;
  const auto& word = o.targets.back();
  return word != "-" && word.find_first_of("0123456789") != std::string::npos &&
         word.find_first_not_of("0123456789,-") == std::string::npos;
}

// More than the list holds is the whole list, as a scanner's "top N" would be.
std::size_t top_count(const Options& o) {
  auto size = builtin_top_ports(o.udp);
  if (o.top_ports <= size) return o.top_ports;
  sockkit::cli::print_warning(
      "sk-probe", fmt::format("--top-ports {}: the built-in list has {} {} ports; scanning all {}",
                              o.top_ports, size, o.udp ? "UDP" : "TCP", size));
  return size;
}

void ports_of(const Options& o, Settings& s) {
  std::string ports = o.ports;
  if (ends_with_ports(o)) {
    const auto& word = o.targets.back();
    if (!ports.empty() || o.top_ports_option->count() > 0) {
      throw InputError(fmt::format("ports given twice: \"{}\" after the targets, and {}", word,
                                   ports.empty() ? "--top-ports" : "-p " + ports));
    }
    ports = word;
    s.target_args.pop_back();
  }
  if (!ports.empty() && o.top_ports_option->count() > 0) {
    throw InputError("give -p or --top-ports, not both");
  }
  if (!ports.empty()) {
    s.plan.ports = ports == "-" ? sockkit::PortSet::all() : sockkit::PortSet::parse(ports);
    s.ports_given = true;
  } else if (o.top_ports_option->count() > 0) {
    auto n = top_count(o);
    s.plan.ports = sockkit::top_ports(n, o.udp);
    s.ports_given = true;
    s.report.top_ports = n;
  }
}

}  // namespace

Settings settings_of(const Options& o) {
  Settings s;
  s.version = sockkit::cli::ip_version_of(o.ipv4, o.ipv6);
  if (o.udp && o.tcp) throw InputError("give -t or -u, not both: a scan is TCP or UDP");
  s.target_args = o.targets;
  ports_of(o, s);
  auto& p = s.plan;
  p.udp = o.udp;
  p.timeout = time_option("--timeout", o.timeout, 1h);
  if (o.retries > 10) {
    throw InputError(fmt::format("invalid --retries {}: expected 0 to 10", o.retries));
  }
  p.retries = o.retries;
  if (o.parallel_option->count() > 0 && (o.parallel < 1 || o.parallel > 100000)) {
    throw InputError(fmt::format("invalid --parallel {}: expected 1 to 100000", o.parallel));
  }
  p.parallel = o.parallel;
  if (!std::isfinite(o.rate) || o.rate < 0 || o.rate > 1e7) {
    throw InputError(fmt::format("invalid --rate {}: expected 0 (no limit) to 1e7", o.rate));
  }
  p.rate = o.rate;
  p.source = sockkit::cli::source_address_of(o.source);
  if (o.close != "rst" && o.close != "fin") {
    throw InputError(fmt::format("invalid --close \"{}\": use rst or fin", o.close));
  }
  p.close = o.close == "fin" ? CloseMode::fin : CloseMode::rst;
  p.banner = o.banner;
  if (p.banner && p.udp) throw InputError("--banner is for TCP; UDP replies are shown anyway");
  if (o.banner_wait_option->count() > 0 && !o.banner) {
    throw InputError("--banner-wait needs -b/--banner");
  }
  p.banner_wait = time_option("--banner-wait", o.banner_wait, 1h);
  if (!o.wait.empty()) s.wait = time_option("--wait", o.wait, 24h);
  if (o.max_hosts < 1) throw InputError("invalid --max-hosts 0: expected 1 or more");
  s.max_hosts = o.max_hosts;
  s.report.format = o.output.resolved_format();
  s.report.all = o.all;
  s.report.quiet = o.quiet;
  s.report.paint =
      sockkit::Painter(s.report.format == OutputFormat::text &&
                       sockkit::color_enabled(o.output.resolved_color(), STDOUT_FILENO));
  s.netns = sockkit::cli::checked_netns(o.netns);
  s.files = o.files;
  if (s.target_args.empty() && s.files.empty()) {
    throw InputError("no target: give HOST:PORT, HOST with -p, a CIDR block, - or --file");
  }
  return s;
}

}  // namespace sk_probe
