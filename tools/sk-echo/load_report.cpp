// The load summary: what was asked (connections, loop, size), what came back
// (rates, bytes, latency percentiles) and what went wrong, by kind. The latency and
// handshake statistics take the library's one shape (sockkit/stats_render.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "load.hpp"
#include "sockkit/error.hpp"
#include "sockkit/json.hpp"
#include "sockkit/stats_json.hpp"
#include "sockkit/stats_render.hpp"
#include "sockkit/table.hpp"

namespace sk_echo {

namespace {

using sockkit::group_thousands;

double per_second(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0.0;
}

std::string rate_text(double rate) {
  if (rate >= 100) return group_thousands(static_cast<std::uint64_t>(rate + 0.5));
  return fmt::format("{:.1f}", rate);
}

std::string mode_text(const LoadConfig& load) {
  std::string loop = load.rate > 0 ? fmt::format("open loop at {}/s", rate_text(load.rate))
                                   : std::string("closed loop");
  return load.connect_rate ? loop + ", a new connection per request" : loop;
}

// -n 3 with -C 10 opens three connections: the header says what was used.
std::uint64_t used_connections(const LoadConfig& load) {
  std::uint64_t c = load.connections;
  return load.requests != 0 ? std::min<std::uint64_t>(c, load.requests) : c;
}

std::string errors_text(const LoadStats& stats) {
  std::string text;
  for (std::size_t kind = 0; kind < kOutcomeCount; ++kind) {
    if (stats.errors[kind] == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", outcome_name(static_cast<Outcome>(kind)),
                        group_thousands(stats.errors[kind]));
    if (stats.first_errno[kind] != 0) {
      text += fmt::format(" ({})", sockkit::errno_name(stats.first_errno[kind]));
    }
  }
  return text.empty() ? "none" : text;
}

std::string render_text(const LoadStats& s, const ClientConfig& config,
                        const sockkit::SockAddress& peer) {
  const LoadConfig& load = *config.load;
  std::string out =
      fmt::format("{} tcp load: {} connection{}, {}, {}-byte requests, {:.2f} s{}\n", peer,
                  group_thousands(used_connections(load)), used_connections(load) == 1 ? "" : "s",
                  mode_text(load), group_thousands(config.payload.size()), s.elapsed_s,
                  s.interrupted ? " (interrupted)" : "");
  out += fmt::format("  requests    {} intact ({}/s), {} failed{}\n", group_thousands(s.completed),
                     rate_text(per_second(static_cast<double>(s.completed), s.elapsed_s)),
                     group_thousands(s.failed),
                     s.unfinished > 0
                         ? fmt::format(", {} in flight at the end", group_thousands(s.unfinished))
                         : std::string());
  if (s.behind > 0) {
    out += fmt::format("  behind      {} due requests never started: every connection was busy\n",
                       group_thousands(s.behind));
  }
  double mb = static_cast<double>(s.bytes) / 1e6;
  out += fmt::format("  data        {:.1f} MB echoed ({:.1f} MB/s, {:.2f} Gbit/s)\n", mb,
                     per_second(mb, s.elapsed_s), per_second(mb * 8 / 1000, s.elapsed_s));
  out += fmt::format("  latency     {}\n", sockkit::stats_text(s.latency));
  std::string opened = group_thousands(s.opened) + " opened";
  if (load.connect_rate) {
    opened +=
        fmt::format(" ({}/s)", rate_text(per_second(static_cast<double>(s.opened), s.elapsed_s)));
  }
  out += fmt::format("  connections {}, handshake {}\n", opened, sockkit::stats_text(s.handshake));
  out += fmt::format("  errors      {}\n", errors_text(s));
  return out;
}

sockkit::Json errors_json(const LoadStats& s) {
  sockkit::Json errors = sockkit::Json::object();
  for (std::size_t kind = 1; kind < kOutcomeCount; ++kind) {
    errors[std::string(outcome_name(static_cast<Outcome>(kind)))] = s.errors[kind];
  }
  return errors;
}

}  // namespace

std::string render_load(const LoadStats& s, const ClientConfig& config,
                        const sockkit::SockAddress& peer) {
  if (config.format != sockkit::cli::Format::json) return render_text(s, config, peer);
  using sockkit::Json;
  const LoadConfig& load = *config.load;
  double seconds = s.elapsed_s;
  Json j = {
      {"type", "load"},
      {"peer", peer.to_string()},
      {"protocol", "tcp"},
      {"loop", load.rate > 0 ? "open" : "closed"},
      {"offered_per_s", load.rate > 0 ? Json(load.rate) : Json(nullptr)},
      {"connect_rate", load.connect_rate},
      {"connections", used_connections(load)},
      {"payload_bytes", config.payload.size()},
      {"duration_s", seconds},
      {"interrupted", s.interrupted},
      {"requests", s.completed},
      {"requests_per_s", per_second(static_cast<double>(s.completed), seconds)},
      {"failed", s.failed},
      {"unfinished", s.unfinished},
      {"behind", load.rate > 0 ? Json(s.behind) : Json(nullptr)},
      {"bytes", s.bytes},
      {"megabytes_per_s", per_second(static_cast<double>(s.bytes) / 1e6, seconds)},
      {"latency_ms", sockkit::stats_json(s.latency)},
      {"connections_opened", s.opened},
      {"connections_per_s", per_second(static_cast<double>(s.opened), seconds)},
      {"handshake_ms", sockkit::stats_json(s.handshake)},
      {"errors", errors_json(s)},
  };
  return sockkit::to_json_text(j, sockkit::JsonLayout::line);
}

}  // namespace sk_echo
