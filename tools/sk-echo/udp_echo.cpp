#include "udp_echo.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <span>

namespace sk_echo {

bool RateLimiter::allow(const sockkit::IpAddress& source,
                        sockkit::EventLoop::Clock::time_point now) {
  auto ip = source.unmapped();
  auto bytes = ip.bytes();
  std::uint8_t raw[16] = {};
  std::memcpy(raw, bytes.data(), bytes.size());
  Key key;
  std::memcpy(&key.high, raw, 8);
  std::memcpy(&key.low, raw + 8, 8);
  if (ip.is_v4()) key.low ^= 0x4;  // keep 1.2.3.4 apart from the IPv6 address 102:304::
  if (buckets_.size() >= kMaxSources && !buckets_.contains(key)) buckets_.clear();
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.refilled = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

UdpEcho::UdpEcho(BoundSocket socket, ReadBuffers& buffers, double rate, WorkerTotals& totals,
                 sockkit::EventLoop& loop)
    : socket_(std::move(socket)),
      buffers_(buffers),
      limited_(rate > 0),
      limiter_(rate),
      totals_(totals),
      loop_(loop) {
  loop_.watch(socket_.fd.get(), EPOLLIN, *this);
}

void UdpEcho::on_io(int fd, std::uint32_t /*events*/) {
  std::span<char> scratch = buffers_.current();
  // A bounded batch per wake-up, so TCP clients on the same loop are not starved.
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd, scratch.data(), scratch.size(), MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return;  // EAGAIN, or an ICMP error from an earlier reply: nothing to do
    totals_.udp_in.add(1);
    totals_.udp_bytes.add(static_cast<std::uint64_t>(n));
    if (limited_) {
      sockkit::SockAddress source(reinterpret_cast<sockaddr*>(&from), from_len);
      if (!limiter_.allow(source.ip(), loop_.now())) {
        totals_.udp_limited.add(1);
        continue;
      }
    }
    if (::sendto(fd, scratch.data(), static_cast<std::size_t>(n), MSG_DONTWAIT,
                 reinterpret_cast<sockaddr*>(&from), from_len) == n) {
      totals_.udp_out.add(1);
    }
  }
}

}  // namespace sk_echo
