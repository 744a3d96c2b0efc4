#include "probe_socket.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <utility>

#include "sockkit/fd.hpp"
#include "sockkit/icmp_error.hpp"
#include "sockkit/udp_payloads.hpp"
#include "verdict.hpp"

namespace sk_probe {

namespace {

constexpr std::size_t kReplyBytes = 512;

Answer done(State state, int error = 0) {
  Answer a;
  a.kind = AnswerKind::done;
  a.state = state;
  a.error = error;
  return a;
}

// socket() or bind() failed: the probe could not even start.
Answer setup_failed(int err) {
  Answer a = done(State::error, err);
  auto kind = sockkit::classify_failure(err, std::nullopt, true).kind;
  bool named = kind == sockkit::FailureKind::no_local_address ||
               kind == sockkit::FailureKind::out_of_resources;
  a.failure = named ? kind : sockkit::FailureKind::other;
  return a;
}

// Whether the error queue may say more than the errno: an ICMP error behind an
// unreachable (or, for UDP, behind a refusal). A TCP reset or timeout has none, and a
// closed port is the common answer of a large scan: it costs no extra call.
bool may_have_icmp(sockkit::FailureKind kind, bool udp) {
  using sockkit::FailureKind;
  return kind == FailureKind::unreachable || kind == FailureKind::local_firewall ||
         kind == FailureKind::no_route || (udp && kind == FailureKind::refused);
}

bool same_endpoint(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port &&
         std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

bool loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr) >> 24) == 127;
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
}

}  // namespace

ProbeSocket::ProbeSocket(ProbeSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      udp_(other.udp_),
      connected_(other.connected_),
      peer_(other.peer_),
      peer_len_(other.peer_len_),
      reusable_(std::exchange(other.reusable_, false)) {}

std::uint32_t ProbeSocket::interest() const noexcept {
  return udp_ ? EPOLLIN : EPOLLOUT;
}

void ProbeSocket::release(bool rst) noexcept {
  if (!reusable_) close(rst);
}

void ProbeSocket::close(bool rst) noexcept {
  reusable_ = false;
  if (fd_ < 0) return;
  if (rst && connected_ && !udp_) {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  ::close(fd_);
  fd_ = -1;
  connected_ = false;
}

Answer ProbeSocket::open_socket(int type, const sockkit::SockAddress& host, std::uint16_t port,
                                const std::optional<sockkit::SockAddress>& source) {
  bool reuse =
      reusable_ && type == SOCK_STREAM && !udp_ && !source && peer_.ss_family == host.family();
  if (!reuse) close(false);
  reusable_ = false;
  udp_ = type == SOCK_DGRAM;
  std::memcpy(&peer_, host.get(), host.size());
  peer_len_ = host.size();
  std::uint16_t net_port = htons(port);
  if (peer_.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in&>(peer_).sin_port = net_port;
  } else {
    reinterpret_cast<sockaddr_in6&>(peer_).sin6_port = net_port;
  }
  if (!reuse) {
    Answer failed = create(type, source);
    if (failed.kind == AnswerKind::done) return failed;
  }
  const auto* peer = reinterpret_cast<const sockaddr*>(&peer_);
  if (::connect(fd_, peer, peer_len_) == 0) return udp_ ? Answer{} : connected();
  if (errno != EINPROGRESS) return from_errno(errno, true);
  // On loopback the kernel has handled the SYN and its answer before connect()
  // returns: asking again costs one call where epoll would cost two.
  if (!loopback(peer_)) return Answer{};
  if (::connect(fd_, peer, peer_len_) == 0 || errno == EISCONN) return connected();
  if (errno == EALREADY || errno == EINPROGRESS) return Answer{};
  // A refusal seen by connect() itself leaves the socket unconnected and its port
  // released (the kernel disconnects it): the next probe connects it again instead
  // of paying for a new socket and a close.
  if (errno == ECONNREFUSED) reusable_ = true;
  return from_errno(errno);
}

Answer ProbeSocket::create(int type, const std::optional<sockkit::SockAddress>& source) {
  fd_ = ::socket(peer_.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return setup_failed(errno);
  sockkit::enable_icmp_errors(fd_, peer_.ss_family);
  int one = 1;
  if (source) {
    // Many probes from one source address: the port is chosen at connect() time,
    // per destination, so the ephemeral range is not used up by bind().
    if (source->port() == 0) ::setsockopt(fd_, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (source->port() != 0) ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, source->get(), source->size()) != 0) return setup_failed(errno);
  }
  return Answer{};
}

Answer ProbeSocket::start_tcp(const sockkit::SockAddress& host, std::uint16_t port,
                              const std::optional<sockkit::SockAddress>& source) {
  return open_socket(SOCK_STREAM, host, port, source);
}

Answer ProbeSocket::start_udp(const sockkit::SockAddress& host, std::uint16_t port,
                              const std::optional<sockkit::SockAddress>& source) {
  Answer a = open_socket(SOCK_DGRAM, host, port, source);
  if (a.kind == AnswerKind::done) return a;
  auto payload = sockkit::udp_probe_payload(port);
  if (::send(fd_, payload.data(), payload.size(), MSG_NOSIGNAL) < 0) return from_errno(errno, true);
  return Answer{};
}

// A port we connected to from itself: with the loopback address and a local port
// equal to the target port, the kernel joins the socket to itself (TCP simultaneous
// open, or a datagram to our own port) and the port only looks open.
bool ProbeSocket::talking_to_itself() const {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0) return false;
  return same_endpoint(local, peer_);
}

Answer ProbeSocket::self_connected() {
  Answer a = done(State::closed);
  a.self_connect = true;
  return a;
}

Answer ProbeSocket::connected() {
  connected_ = true;
  if (talking_to_itself()) return self_connected();
  return done(State::open);
}

Answer ProbeSocket::from_errno(int err, bool at_once) {
  auto failure = sockkit::classify_failure(err, std::nullopt, at_once);
  if (may_have_icmp(failure.kind, udp_)) {
    if (auto icmp = sockkit::read_icmp_error(fd_)) return from_icmp(*icmp, err);
  }
  Answer a = done(failure_state(failure, udp_), err);
  a.failure = failure.kind;
  return a;
}

Answer ProbeSocket::from_icmp(const sockkit::IcmpError& icmp, int err) const {
  int error = icmp.error != 0 ? icmp.error : err;
  auto failure = sockkit::classify_failure(error, icmp);
  Answer a = done(failure_state(failure, udp_), error);
  a.failure = failure.kind;
  a.icmp6 = icmp.v6;
  a.icmp_type = icmp.type;
  a.icmp_code = icmp.code;
  return a;
}

Answer ProbeSocket::tcp_answer(std::uint32_t events) {
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    if (int err = sockkit::take_socket_error(fd_); err != 0) return from_errno(err);
    if ((events & EPOLLOUT) == 0) return from_errno(ECONNRESET);
  }
  if ((events & EPOLLOUT) != 0) return connected();
  return Answer{};
}

Answer ProbeSocket::udp_answer(std::uint32_t events) {
  if ((events & EPOLLERR) != 0) {
    if (auto icmp = sockkit::read_icmp_error(fd_)) return from_icmp(*icmp, 0);
    int err = sockkit::take_socket_error(fd_);
    return err != 0 ? from_errno(err) : Answer{};
  }
  std::array<char, kReplyBytes> reply{};
  ssize_t n = ::recv(fd_, reply.data(), reply.size(), MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EINTR ? Answer{} : from_errno(errno);
  if (talking_to_itself()) return self_connected();
  Answer a = done(State::open);
  a.payload.assign(reply.data(), static_cast<std::size_t>(n));
  return a;
}

bool ProbeSocket::read_banner(std::string& banner) {
  std::array<char, kReplyBytes> buf{};
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
  if (n > 0) banner.append(buf.data(), static_cast<std::size_t>(n));
  return true;
}

}  // namespace sk_probe
