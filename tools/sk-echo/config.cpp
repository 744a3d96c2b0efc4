#include "config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/common_options.hpp"
#include "sockkit/error.hpp"

namespace sk_echo {

using sockkit::InputError;

EofAction parse_on_eof(const std::string& text) {
  if (text == "close") return {OnEof::close, Millis(0)};
  if (text == "hold") return {OnEof::hold, Millis(0)};
  if (text == "rst") return {OnEof::rst, Millis(0)};
  if (text.starts_with("delay:")) {
    return {OnEof::delay, parse_time("--on-eof delay", std::string_view(text).substr(6), false)};
  }
  throw InputError(
      fmt::format("invalid --on-eof \"{}\": expected close, hold, rst or delay:TIME", text));
}

sockkit::SockAddress parse_listen(const std::string& text, sockkit::IpVersion version,
                                  bool udp_only) {
  bool digits_only =
      !text.empty() && text.size() <= 5 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  // A bare port means loopback: a test server must not be reachable from the network
  // unless the user names an address.
  std::string loopback = version == sockkit::IpVersion::v6 ? "[::1]:" : "127.0.0.1:";
  std::string spec = digits_only ? loopback + text : text;
  // Port 0 (the kernel picks) is valid here, though not for a peer: parse it as 1.
  bool any_port = spec.ends_with(":0");
  if (any_port) spec.back() = '1';
  sockkit::HostPort hp;
  try {
    hp = sockkit::parse_host_port(spec);
  } catch (const InputError&) {
    hp.port.reset();
  }
  if (!hp.port) {
    throw InputError(
        fmt::format("invalid listen address \"{}\": expected [ADDR:]PORT, PORT 0-65535", text));
  }
  std::uint16_t port = any_port ? 0 : *hp.port;
  auto addresses = sockkit::resolve(hp.host, port, version, udp_only ? SOCK_DGRAM : SOCK_STREAM);
  return addresses.front();
}

Millis parse_time(std::string_view option, std::string_view text, bool zero_ok) {
  using namespace std::chrono_literals;
  return sockkit::cli::duration_option<Millis>(option, text, {zero_ok ? 0ms : 1ms, 24h});
}

std::uint64_t parse_bytes(const std::string& option, const std::string& text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::uint64_t scale = 0;
  if (unit.empty()) scale = 1;
  if (unit == "K" || unit == "k" || unit == "KiB") scale = 1024;
  if (unit == "M" || unit == "MiB") scale = 1024 * 1024;
  if (unit == "G" || unit == "GiB") scale = 1024 * 1024 * 1024;
  constexpr std::uint64_t kMax = 1ULL << 32;  // 4 GiB
  if (ec != std::errc() || end == text.data() || scale == 0 || value > kMax / scale) {
    throw InputError(fmt::format(
        "invalid {} \"{}\": expected a byte count up to 4G, such as 64, 64K or 10M", option, text));
  }
  return value * scale;
}

std::string generated_payload(std::size_t size) {
  static constexpr std::string_view kPattern =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n";
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = kPattern[i % kPattern.size()];
  return out;
}

}  // namespace sk_echo
