// sk-ping: ping for a service's port. Times the TCP handshake again and again (or a UDP
// echo), keeps DNS apart, notices SYN retransmissions, and ends with statistics and
// an exit status even when nothing answered.
#include <fmt/format.h>

#include "options.hpp"
#include "pinger.hpp"
#include "report.hpp"
#include "sockkit/cli.hpp"
#include "sockkit/netns.hpp"

namespace {

constexpr const char* kFooter = R"(
Each line: the sequence number, the peer, the result (connected, refused, timeout,
unreachable, error, mismatch; UDP: reply) and the time from connect() to the
handshake's end; srtt is the kernel's own measure (TCP_INFO). Without --close the
connection is closed with a reset, so a long run leaves no TIME_WAIT behind.

Exit status: 0 at least one attempt connected (UDP: came back); 1 none did; 2 usage or
runtime error. --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

Examples:
  sk-ping db:5432                          ping the port until Ctrl-C
  sk-ping db 5432                          the same, in tcping's order
  sk-ping -c 5 -q web:443 && echo up       five handshakes, only the summary
  sk-ping -c 100 -i 0.01 --histogram db:5432
  sk-ping --close -c 3 127.0.0.1:8080      time the four-way close too
  sk-ping --send 'HEAD / HTTP/1.0\r\n\r\n' --expect 'HTTP/1.' web:80
  sk-ping -u -c 100 -i 0.05 10.0.0.7:7     UDP echo: loss, duplicates, reordering
  sk-ping -c 3 -f prom db:5432             for a textfile collector
  sk-ping --check --warn 50 --crit 200,20% db:5432
)";

int run(const sk_ping::Options& options) {
  auto settings = sk_ping::settings_of(options);
  if (!settings.netns.empty()) sockkit::enter_netns(settings.netns);
  settings.plan.syn_linear_timeouts = sk_ping::read_syn_linear_timeouts();
  sk_ping::Report report(settings);
  sk_ping::RunHooks hooks;
  hooks.started = [&](const sockkit::SockAddress& peer, double dns_ms) {
    report.started(peer, dns_ms);
  };
  hooks.attempt = [&](const sk_ping::AttemptResult& r) { report.attempt(r); };
  auto tally = sk_ping::run_pings(settings.plan, hooks);
  return report.finish(tally);
}

}  // namespace

int main(int argc, char** argv) {
  if (auto code = sockkit::cli::version_only("sk-ping", argc, argv)) return *code;
  sk_ping::Options options;
  CLI::App app(
      "Ping a service's port: TCP handshake (and close, and request) timing, or a UDP echo, "
      "with loss, percentiles and what they point at.",
      "sk-ping");
  sk_ping::add_options(app, options);
  app.footer(kFooter);
  return sockkit::cli::run_checkable("sk-ping", "SK-PING", app, argc, argv,
                                     [&] { return run(options); });
}
