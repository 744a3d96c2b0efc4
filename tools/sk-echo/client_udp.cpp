// The UDP client: one datagram, re-sent up to --retries times, each try waiting
// --timeout for the echo. The socket is connected, so an ICMP port unreachable comes
// back as ECONNREFUSED and only the target's datagrams are read.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "client.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/icmp_error.hpp"

namespace sk_echo {

namespace {

using Clock = std::chrono::steady_clock;

enum class Wait { reply, timeout, failed };

// Waits for one datagram until `deadline` and compares it with the payload.
Wait await_reply(int fd, const std::string& payload, Clock::time_point deadline, EchoResult& r) {
  std::string buf(payload.size() + 1, '\0');  // one spare byte shows a longer echo
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::timeout;
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n == 0) return Wait::timeout;
    if (n < 0) continue;  // EINTR
    ssize_t got = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      int err = errno;
      set_failure(r, err, sockkit::read_icmp_error(fd));
      return Wait::failed;
    }
    auto size = static_cast<std::size_t>(got);
    if (size == payload.size() && buf.compare(0, size, payload) == 0) {
      r.received = size;
      return Wait::reply;
    }
    std::size_t i = 0;
    while (i < size && i < payload.size() && buf[i] == payload[i]) ++i;
    r.received = size;
    r.mismatch_at = i;
    r.outcome = Outcome::mismatch;
    return Wait::failed;
  }
}

}  // namespace

EchoResult run_udp_client(const ClientConfig& config, const sockkit::SockAddress& peer) {
  EchoResult r;
  r.peer = peer;
  r.udp = true;
  sockkit::Fd fd = sockkit::make_socket(peer.family(), SOCK_DGRAM | SOCK_NONBLOCK);
  // The ICMP error behind a failed send or receive names what answered.
  sockkit::enable_icmp_errors(fd.get(), peer.family());
  if (::connect(fd.get(), peer.get(), peer.size()) != 0) {
    set_failure(r, errno, std::nullopt, true);
    return r;
  }
  for (unsigned attempt = 0; attempt <= config.retries; ++attempt) {
    ++r.attempts;
    auto start = Clock::now();
    ssize_t n = ::send(fd.get(), config.payload.data(), config.payload.size(), 0);
    if (n < 0) {
      int err = errno;
      set_failure(r, err, sockkit::read_icmp_error(fd.get()));
      return r;
    }
    r.sent = static_cast<std::size_t>(n);
    switch (await_reply(fd.get(), config.payload, start + config.timeout, r)) {
      case Wait::reply:
        r.rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        r.outcome = Outcome::intact;
        return r;
      case Wait::failed: return r;
      case Wait::timeout: break;
    }
  }
  r.outcome = Outcome::timeout;
  return r;
}

}  // namespace sk_echo
