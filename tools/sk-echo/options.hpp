// The command line as CLI11 fills it, and its conversion into a server or client
// configuration, with one-line errors for every contradiction.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "sockkit/cli_fwd.hpp"
#include "sockkit/console.hpp"

namespace sk_echo {

struct Options {
  // server
  std::vector<std::string> listen;
  bool tcp = false;
  bool udp = false;
  unsigned threads = 1;
  std::string idle_timeout = "0";
  std::uint64_t max_connections = 0;
  std::string max_bytes;
  std::string on_eof = "close";
  bool close_first = false;
  double udp_rate = -1;  // < 0: not given, so the default for the listen addresses applies
  bool verbose = false;
  // client
  std::string target;
  std::string message;
  std::string size;
  std::string timeout = "5";
  unsigned retries = 0;
  bool half_close = false;
  // client load mode
  long long connections = 1;
  long long requests = 0;
  std::string duration;
  double rate = 0;
  bool connect_rate = false;
  // both
  bool ipv4 = false;
  bool ipv6 = false;
  std::string netns;
  sockkit::cli::OutputOptions output;
  // CLI11's records of which options were given, to reject the other mode's.
  std::vector<CLI::Option*> server_only;
  std::vector<CLI::Option*> client_only;
  std::vector<CLI::Option*> load_only;  // any of these turns load mode on
  CLI::Option* requests_option = nullptr;
  CLI::Option* duration_option = nullptr;
  CLI::Option* rate_option = nullptr;
};

void add_options(CLI::App& app, Options& options);

[[nodiscard]] bool is_server(const Options& options);
[[nodiscard]] ServerConfig server_config(const Options& options);
// Reads stdin for MESSAGE "-".
[[nodiscard]] ClientConfig client_config(const Options& options);

}  // namespace sk_echo
