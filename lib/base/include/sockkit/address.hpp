// IP addresses, socket addresses and CIDR blocks as values: parsed strictly,
// compared cheaply, printed the way users type them ([::1]:80).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Which IP version a user asked for with -4 / -6.
enum class IpVersion : std::uint8_t { any, v4, v6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(std::span<const std::uint8_t, 4> bytes);
  static IpAddress v6(std::span<const std::uint8_t, 16> bytes);
  static IpAddress from(const in_addr& addr);
  static IpAddress from(const in6_addr& addr);

  // A literal address only: dotted quad or RFC 4291 text, no brackets, no zone, no
  // names. nullopt when the text is anything else.
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);

  [[nodiscard]] int family() const noexcept { return family_; }
  [[nodiscard]] bool is_v4() const noexcept { return family_ == AF_INET; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return {bytes_.data(), is_v4() ? 4U : 16U};
  }
  // ::ffff:a.b.c.d, which a dual-stack socket reports for IPv4 peers.
  [[nodiscard]] bool is_v4_mapped() const noexcept;
  // The IPv4 address inside a v4-mapped one; the address itself otherwise.
  [[nodiscard]] IpAddress unmapped() const noexcept;
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  int family_ = AF_INET;
  std::array<std::uint8_t, 16> bytes_{};
};

class SockAddress {
 public:
  SockAddress() = default;
  SockAddress(const IpAddress& ip, std::uint16_t port);
  // Copies an IPv4 or IPv6 sockaddr; throws std::invalid_argument for other families.
  SockAddress(const sockaddr* addr, socklen_t len);

  [[nodiscard]] const sockaddr* get() const noexcept {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  [[nodiscard]] socklen_t size() const noexcept { return len_; }
  [[nodiscard]] int family() const noexcept { return storage_.ss_family; }
  [[nodiscard]] IpAddress ip() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;
  // 127.0.0.1:80 or [::1]:80
  [[nodiscard]] std::string to_string() const;

  // Same family, address and port (and IPv6 flow and scope), compared as bytes: cheap
  // enough for a per-datagram check.
  friend bool operator==(const SockAddress& a, const SockAddress& b) noexcept;

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

// "127.0.0.1:80", "[::1]:80": the one way sockkit writes an address with its port.
[[nodiscard]] std::string address_port_text(const IpAddress& ip, std::uint16_t port);
// The same for a host as the user typed it (a name or a literal): an IPv6 literal
// gets its brackets, a name or an IPv4 address none.
[[nodiscard]] std::string host_port_text(std::string_view host, std::uint16_t port);

// The address a socket is bound to (getsockname); nullopt, errno set, on failure.
[[nodiscard]] std::optional<SockAddress> local_address(int fd) noexcept;

// A block of addresses: 10.0.0.0/8, 2001:db8::/32; a bare address is a block of one.
class Cidr {
 public:
  // Strict: the address must be a literal, the prefix 0-32 (IPv4) or 0-128 (IPv6).
  // Host bits after the prefix are cleared, as routers do with 192.168.1.10/24.
  // Throws InputError quoting the text.
  [[nodiscard]] static Cidr parse(std::string_view text);
  Cidr(const IpAddress& network, int prefix);

  [[nodiscard]] const IpAddress& network() const noexcept { return network_; }
  [[nodiscard]] int prefix() const noexcept { return prefix_; }
  [[nodiscard]] int family() const noexcept { return network_.family(); }
  // Matches IPv4 blocks against v4-mapped IPv6 addresses too, so a filter on
  // 10.0.0.0/8 also sees IPv4 peers of dual-stack sockets.
  [[nodiscard]] bool contains(const IpAddress& addr) const noexcept;
  // Number of addresses, saturated at UINT64_MAX for huge IPv6 blocks.
  [[nodiscard]] std::uint64_t size() const noexcept;
  // The address `offset` places after the network address; offset < size().
  [[nodiscard]] IpAddress at(std::uint64_t offset) const noexcept;
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const Cidr&, const Cidr&) = default;

 private:
  IpAddress network_;
  int prefix_ = 0;
};

}  // namespace sockkit

template <>
struct fmt::formatter<sockkit::IpAddress> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sockkit::IpAddress& addr, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(addr.to_string(), ctx);
  }
};

template <>
struct fmt::formatter<sockkit::SockAddress> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sockkit::SockAddress& addr, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(addr.to_string(), ctx);
  }
};

template <>
struct fmt::formatter<sockkit::Cidr> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sockkit::Cidr& cidr, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(cidr.to_string(), ctx);
  }
};

SOCKKIT_API_END
