// After --close, the socket we held is gone and a TIME_WAIT entry with the same
// addresses takes its place in the kernel: only sock_diag can show it.
#pragma once

#include <optional>

#include "sockkit/address.hpp"
#include "sockkit/sock_diag.hpp"

namespace sk_ping {

class TimeWaitLookup {
 public:
  // Seconds left on the TIME_WAIT timer of local -> peer, or nullopt when the kernel
  // holds no such entry (or sock_diag cannot be read).
  [[nodiscard]] std::optional<double> seconds_left(const sockkit::SockAddress& local,
                                                   const sockkit::SockAddress& peer);

 private:
  std::optional<sockkit::SockDiag> diag_;
  bool unavailable_ = false;
};

}  // namespace sk_ping
