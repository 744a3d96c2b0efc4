#include "time_wait.hpp"

#include <exception>

#include "sockkit/socket_filter.hpp"

namespace sk_ping {

std::optional<double> TimeWaitLookup::seconds_left(const sockkit::SockAddress& local,
                                                   const sockkit::SockAddress& peer) {
  if (unavailable_) return std::nullopt;
  try {
    if (!diag_) diag_.emplace();
    sockkit::SocketFilter filter;
    filter.local_ports.emplace().add({local.port(), local.port()});
    filter.remote_ports.emplace().add({peer.port(), peer.port()});
    filter.remote_addrs.push_back(sockkit::Cidr(peer.ip(), peer.family() == AF_INET ? 32 : 128));
    auto bytecode = sockkit::compile_bytecode(filter, local.family());
    if (!bytecode) return std::nullopt;
    sockkit::DiagRequest request;
    request.family = local.family();
    request.states = 1U << static_cast<unsigned>(sockkit::TcpState::time_wait);
    request.bytecode = *bytecode;
    std::optional<double> left;
    auto local_ip = local.ip();
    (void)diag_->dump(request, [&](const sockkit::SocketRecord& record) {
      if (filter.matches(record) && record.local_ip() == local_ip) {
        left = record.expires_ms / 1000.0;
      }
    });
    return left;
  } catch (const std::exception&) {
    // Only a detail of --close: the timing stands without it.
    unavailable_ = true;
    return std::nullopt;
  }
}

}  // namespace sk_ping
