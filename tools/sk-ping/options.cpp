#include "options.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/cli.hpp"
#include "sockkit/common_options.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"
#include "sockkit/ping_datagram.hpp"
#include "sockkit/ports.hpp"

namespace sk_ping {

using sockkit::InputError;

void add_options(CLI::App& app, Options& o) {
  app.add_option("target", o.target, "HOST, HOST:PORT or [V6]:PORT")->type_name("TARGET");
  app.add_option("port", o.port_word, "The port as a word of its own (HOST PORT, as tcping)")
      ->type_name("PORT");
  o.port_option =
      app.add_option("-p,--port", o.port, "Port when the target names none (80; 7 for -u)")
          ->type_name("PORT");
  o.count_option = app.add_option("-c,--count", o.count, "Stop after N attempts")->type_name("N");
  app.add_option("-i,--interval", o.interval,
                 "Pause between attempts, TIME (default 1; down to 1ms)")
      ->type_name("TIME");
  o.deadline_option =
      app.add_option("-w,--deadline", o.deadline, "Stop after TIME, whatever the count")
          ->type_name("TIME");
  app.add_option("-W,--timeout", o.timeout, "Wait for one attempt, TIME (default 4)")
      ->type_name("TIME");
  sockkit::cli::add_family_flags(app, o.ipv4, o.ipv6);
  sockkit::cli::add_source_option(app, o.source);
  app.add_flag("--resolve-each", o.resolve_each, "Look the name up again before every attempt");
  app.add_flag("--close", o.close, "Also time the four-way close: our FIN to the peer's FIN");
  o.send_option = app.add_option("--send", o.send, "After connecting, send DATA (\\r \\n \\xHH)")
                      ->type_name("DATA");
  o.expect_option =
      app.add_option("--expect", o.expect, "The answer (or banner) must contain PATTERN")
          ->type_name("PATTERN");
  app.add_flag("-u,--udp", o.udp, "UDP echo ping: loss, duplicates and reordering");
  o.size_option =
      app.add_option("--size", o.size, "UDP datagram size, BYTES (default 64)")->type_name("BYTES");
  app.add_flag("--histogram", o.histogram, "Draw a histogram of the times after the summary");
  app.add_flag("-D,--timestamp", o.timestamp, "Start each line with the Unix time");
  app.add_flag("-q,--quiet", o.quiet, "Print only the first line and the summary");
  sockkit::cli::add_netns_option(app, o.netns);
  sockkit::cli::add_format_options(app, o.output, {Format::text, Format::json, Format::prom});
  app.add_flag("--check", o.check, "Nagios plugin: one status line, exit 0/1/2/3");
  app.add_option("--warn", o.warn, "--check: WARNING at an average of MS (and LOSS% lost)")
      ->type_name("MS[,LOSS%]");
  app.add_option("--crit", o.crit, "--check: CRITICAL at an average of MS (and LOSS% lost)")
      ->type_name("MS[,LOSS%]");
}

namespace {

using namespace std::chrono_literals;

Nanos time_option(std::string_view option, std::string_view text, sockkit::Nanoseconds max) {
  return sockkit::cli::duration_option<Nanos>(option, text, {1ms, max});
}

// The port from the word after the host (tcping's "HOST PORT"), which must not
// contradict a port given another way.
std::optional<std::uint16_t> port_word_of(const Options& o, const sockkit::HostPort& hp) {
  if (o.port_word.empty()) return std::nullopt;
  if (hp.port) {
    throw InputError(fmt::format("\"{}\" names port {}, and \"{}\" is another port: give one",
                                 o.target, *hp.port, o.port_word));
  }
  if (o.port_option->count() > 0) {
    throw InputError(
        fmt::format("-p {} and \"{}\" both name the port: give one", o.port, o.port_word));
  }
  return sockkit::parse_port(o.port_word);
}

void target_of(const Options& o, Plan& p) {
  if (o.target.empty()) throw InputError("no target: give HOST:PORT, HOST PORT, or HOST with -p");
  auto hp = sockkit::parse_host_port(o.target);
  auto word = port_word_of(o, hp);
  if (hp.port && o.port_option->count() > 0) {
    throw InputError(fmt::format("\"{}\" names a port already: drop -p {}", o.target, o.port));
  }
  if (o.port_option->count() > 0 && (o.port < 1 || o.port > 65535)) {
    throw InputError(fmt::format("invalid --port {}: ports are 1-65535", o.port));
  }
  if (hp.port && *hp.port == 0) {
    throw InputError(fmt::format("invalid port 0 in \"{}\": ports are 1-65535", o.target));
  }
  p.target = o.target;
  p.host = hp.host;
  if (hp.port) {
    p.port = *hp.port;
  } else if (word) {
    p.port = *word;
  } else if (o.port_option->count() > 0) {
    p.port = static_cast<std::uint16_t>(o.port);
  } else {
    p.port = o.udp ? 7 : 80;
  }
}

void tcp_extras_of(const Options& o, Plan& p) {
  bool send = o.send_option->count() > 0;
  bool expect = o.expect_option->count() > 0;
  if (o.udp && (o.close || send || expect)) {
    throw InputError("--close, --send and --expect are for TCP; -u pings an echo service");
  }
  if (!o.udp && o.size_option->count() > 0) throw InputError("--size is for UDP (-u)");
  if (send) {
    p.send = sockkit::unescape(o.send, "--send");
    if (p.send->empty()) throw InputError("invalid --send \"\": give the bytes to send");
  }
  if (expect) {
    p.expect = sockkit::unescape(o.expect, "--expect");
    if (p.expect->empty()) throw InputError("invalid --expect \"\": give the text to look for");
    if (p.expect->size() > 4096) throw InputError("invalid --expect: at most 4096 bytes");
  }
  if (o.size < sockkit::kPingHeaderSize || o.size > 65507) {
    throw InputError(fmt::format("invalid --size {}: expected {} to 65507 bytes", o.size,
                                 sockkit::kPingHeaderSize));
  }
  p.close = o.close;
  p.size = o.size;
}

}  // namespace

Threshold parse_threshold(const std::string& option, const std::string& text) {
  Threshold t;
  auto bad = [&] {
    return InputError(
        fmt::format("invalid {} \"{}\": expected MS or MS,LOSS% (200 or 200,20%)", option, text));
  };
  auto comma = text.find(',');
  std::string_view rtt = std::string_view(text).substr(0, comma);
  double value = 0;
  auto [end, ec] = std::from_chars(rtt.data(), rtt.data() + rtt.size(), value);
  if (ec != std::errc() || end != rtt.data() + rtt.size() || !std::isfinite(value) || value < 0) {
    throw bad();
  }
  t.rtt_ms = value;
  if (comma == std::string::npos) return t;
  std::string_view loss = std::string_view(text).substr(comma + 1);
  if (!loss.empty() && loss.back() == '%') loss.remove_suffix(1);
  auto [lend, lec] = std::from_chars(loss.data(), loss.data() + loss.size(), value);
  if (lec != std::errc() || lend != loss.data() + loss.size() || loss.empty() ||
      !std::isfinite(value) || value < 0 || value > 100) {
    throw bad();
  }
  t.loss_pct = value;
  return t;
}

Settings settings_of(const Options& o) {
  Settings s;
  auto& p = s.plan;
  p.version = sockkit::cli::ip_version_of(o.ipv4, o.ipv6);
  p.udp = o.udp;
  target_of(o, p);
  tcp_extras_of(o, p);
  s.format = o.output.resolved_format();
  s.check = o.check;
  if (s.check && s.format != Format::text)
    throw InputError("--check prints its own line: drop --format");
  if (!s.check && (!o.warn.empty() || !o.crit.empty()))
    throw InputError("--warn and --crit need --check");
  if (!o.warn.empty()) s.warn = parse_threshold("--warn", o.warn);
  if (!o.crit.empty()) s.crit = parse_threshold("--crit", o.crit);
  if (o.count_option->count() > 0 && o.count == 0) {
    throw InputError("invalid --count 0: expected 1 or more (leave it out to run until Ctrl-C)");
  }
  p.count = o.count;
  p.interval = time_option("--interval", o.interval, 1h);
  p.timeout = time_option("--timeout", o.timeout, 1h);
  if (o.deadline_option->count() > 0) p.deadline = time_option("--deadline", o.deadline, 744h);
  // A monitoring run must end by itself: three attempts unless told otherwise.
  if ((s.check || s.format == Format::prom) && p.count == 0 && !p.deadline) p.count = 3;
  p.source = sockkit::cli::source_address_of(o.source);
  p.resolve_each = o.resolve_each;
  s.quiet = o.quiet;
  s.histogram = o.histogram;
  s.timestamp = o.timestamp;
  s.netns = sockkit::cli::checked_netns(o.netns);
  return s;
}

}  // namespace sk_ping
