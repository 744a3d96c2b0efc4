// What the command line asks for, checked and converted: the server's listeners and
// limits, or the client's target and payload. Everything here is plain data.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/console.hpp"
#include "sockkit/endpoint.hpp"

namespace sk_echo {

using Millis = std::chrono::milliseconds;

enum class OnEof { close, hold, rst, delay };

// What the server does once a client's FIN arrived and all its data went back.
struct EofAction {
  OnEof mode = OnEof::close;
  Millis delay{0};
};

struct ServerConfig {
  std::vector<sockkit::SockAddress> listen;  // port 0 allowed
  bool tcp = true;
  bool udp = false;
  unsigned threads = 1;
  Millis idle_timeout{0};             // 0: never
  std::uint64_t max_connections = 0;  // 0: no limit
  std::uint64_t max_bytes = 0;        // 0: no limit
  EofAction on_eof;
  bool close_first = false;
  double udp_rate = 0;               // replies per second per source address; 0: no limit
  bool udp_rate_by_default = false;  // the cap applies because UDP is served beyond loopback
  bool verbose = false;
  sockkit::cli::Format format = sockkit::cli::Format::text;
  std::string netns;
};

// Load mode (-C, -n, --duration, --rate, --connect-rate).
struct LoadConfig {
  unsigned connections = 1;
  std::uint64_t requests = 0;  // 0: run for `duration`
  Millis duration{10000};
  double rate = 0;            // requests (or connections) per second; 0: closed loop
  bool connect_rate = false;  // every request on a new connection
};

struct ClientConfig {
  sockkit::HostPort target;
  sockkit::IpVersion version = sockkit::IpVersion::any;
  bool udp = false;
  std::string payload;
  Millis timeout{5000};
  unsigned retries = 0;
  bool half_close = false;
  std::optional<LoadConfig> load;
  sockkit::cli::Format format = sockkit::cli::Format::text;
  std::string netns;
};

// "close", "hold", "rst", "delay:2.5". Throws InputError naming what is allowed.
[[nodiscard]] EofAction parse_on_eof(const std::string& text);

// "8080" (loopback), "0.0.0.0:8080", "[::]:0", "localhost:7". Throws InputError.
[[nodiscard]] sockkit::SockAddress parse_listen(const std::string& text, sockkit::IpVersion version,
                                                bool udp_only);

// A time option ("0.5", "500ms", "2m") to milliseconds, up to a day; throws InputError
// naming the option below 1ms (or below 0 when zero_ok).
[[nodiscard]] Millis parse_time(std::string_view option, std::string_view text, bool zero_ok);

// "5", "64K", "10M", "1G" (binary units). Throws InputError.
[[nodiscard]] std::uint64_t parse_bytes(const std::string& option, const std::string& text);

// The bytes --size sends: printable, so a mismatch is readable in a capture.
[[nodiscard]] std::string generated_payload(std::size_t size);

}  // namespace sk_echo
