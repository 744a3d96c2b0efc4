// Which sockets a question is about: ports and address blocks on either end. The
// same filter runs in the kernel (compiled to inet_diag bytecode, so only matching
// sockets cross into user space) and in user space (for /proc and for tests).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/sock_diag.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct SocketFilter {
  std::optional<PortSet> local_ports;
  std::optional<PortSet> remote_ports;
  std::vector<Cidr> local_addrs;   // any of them
  std::vector<Cidr> remote_addrs;  // any of them

  [[nodiscard]] bool empty() const noexcept {
    return !local_ports && !remote_ports && local_addrs.empty() && remote_addrs.empty();
  }
  [[nodiscard]] bool matches(const SocketRecord& record) const;
};

// The filter as inet_diag bytecode for a dump of `family`: empty when there is
// nothing to filter or the program would be too large for the kernel (callers always
// re-check with matches(), which is cheap), nullopt when no socket of that family can match (an
// IPv6 block asked of an IPv4 dump), so the dump can be skipped altogether.
[[nodiscard]] std::optional<std::vector<std::byte>> compile_bytecode(const SocketFilter& filter,
                                                                     int family);

}  // namespace sockkit

SOCKKIT_API_END
