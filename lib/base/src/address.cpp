#include "sockkit/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "sockkit/error.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

IpAddress IpAddress::v4(std::span<const std::uint8_t, 4> bytes) {
  IpAddress addr;
  addr.family_ = AF_INET;
  std::copy(bytes.begin(), bytes.end(), addr.bytes_.begin());
  return addr;
}

IpAddress IpAddress::v6(std::span<const std::uint8_t, 16> bytes) {
  IpAddress addr;
  addr.family_ = AF_INET6;
  std::copy(bytes.begin(), bytes.end(), addr.bytes_.begin());
  return addr;
}

IpAddress IpAddress::from(const in_addr& addr) {
  std::array<std::uint8_t, 4> raw{};
  std::memcpy(raw.data(), &addr, 4);
  return v4(raw);
}

IpAddress IpAddress::from(const in6_addr& addr) {
  std::array<std::uint8_t, 16> raw{};
  std::memcpy(raw.data(), &addr, 16);
  return v6(raw);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; anything longer than the longest IPv6
  // text form is not an address anyway.
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  in_addr v4addr{};
  if (::inet_pton(AF_INET, buffer, &v4addr) == 1) return from(v4addr);
  in6_addr v6addr{};
  if (::inet_pton(AF_INET6, buffer, &v6addr) == 1) return from(v6addr);
  return std::nullopt;
}

bool IpAddress::is_v4_mapped() const noexcept {
  if (is_v4()) return false;
  for (int i = 0; i < 10; ++i) {
    if (bytes_[i] != 0) return false;
  }
  return bytes_[10] == 0xff && bytes_[11] == 0xff;
}

IpAddress IpAddress::unmapped() const noexcept {
  if (!is_v4_mapped()) return *this;
  IpAddress addr;
  addr.family_ = AF_INET;
  std::copy(bytes_.begin() + 12, bytes_.end(), addr.bytes_.begin());
  return addr;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  ::inet_ntop(family_, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

SockAddress::SockAddress(const IpAddress& ip, std::uint16_t port) {
  if (ip.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage_);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip.bytes().data(), 4);
    len_ = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage_);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, ip.bytes().data(), 16);
    len_ = sizeof(sockaddr_in6);
  }
}

SockAddress::SockAddress(const sockaddr* addr, socklen_t len) {
  bool ok = (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) ||
            (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6));
  if (!ok || len > sizeof storage_) {
    throw std::invalid_argument("SockAddress takes IPv4 and IPv6 addresses only");
  }
  std::memcpy(&storage_, addr, len);
  len_ = len;
}

IpAddress SockAddress::ip() const noexcept {
  if (family() == AF_INET) {
    return IpAddress::from(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
  }
  return IpAddress::from(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
}

std::uint16_t SockAddress::port() const noexcept {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
}

std::string SockAddress::to_string() const {
  return address_port_text(ip(), port());
}

std::string address_port_text(const IpAddress& ip, std::uint16_t port) {
  if (ip.is_v4()) return fmt::format("{}:{}", ip.to_string(), port);
  return fmt::format("[{}]:{}", ip.to_string(), port);
}

std::string host_port_text(std::string_view host, std::uint16_t port) {
  if (host.find(':') == std::string_view::npos) return fmt::format("{}:{}", host, port);
  return fmt::format("[{}]:{}", host, port);
}

namespace {

IpAddress masked(const IpAddress& addr, int prefix) {
  auto bytes = addr.bytes();
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    int bits = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    auto mask = static_cast<std::uint8_t>(bits == 0 ? 0 : 0xffU << (8 - bits));
    out[i] = static_cast<std::uint8_t>(bytes[i] & mask);
  }
  if (addr.is_v4()) return IpAddress::v4(std::span<const std::uint8_t, 4>(out.data(), 4));
  return IpAddress::v6(out);
}

}  // namespace

Cidr::Cidr(const IpAddress& network, int prefix)
    : network_(masked(network, prefix)), prefix_(prefix) {
  int max = network.is_v4() ? 32 : 128;
  if (prefix < 0 || prefix > max) throw std::invalid_argument("CIDR prefix out of range");
}

Cidr Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr_text = text.substr(0, slash);
  auto addr = IpAddress::parse(addr_text);
  if (!addr) {
    throw InputError(fmt::format("invalid CIDR block \"{}\": \"{}\" is not an IPv4 or IPv6 address",
                                 text, addr_text));
  }
  int max = addr->is_v4() ? 32 : 128;
  if (slash == std::string_view::npos) return Cidr(*addr, max);
  auto prefix = detail::parse_decimal(text.substr(slash + 1), static_cast<std::uint64_t>(max));
  if (!prefix) {
    throw InputError(
        fmt::format("invalid CIDR block \"{}\": the prefix length must be 0-{}", text, max));
  }
  return Cidr(*addr, static_cast<int>(*prefix));
}

bool Cidr::contains(const IpAddress& addr) const noexcept {
  IpAddress candidate = network_.is_v4() ? addr.unmapped() : addr;
  if (candidate.family() != network_.family()) return false;
  return masked(candidate, prefix_) == network_;
}

std::uint64_t Cidr::size() const noexcept {
  int host_bits = (network_.is_v4() ? 32 : 128) - prefix_;
  if (host_bits >= 64) return std::numeric_limits<std::uint64_t>::max();
  return std::uint64_t{1} << host_bits;
}

IpAddress Cidr::at(std::uint64_t offset) const noexcept {
  auto src = network_.bytes();
  std::array<std::uint8_t, 16> out{};
  std::copy(src.begin(), src.end(), out.begin());
  // Add the offset from the last byte up, carrying like long addition.
  std::uint64_t carry = offset;
  for (std::size_t i = src.size(); i-- > 0 && carry != 0;) {
    std::uint64_t sum = out[i] + (carry & 0xffU);
    out[i] = static_cast<std::uint8_t>(sum & 0xffU);
    carry = (carry >> 8U) + (sum >> 8U);
  }
  if (network_.is_v4()) return IpAddress::v4(std::span<const std::uint8_t, 4>(out.data(), 4));
  return IpAddress::v6(out);
}

std::string Cidr::to_string() const {
  return fmt::format("{}/{}", network_.to_string(), prefix_);
}

bool operator==(const SockAddress& a, const SockAddress& b) noexcept {
  return a.len_ == b.len_ && std::memcmp(&a.storage_, &b.storage_, a.len_) == 0;
}

std::optional<SockAddress> local_address(int fd) noexcept {
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return std::nullopt;
  return SockAddress(reinterpret_cast<const sockaddr*>(&bound), len);
}

}  // namespace sockkit
