#include "sockkit/endpoint.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "sockkit/error.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool is_valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), is_label_char);
}

bool is_valid_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  bool all_numeric = true;
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    auto label = name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    if (!is_valid_label(label)) return false;
    all_numeric = all_numeric && detail::all_digits(label);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // "1.2.3.999" or "300" would be read by the resolver as odd numeric forms.
  return !all_numeric;
}

// fe80::1%eth0: a link-local address needs its interface.
bool is_valid_v6_literal(std::string_view text) {
  auto percent = text.find('%');
  auto addr = IpAddress::parse(text.substr(0, percent));
  if (!addr || addr->is_v4()) return false;
  if (percent == std::string_view::npos) return true;
  auto zone = text.substr(percent + 1);
  return !zone.empty() && zone.size() < 16 &&
         std::all_of(zone.begin(), zone.end(), [](char c) { return is_label_char(c) || c == '.'; });
}

[[noreturn]] void bad_address(std::string_view text, std::string_view problem) {
  throw InputError(fmt::format("invalid address \"{}\": {}", text, problem));
}

std::uint16_t port_of(std::string_view text, std::string_view port_text) {
  if (port_text.empty()) bad_address(text, "the port after ':' is empty");
  try {
    return parse_port(port_text);
  } catch (const InputError& e) {
    bad_address(text, e.what());
  }
}

HostPort parse_bracketed(std::string_view text) {
  auto close = text.find(']');
  if (close == std::string_view::npos) bad_address(text, "missing ']' after the IPv6 address");
  auto host = text.substr(1, close - 1);
  if (!is_valid_v6_literal(host)) {
    bad_address(text, IpAddress::parse(host) ? "brackets are for IPv6 addresses only"
                                             : fmt::format("\"{}\" is not an IPv6 address", host));
  }
  auto rest = text.substr(close + 1);
  if (rest.empty()) return {std::string(host), std::nullopt};
  if (rest.front() != ':') bad_address(text, "expected ':PORT' after ']'");
  return {std::string(host), port_of(text, rest.substr(1))};
}

}  // namespace

bool is_valid_host(std::string_view host) {
  return IpAddress::parse(host).has_value() || is_valid_v6_literal(host) || is_valid_name(host);
}

HostPort parse_host_port(std::string_view text) {
  if (text.empty()) bad_address(text, "the host is empty");
  if (text.front() == '[') return parse_bracketed(text);
  auto colons = std::count(text.begin(), text.end(), ':');
  if (colons > 1) {
    if (is_valid_v6_literal(text)) return {std::string(text), std::nullopt};
    bad_address(text, "write an IPv6 address with a port as [ADDRESS]:PORT");
  }
  auto colon = text.find(':');
  auto host = text.substr(0, colon);
  if (host.empty()) bad_address(text, "the host is empty");
  if (!is_valid_host(host)) {
    bad_address(text, fmt::format("\"{}\" is not a host name or IP address", host));
  }
  if (colon == std::string_view::npos) return {std::string(host), std::nullopt};
  return {std::string(host), port_of(text, text.substr(colon + 1))};
}

namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};

void check_literal_family(const std::string& host, IpVersion version) {
  auto literal = IpAddress::parse(host.substr(0, host.find('%')));
  if (!literal) return;
  if (version == IpVersion::v4 && !literal->is_v4()) {
    throw ResolveError(EAI_ADDRFAMILY,
                       fmt::format("{} is an IPv6 address, but -4 was given", host));
  }
  if (version == IpVersion::v6 && literal->is_v4()) {
    throw ResolveError(EAI_ADDRFAMILY,
                       fmt::format("{} is an IPv4 address, but -6 was given", host));
  }
}

// The resolver's address with our port; copied whole so an IPv6 link-local
// literal such as fe80::1%eth0 keeps its scope id.
SockAddress address_with_port(const addrinfo& ai, std::uint16_t port) {
  sockaddr_storage copy{};
  std::memcpy(&copy, ai.ai_addr, std::min<std::size_t>(ai.ai_addrlen, sizeof copy));
  if (ai.ai_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&copy)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&copy)->sin6_port = htons(port);
  }
  return SockAddress(reinterpret_cast<const sockaddr*>(&copy), ai.ai_addrlen);
}

}  // namespace

std::vector<SockAddress> resolve(const std::string& host, std::uint16_t port, IpVersion version,
                                 int socktype) {
  check_literal_family(host, version);
  addrinfo hints{};
  hints.ai_family = version == IpVersion::v4   ? AF_INET
                    : version == IpVersion::v6 ? AF_INET6
                                               : AF_UNSPEC;
  hints.ai_socktype = socktype;
  // No AI_ADDRCONFIG: inside a namespace with only loopback it hides "localhost".
  if (IpAddress::parse(host.substr(0, host.find('%')))) hints.ai_flags |= AI_NUMERICHOST;
  addrinfo* raw = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrinfoDeleter> list(raw);
  if (rc != 0) {
    std::string why = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
    if (version != IpVersion::any &&
        (rc == EAI_NONAME || rc == EAI_ADDRFAMILY || rc == EAI_NODATA)) {
      why += version == IpVersion::v4 ? " (no IPv4 address)" : " (no IPv6 address)";
    }
    throw ResolveError(rc, fmt::format("cannot resolve \"{}\": {}", host, why));
  }
  std::vector<SockAddress> out;
  for (auto* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    auto with_port = address_with_port(*ai, port);
    bool seen = std::any_of(out.begin(), out.end(), [&](const SockAddress& a) {
      return a.size() == with_port.size() && std::memcmp(a.get(), with_port.get(), a.size()) == 0;
    });
    if (!seen) out.push_back(with_port);
  }
  if (out.empty())
    throw ResolveError(EAI_NODATA, fmt::format("cannot resolve \"{}\": no IP address", host));
  return out;
}

std::optional<SockAddress> parse_bind_address(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto hp = parse_host_port(text);
  auto ip = IpAddress::parse(hp.host);
  if (!ip)
    throw InputError(fmt::format("invalid --source \"{}\": expected an address literal", text));
  return SockAddress(*ip, hp.port.value_or(0));
}

void check_source_family(const SockAddress& source, const SockAddress& peer,
                         std::string_view peer_name) {
  if (source.family() == peer.family()) return;
  auto version = [](int family) { return family == AF_INET ? "IPv4" : "IPv6"; };
  throw InputError(
      fmt::format("--source {} is {}, but {} is {}: give -{} or a source of the same family",
                  source.ip().to_string(), version(source.family()), peer_name,
                  version(peer.family()), source.family() == AF_INET ? "4" : "6"));
}

}  // namespace sockkit
