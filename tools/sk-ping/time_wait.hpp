// After --close, the socket we held is gone and a TIME_WAIT entry with the same
// addresses takes its place in the kernel: only sock_diag can show it.
#pragma once

#include <optional>

#include "sockkit/address.hpp"
#include "sockkit/socket_reader.hpp"

namespace sk_ping {

// The library request for the TIME_WAIT entry of local -> peer: TCP, that family, that
// state, both ports and both addresses, read over netlink only.
[[nodiscard]] sockkit::ReadRequest time_wait_request(const sockkit::SockAddress& local,
                                                     const sockkit::SockAddress& peer);

class TimeWaitLookup {
 public:
  // Seconds left on the TIME_WAIT timer of local -> peer, or nullopt when the kernel
  // holds no such entry (or sock_diag cannot be read).
  [[nodiscard]] std::optional<double> seconds_left(const sockkit::SockAddress& local,
                                                   const sockkit::SockAddress& peer);

 private:
  bool unavailable_ = false;
};

}  // namespace sk_ping
