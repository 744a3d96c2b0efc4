// What users type to name a peer: host, host:port, [v6]:port, a bare IPv6 address,
// and turning those into socket addresses with getaddrinfo.
#pragma once

#include <netdb.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct HostPort {
  std::string host;  // a name or an address literal, brackets removed
  std::optional<std::uint16_t> port;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Strict: "db", "db:5432", "10.0.0.1:80", "[2001:db8::1]:443", "::1" (a bare IPv6
// address has no port). Throws InputError quoting the text and naming the problem:
// an empty host, a bad port, an unclosed bracket, a name with spaces...
[[nodiscard]] HostPort parse_host_port(std::string_view text);

// True when `host` is a valid name (RFC 1123 labels, '_' tolerated) or IP literal.
[[nodiscard]] bool is_valid_host(std::string_view host);

// --source ADDR[:PORT]: an address literal with an optional port (0 when none);
// nullopt for an empty text. Throws InputError for a name or anything else.
[[nodiscard]] std::optional<SockAddress> parse_bind_address(const std::string& text);

// A source of the other family than the peer would fail every connect: throws
// InputError saying which -4/-6 or source to give. `peer_name` is what the user typed.
void check_source_family(const SockAddress& source, const SockAddress& peer,
                         std::string_view peer_name);

// A name that could not be resolved. `code` is the EAI_* value.
class ResolveError : public std::runtime_error {
 public:
  ResolveError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  int code_;
};

// getaddrinfo, restricted to `version`, for the socket type given (SOCK_STREAM or
// SOCK_DGRAM); addresses in the resolver's order, duplicates removed. Literals
// never touch DNS. Throws ResolveError ("cannot resolve \"x\": Name or service not
// known"; "::1 is an IPv6 address, but -4 was given").
[[nodiscard]] std::vector<SockAddress> resolve(const std::string& host, std::uint16_t port,
                                               IpVersion version = IpVersion::any,
                                               int socktype = SOCK_STREAM);

}  // namespace sockkit

template <>
struct fmt::formatter<sockkit::HostPort> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sockkit::HostPort& hp, Context& ctx) const {
    std::string text = hp.port ? sockkit::host_port_text(hp.host, *hp.port) : hp.host;
    return fmt::formatter<std::string_view>::format(text, ctx);
  }
};

SOCKKIT_API_END
