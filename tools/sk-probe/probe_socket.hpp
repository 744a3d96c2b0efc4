// One probe's socket: a non-blocking TCP connect or a connected UDP socket with
// IP_RECVERR, and the reading of whatever answer the network gives (a SYN-ACK, a
// reset, an ICMP error with its type and code, a datagram, or nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "probe.hpp"
#include "sockkit/address.hpp"
#include "sockkit/icmp_error.hpp"

namespace sk_probe {

enum class AnswerKind : std::uint8_t { pending, done };

struct Answer {
  AnswerKind kind = AnswerKind::pending;
  State state = State::error;
  int error = 0;
  sockkit::FailureKind failure = sockkit::FailureKind::other;  // meaningful when error != 0
  int icmp_type = -1;
  int icmp_code = -1;
  bool icmp6 = false;
  bool self_connect = false;
  std::string payload;  // UDP: the first bytes of the reply
};

class ProbeSocket {
 public:
  ProbeSocket() = default;
  ProbeSocket(const ProbeSocket&) = delete;
  ProbeSocket& operator=(const ProbeSocket&) = delete;
  ProbeSocket(ProbeSocket&& other) noexcept;
  ProbeSocket& operator=(ProbeSocket&&) = delete;
  ~ProbeSocket() { close(false); }

  // Opens and connects; `done` when the answer is already known (a local error, an
  // immediate refusal), `pending` while the network has to answer.
  [[nodiscard]] Answer start_tcp(const sockkit::SockAddress& host, std::uint16_t port,
                                 const std::optional<sockkit::SockAddress>& source);
  [[nodiscard]] Answer start_udp(const sockkit::SockAddress& host, std::uint16_t port,
                                 const std::optional<sockkit::SockAddress>& source);

  [[nodiscard]] Answer tcp_answer(std::uint32_t events);
  [[nodiscard]] Answer udp_answer(std::uint32_t events);
  // Appends what the service sent; false while nothing has arrived yet.
  [[nodiscard]] bool read_banner(std::string& banner);

  // A connected TCP socket closes with a reset when `rst`: no TIME_WAIT is left.
  void close(bool rst) noexcept;
  // The probe is over: closes the socket, or keeps it for the next probe when the
  // kernel left it reusable (an immediate refusal on loopback); fd() is then stale.
  void release(bool rst) noexcept;
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] std::uint32_t interest() const noexcept;

 private:
  [[nodiscard]] Answer open_socket(int type, const sockkit::SockAddress& host, std::uint16_t port,
                                   const std::optional<sockkit::SockAddress>& source);
  [[nodiscard]] Answer create(int type, const std::optional<sockkit::SockAddress>& source);
  [[nodiscard]] Answer connected();
  [[nodiscard]] Answer self_connected();
  // `at_once`: connect() or send() itself failed, on this host.
  [[nodiscard]] Answer from_errno(int err, bool at_once = false);
  [[nodiscard]] Answer from_icmp(const sockkit::IcmpError& icmp, int err) const;
  [[nodiscard]] bool talking_to_itself() const;

  int fd_ = -1;
  bool udp_ = false;
  bool connected_ = false;
  sockaddr_storage peer_{};
  socklen_t peer_len_ = 0;
  bool reusable_ = false;
};

}  // namespace sk_probe
