#include "options.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/cli.hpp"
#include "sockkit/color.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/netns.hpp"
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
                 "Longest wait for one attempt, SECONDS (default 1; adapts below it)")
      ->type_name("SECONDS");
  app.add_option("--retries", o.retries, "Attempts again after silence, N times (default 1)")
      ->type_name("N");
  o.parallel_option =
      app.add_option("--parallel", o.parallel, "Probes in flight at once (default: from ulimit -n)")
          ->type_name("N");
  app.add_option("--rate", o.rate, "At most PER_SECOND attempts per second")
      ->type_name("PER_SECOND");
  app.add_option("-s,--source", o.source, "Send from ADDR[:PORT]")->type_name("ADDR[:PORT]");
  app.add_option("--close", o.close, "Close open connections with rst (default) or fin")
      ->type_name("rst|fin");
  app.add_flag("-b,--banner", o.banner, "Read what open TCP services send first");
  o.banner_wait_option =
      app.add_option("--banner-wait", o.banner_wait, "How long to wait for a banner (default 1)")
          ->type_name("SECONDS");
  app.add_option("--wait", o.wait,
                 "Probe again until every target is open, for up to TIME (30, 30s, 500ms, 2m, 1h)")
      ->type_name("TIME");
  app.add_option("--max-hosts", o.max_hosts, "Refuse more than N addresses (default 65,536)")
      ->type_name("N");
  app.add_flag("-a,--all", o.all, "Text: show every result, not only open ports");
  app.add_flag("-q,--quiet", o.quiet, "Print nothing; the exit status answers");
  app.add_flag("-4,--ipv4", o.ipv4, "IPv4 only");
  app.add_flag("-6,--ipv6", o.ipv6, "IPv6 only");
  sockkit::cli::add_netns_option(app, o.netns);
  app.add_option("-f,--format", o.format, "Output: text, json, csv or grep")->type_name("FORMAT");
  app.add_flag("-j,--json", o.json, "Same as --format json");
  app.add_option("--color", o.color, "Colour: auto, always or never")->type_name("WHEN");
}

Millis parse_duration(const std::string& option, const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  if (unit == "ms") scale = 1;
  if (unit == "m") scale = 60000;
  if (unit == "h") scale = 3600000;
  if (ec != std::errc() || scale == 0 || !std::isfinite(value) || value <= 0 ||
      value * scale > 86400000.0) {
    throw InputError(fmt::format(
        "invalid {} \"{}\": expected a time such as 30, 30s, 500ms or 2m (at most a day)", option,
        text));
  }
  return Millis(std::max<std::int64_t>(1, std::llround(value * scale)));
}

namespace {

Millis seconds_option(const std::string& option, double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw InputError(
        fmt::format("invalid {} {}: expected more than 0 to 3600 seconds", option, seconds));
  }
  return Millis(std::max<std::int64_t>(1, std::llround(seconds * 1000)));
}

OutputFormat format_of(const Options& o) {
  if (o.json) return OutputFormat::json;
  if (o.format == "text") return OutputFormat::text;
  if (o.format == "json") return OutputFormat::json;
  if (o.format == "csv") return OutputFormat::csv;
  if (o.format == "grep") return OutputFormat::grep;
  throw InputError(fmt::format("invalid --format \"{}\": use text, json, csv or grep", o.format));
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
  if (o.ipv4 && o.ipv6) throw InputError("-4 and -6 contradict each other");
  s.version = o.ipv4   ? sockkit::IpVersion::v4
              : o.ipv6 ? sockkit::IpVersion::v6
                       : sockkit::IpVersion::any;
  if (o.udp && o.tcp) throw InputError("give -t or -u, not both: a scan is TCP or UDP");
  s.target_args = o.targets;
  ports_of(o, s);
  auto& p = s.plan;
  p.udp = o.udp;
  p.timeout = seconds_option("--timeout", o.timeout);
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
  p.source = sockkit::parse_source(o.source);
  if (o.close != "rst" && o.close != "fin") {
    throw InputError(fmt::format("invalid --close \"{}\": use rst or fin", o.close));
  }
  p.close = o.close == "fin" ? CloseMode::fin : CloseMode::rst;
  p.banner = o.banner;
  if (p.banner && p.udp) throw InputError("--banner is for TCP; UDP replies are shown anyway");
  if (o.banner_wait_option->count() > 0 && !o.banner) {
    throw InputError("--banner-wait needs -b/--banner");
  }
  p.banner_wait = seconds_option("--banner-wait", o.banner_wait);
  if (!o.wait.empty()) s.wait = parse_duration("--wait", o.wait);
  if (o.max_hosts < 1) throw InputError("invalid --max-hosts 0: expected 1 or more");
  s.max_hosts = o.max_hosts;
  s.report.format = format_of(o);
  s.report.all = o.all;
  s.report.quiet = o.quiet;
  s.report.paint =
      sockkit::Painter(s.report.format == OutputFormat::text &&
                       sockkit::color_enabled(sockkit::parse_color_mode(o.color), STDOUT_FILENO));
  if (!o.netns.empty()) sockkit::validate_netns_name(o.netns);
  s.netns = o.netns;
  s.files = o.files;
  if (s.target_args.empty() && s.files.empty()) {
    throw InputError("no target: give HOST:PORT, HOST with -p, a CIDR block, - or --file");
  }
  return s;
}

}  // namespace sk_probe
