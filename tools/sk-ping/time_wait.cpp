#include "time_wait.hpp"

#include <exception>

namespace sk_ping {

namespace {

sockkit::Cidr host_block(const sockkit::SockAddress& address) {
  return sockkit::Cidr(address.ip(), address.family() == AF_INET ? 32 : 128);
}

}  // namespace

sockkit::ReadRequest time_wait_request(const sockkit::SockAddress& local,
                                       const sockkit::SockAddress& peer) {
  sockkit::ReadRequest request;
  request.version = local.family() == AF_INET ? sockkit::IpVersion::v4 : sockkit::IpVersion::v6;
  request.tcp_states = sockkit::state_bit(sockkit::TcpState::time_wait);
  request.filter.local_ports.emplace().add({local.port(), local.port()});
  request.filter.remote_ports.emplace().add({peer.port(), peer.port()});
  request.filter.local_addrs.push_back(host_block(local));
  request.filter.remote_addrs.push_back(host_block(peer));
  // /proc would show the entry too, but a netlink refusal is better taken as "unknown"
  // than paid for with a read of the whole table on every attempt.
  request.source = sockkit::SourceKind::netlink;
  return request;
}

std::optional<double> TimeWaitLookup::seconds_left(const sockkit::SockAddress& local,
                                                   const sockkit::SockAddress& peer) {
  if (unavailable_) return std::nullopt;
  try {
    std::optional<double> left;
    (void)sockkit::read_sockets(
        time_wait_request(local, peer),
        [&](const sockkit::SocketRecord& record) { left = record.expires_ms / 1000.0; },
        [&] { left.reset(); });
    return left;
  } catch (const std::exception&) {
    // Only a detail of --close: the timing stands without it.
    unavailable_ = true;
    return std::nullopt;
  }
}

}  // namespace sk_ping
