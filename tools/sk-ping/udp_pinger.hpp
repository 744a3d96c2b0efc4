// The UDP echo ping: one connected socket, sequence-numbered and timestamped
// datagrams, and the bookkeeping that tells a reply from a late one, a duplicate or one
// that overtook an earlier datagram.
#pragma once

#include <cstdint>
#include <vector>

#include "attempt.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/ping_datagram.hpp"
#include "tcp_attempt.hpp"

namespace sk_ping {

class UdpPinger : public sockkit::IoHandler, public sockkit::TimerHandler {
 public:
  UdpPinger(sockkit::EventLoop& loop, const Plan& plan, AttemptSink& sink);
  UdpPinger(const UdpPinger&) = delete;
  UdpPinger& operator=(const UdpPinger&) = delete;
  ~UdpPinger();

  void send(std::uint64_t seq, const sockkit::SockAddress& peer, double dns_ms);
  [[nodiscard]] std::size_t pending() const noexcept { return pending_; }
  // The run is over: every datagram still waiting is reported in_flight.
  void abandon();

  void on_io(int fd, std::uint32_t events) override;
  void on_timer(std::uint64_t cookie) override;

 private:
  struct Slot {
    std::uint64_t seq = 0;
    sockkit::EventLoop::TimerId timer{};
    bool timed_out = false;  // reported as a timeout: a reply now is a late one
    AttemptResult result;
  };

  [[nodiscard]] bool connect_to(const sockkit::SockAddress& peer, AttemptResult& result);
  void read_replies();
  void read_errors();
  void reply(const sockkit::PingDatagram& ping);
  void settle(Slot& slot, Outcome outcome);
  [[nodiscard]] Slot& slot_of(std::uint64_t seq) noexcept;
  [[nodiscard]] Slot* pending_slot(std::uint64_t seq) noexcept;

  sockkit::EventLoop& loop_;
  const Plan& plan_;
  AttemptSink& sink_;
  sockkit::Fd fd_;
  sockkit::SockAddress connected_to_;
  std::uint32_t run_id_;
  std::uint64_t sent_ = 0;
  std::size_t pending_ = 0;
  std::vector<Slot> slots_;  // ring indexed by seq, sized to what can be in flight
  std::vector<std::byte> datagram_;
  std::vector<std::byte> receive_;
  sockkit::SequenceWindow window_;
};

}  // namespace sk_ping
