#include "options.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/cli.hpp"
#include "sockkit/common_options.hpp"
#include "sockkit/error.hpp"

namespace sk_echo {

using sockkit::InputError;
using sockkit::cli::Format;

namespace {

void add_server_options(CLI::App& app, Options& o) {
  auto& s = o.server_only;
  s.push_back(app.add_option("-l,--listen", o.listen, "Serve on [ADDR:]PORT (loopback if no ADDR)")
                  ->type_name("[ADDR:]PORT")
                  ->allow_extra_args(false));
  s.push_back(app.add_option("--threads", o.threads, "Event loops, one per thread (SO_REUSEPORT)")
                  ->type_name("N"));
  s.push_back(app.add_option("--idle-timeout", o.idle_timeout,
                             "Close connections idle for TIME (seconds, or 500ms, 2m)")
                  ->type_name("TIME"));
  s.push_back(app.add_option("--max-connections", o.max_connections,
                             "Close new connections at once beyond N open ones")
                  ->type_name("N"));
  s.push_back(app.add_option("--max-bytes", o.max_bytes, "Close a connection after BYTES echoed")
                  ->type_name("BYTES"));
  s.push_back(app.add_option("--on-eof", o.on_eof,
                             "After the client's FIN: close (default), hold, rst, delay:TIME")
                  ->type_name("MODE"));
  s.push_back(app.add_flag("--close-first", o.close_first,
                           "Close right after the first echo (TIME_WAIT on the server)"));
  s.push_back(app.add_option("--udp-rate", o.udp_rate,
                             "Cap UDP replies per source address (default: 1000 beyond "
                             "loopback; 0: no cap)")
                  ->type_name("PER_SECOND"));
  s.push_back(app.add_flag("-v,--verbose", o.verbose, "Log every connection on stderr"));
}

void add_client_options(CLI::App& app, Options& o) {
  auto& c = o.client_only;
  c.push_back(app.add_option("target", o.target, "Client: the echo service, HOST:PORT")
                  ->type_name("HOST:PORT"));
  c.push_back(app.add_option("message", o.message, "Client: what to send; - reads stdin")
                  ->type_name("MESSAGE"));
  c.push_back(
      app.add_option("--size", o.size, "Client: send BYTES of generated data")->type_name("BYTES"));
  c.push_back(
      app.add_option("-w,--timeout", o.timeout,
                     "Client: give up after TIME (UDP: per try; load: per request; default 5)")
          ->type_name("TIME"));
  c.push_back(
      app.add_option("--retries", o.retries, "Client, UDP: send again N times")->type_name("N"));
  c.push_back(app.add_flag("--half-close", o.half_close,
                           "Client, TCP: send FIN after the payload, expect the server's EOF"));
}

void add_load_options(CLI::App& app, Options& o) {
  auto& l = o.load_only;
  l.push_back(
      app.add_option("-C,--connections", o.connections, "Load: keep N connections echoing at once")
          ->type_name("N"));
  o.requests_option =
      app.add_option("-n,--requests", o.requests, "Load: stop after N requests in all")
          ->type_name("N");
  o.duration_option = app.add_option("--duration", o.duration, "Load: run for TIME (default 10)")
                          ->type_name("TIME");
  o.rate_option =
      app.add_option("--rate", o.rate, "Load: start PER_SECOND requests on a schedule (open loop)")
          ->type_name("PER_SECOND");
  l.insert(l.end(), {o.requests_option, o.duration_option, o.rate_option});
  l.push_back(app.add_flag("--connect-rate", o.connect_rate,
                           "Load: open, echo once and close a connection per request")
                  ->disable_flag_override());
  o.client_only.insert(o.client_only.end(), l.begin(), l.end());
}

}  // namespace

void add_options(CLI::App& app, Options& o) {
  add_server_options(app, o);
  add_client_options(app, o);
  add_load_options(app, o);
  app.add_flag("-t,--tcp", o.tcp, "TCP (the default; a server given -t -u serves both)");
  app.add_flag("-u,--udp", o.udp, "UDP instead of TCP");
  sockkit::cli::add_family_flags(app, o.ipv4, o.ipv6);
  sockkit::cli::add_netns_option(app, o.netns);
  sockkit::cli::add_output_options(app, o.output, {Format::text, Format::json});
}

bool is_server(const Options& o) {
  return !o.listen.empty();
}

namespace {

// Options of the other mode are mistakes, not things to ignore quietly.
void reject_other_mode(const std::vector<CLI::Option*>& options, const char* why) {
  for (const CLI::Option* option : options) {
    if (option->count() == 0) continue;
    if (option->get_positional() && option->get_lnames().empty() && option->get_snames().empty()) {
      throw InputError(
          fmt::format("unexpected argument \"{}\": the server (-l) takes no HOST:PORT or MESSAGE",
                      option->results().front()));
    }
    throw InputError(fmt::format("{} {}", option->get_name(), why));
  }
}

sockkit::IpVersion version_of(const Options& o) {
  return sockkit::cli::ip_version_of(o.ipv4, o.ipv6);
}

bool loopback(const sockkit::SockAddress& address) {
  auto ip = address.ip().unmapped();
  auto bytes = ip.bytes();
  if (ip.is_v4()) return bytes[0] == 127;
  return ip == *sockkit::IpAddress::parse("::1");
}

// Anyone who can reach a UDP echo can make it send to an address they forge: beyond
// loopback the replies to one source are capped unless the user says otherwise.
double udp_rate_of(const Options& o, const ServerConfig& c) {
  constexpr double kExposedUdpRate = 1000;
  if (o.udp_rate > 1e9 || (o.udp_rate < 0 && o.udp_rate != -1)) {
    throw InputError(fmt::format("invalid --udp-rate {}: expected 0 (no cap) to 1e9", o.udp_rate));
  }
  if (o.udp_rate > 0 && !c.udp) throw InputError("--udp-rate needs -u/--udp");
  if (o.udp_rate >= 0) return o.udp_rate;
  bool exposed = std::any_of(c.listen.begin(), c.listen.end(),
                             [](const auto& address) { return !loopback(address); });
  return c.udp && exposed ? kExposedUdpRate : 0;
}

}  // namespace

ServerConfig server_config(const Options& o) {
  reject_other_mode(o.client_only, "is a client option; the server (-l) does not take it");
  ServerConfig c;
  auto version = version_of(o);
  c.udp = o.udp;
  c.tcp = o.tcp || !o.udp;
  for (const auto& spec : o.listen) c.listen.push_back(parse_listen(spec, version, !c.tcp));
  if (o.threads < 1 || o.threads > 256) {
    throw InputError(fmt::format("invalid --threads {}: expected 1 to 256", o.threads));
  }
  c.threads = o.threads;
  c.idle_timeout = parse_time("--idle-timeout", o.idle_timeout, true);
  c.max_connections = o.max_connections;
  if (!o.max_bytes.empty()) c.max_bytes = parse_bytes("--max-bytes", o.max_bytes);
  c.on_eof = parse_on_eof(o.on_eof);
  c.close_first = o.close_first;
  c.udp_rate = udp_rate_of(o, c);
  c.udp_rate_by_default = o.udp_rate < 0 && c.udp_rate > 0;
  c.verbose = o.verbose;
  c.format = o.output.resolved_format();
  c.netns = sockkit::cli::checked_netns(o.netns);
  return c;
}

namespace {

std::string read_stdin() {
  std::string data;
  std::array<char, 65536> buf{};
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n == 0) return data;
    if (n < 0) {
      if (errno == EINTR) continue;
      sockkit::throw_errno("cannot read standard input");
    }
    data.append(buf.data(), static_cast<std::size_t>(n));
  }
}

std::string payload_of(const Options& o) {
  if (!o.size.empty()) {
    if (!o.message.empty()) throw InputError("give MESSAGE or --size, not both");
    auto size = parse_bytes("--size", o.size);
    if (size == 0 || size > (1ULL << 30)) {
      throw InputError(fmt::format("invalid --size \"{}\": expected 1 to 1G bytes", o.size));
    }
    return generated_payload(static_cast<std::size_t>(size));
  }
  std::string payload = o.message == "-" ? read_stdin() : o.message;
  if (o.message.empty()) payload = generated_payload(64);
  if (payload.empty()) throw InputError("standard input gave nothing to send");
  return payload;
}

bool given(const std::vector<CLI::Option*>& options) {
  return std::any_of(options.begin(), options.end(),
                     [](const CLI::Option* option) { return option->count() > 0; });
}

LoadConfig load_config(const Options& o) {
  if (o.udp) throw InputError("load mode (-C, -n, --duration, --rate, --connect-rate) is TCP only");
  if (o.half_close) {
    throw InputError("--half-close checks one exchange; it does not go with load mode");
  }
  LoadConfig load;
  if (o.connections < 1 || o.connections > 1000000) {
    throw InputError(fmt::format("invalid --connections {}: expected 1 to 1000000", o.connections));
  }
  load.connections = static_cast<unsigned>(o.connections);
  bool by_count = o.requests_option->count() > 0;
  bool by_time = o.duration_option->count() > 0;
  if (by_count && by_time) throw InputError("give -n/--requests or --duration, not both");
  if (by_count && o.requests < 1) {
    throw InputError(fmt::format("invalid --requests {}: expected 1 or more", o.requests));
  }
  if (by_count) load.requests = static_cast<std::uint64_t>(o.requests);
  if (by_time) load.duration = parse_time("--duration", o.duration, false);
  if (o.rate_option->count() > 0 && (!std::isfinite(o.rate) || o.rate <= 0 || o.rate > 1e8)) {
    throw InputError(
        fmt::format("invalid --rate {}: expected more than 0 to 1e8 per second", o.rate));
  }
  load.rate = o.rate;
  load.connect_rate = o.connect_rate;
  return load;
}

}  // namespace

ClientConfig client_config(const Options& o) {
  reject_other_mode(o.server_only, "is a server option; it needs -l/--listen");
  if (o.target.empty()) throw InputError("give -l [ADDR:]PORT to serve, or HOST:PORT to send to");
  ClientConfig c;
  c.target = sockkit::parse_host_port(o.target);
  if (!c.target.port) {
    throw InputError(fmt::format("invalid target \"{}\": expected HOST:PORT", o.target));
  }
  c.version = version_of(o);
  if (o.tcp && o.udp) throw InputError("the client speaks TCP or UDP: give -t or -u, not both");
  c.udp = o.udp;
  c.timeout = parse_time("--timeout", o.timeout, false);
  if (o.retries > 100)
    throw InputError(fmt::format("invalid --retries {}: expected 0 to 100", o.retries));
  if (o.retries > 0 && !o.udp)
    throw InputError("--retries needs -u/--udp (TCP retransmits itself)");
  c.retries = o.retries;
  c.half_close = o.half_close;
  if (c.half_close && c.udp) throw InputError("--half-close is for TCP; UDP has no FIN");
  if (given(o.load_only)) c.load = load_config(o);
  c.format = o.output.resolved_format();
  c.netns = sockkit::cli::checked_netns(o.netns);
  c.payload = payload_of(o);  // last: it may read stdin
  constexpr std::size_t kMaxDatagram = 65507;
  if (c.udp && c.payload.size() > kMaxDatagram) {
    throw InputError(fmt::format("a UDP message holds at most {} bytes (got {})", kMaxDatagram,
                                 c.payload.size()));
  }
  return c;
}

}  // namespace sk_echo
