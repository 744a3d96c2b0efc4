// The command line as CLI11 fills it, and its checked conversion into a plan: every
// mistake is refused here, before anything is sent.
#pragma once

#include <optional>
#include <string>

#include "attempt.hpp"
#include "sockkit/cli_fwd.hpp"
#include "sockkit/console.hpp"

namespace sk_ping {

struct Options {
  std::string target;
  std::string port_word;  // tcping's order: HOST PORT
  unsigned port = 0;
  std::uint64_t count = 0;
  std::string interval = "1";
  std::string deadline;
  std::string timeout = "4";
  bool ipv4 = false;
  bool ipv6 = false;
  std::string source;
  std::string netns;
  bool resolve_each = false;
  bool close = false;
  std::string send;
  std::string expect;
  bool udp = false;
  std::size_t size = 64;
  bool histogram = false;
  bool timestamp = false;
  bool quiet = false;
  sockkit::cli::OutputOptions output;
  bool check = false;
  std::string warn;
  std::string crit;
  CLI::Option* port_option = nullptr;
  CLI::Option* count_option = nullptr;
  CLI::Option* deadline_option = nullptr;
  CLI::Option* send_option = nullptr;
  CLI::Option* expect_option = nullptr;
  CLI::Option* size_option = nullptr;
};

void add_options(CLI::App& app, Options& options);

// The library's format choice; sk-ping offers text, json and prom.
using Format = sockkit::cli::Format;

// A --warn or --crit level: the average round trip in ms, and optionally the loss.
struct Threshold {
  std::optional<double> rtt_ms;
  std::optional<double> loss_pct;
};

struct Settings {
  Plan plan;
  Format format = Format::text;
  bool quiet = false;
  bool histogram = false;
  bool timestamp = false;
  bool check = false;
  Threshold warn;
  Threshold crit;
  std::string netns;
};

[[nodiscard]] Settings settings_of(const Options& options);

// "200" or "200,20%": throws InputError naming the option.
[[nodiscard]] Threshold parse_threshold(const std::string& option, const std::string& text);

}  // namespace sk_ping
