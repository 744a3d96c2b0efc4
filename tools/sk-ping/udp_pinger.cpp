#include "udp_pinger.hpp"

#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <chrono>

#include "sockkit/icmp_error.hpp"

namespace sk_ping {

namespace {

std::uint64_t steady_ns(Clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

std::uint32_t random_run_id() {
  std::uint32_t id = 0;
  if (::getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id) {
    id = static_cast<std::uint32_t>(steady_ns(Clock::now()) ^
                                    static_cast<std::uint64_t>(::getpid()));
  }
  return id;
}

// Room for every datagram that can be waiting at once (timeout / interval), in a
// power of two so a sequence number finds its slot with a mask.
std::size_t ring_size(const Plan& plan) {
  auto in_flight = static_cast<std::uint64_t>(plan.timeout / plan.interval) + 2;
  return std::bit_ceil(std::clamp<std::uint64_t>(in_flight, 16, 65536));
}

}  // namespace

UdpPinger::UdpPinger(sockkit::EventLoop& loop, const Plan& plan, AttemptSink& sink)
    : loop_(loop),
      plan_(plan),
      sink_(sink),
      run_id_(random_run_id()),
      slots_(ring_size(plan)),
      datagram_(plan.size),
      receive_(65536) {
  // The payload after the header is a fixed pattern, so an echo that mangles it is
  // at least a different datagram on the wire than one that was sent.
  for (std::size_t i = sockkit::kPingHeaderSize; i < datagram_.size(); ++i) {
    datagram_[i] = static_cast<std::byte>('a' + i % 26);
  }
}

UdpPinger::~UdpPinger() {
  for (auto& slot : slots_) loop_.cancel(slot.timer);
  if (fd_) loop_.unwatch(fd_.get());
}

bool UdpPinger::connect_to(const sockkit::SockAddress& peer, AttemptResult& result) {
  if (fd_ && connected_to_ == peer) return true;
  if (fd_ && connected_to_.family() != peer.family()) {
    loop_.unwatch(fd_.get());
    fd_.reset();
  }
  if (!fd_) {
    int fd = ::socket(peer.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      result.error = errno;
      return false;
    }
    fd_.reset(fd);
    sockkit::enable_icmp_errors(fd, peer.family());
    if (plan_.source && ::bind(fd, plan_.source->get(), plan_.source->size()) != 0) {
      result.error = errno;
      fd_.reset();
      return false;
    }
    loop_.watch(fd, EPOLLIN, *this);
  }
  if (::connect(fd_.get(), peer.get(), peer.size()) != 0) {
    result.error = errno;
    return false;
  }
  connected_to_ = peer;
  return true;
}

UdpPinger::Slot& UdpPinger::slot_of(std::uint64_t seq) noexcept {
  return slots_[seq & (slots_.size() - 1)];
}

UdpPinger::Slot* UdpPinger::pending_slot(std::uint64_t seq) noexcept {
  auto& slot = slot_of(seq);
  return slot.seq == seq && slot.timer.valid() ? &slot : nullptr;
}

void UdpPinger::send(std::uint64_t seq, const sockkit::SockAddress& peer, double dns_ms) {
  auto& slot = slot_of(seq);
  // A full ring: the oldest datagram has waited as long as any can; it is given up.
  if (slot.timer.valid()) settle(slot, Outcome::timeout);
  slot.seq = seq;
  slot.timed_out = false;
  slot.result = AttemptResult{};
  auto& r = slot.result;
  r.seq = seq;
  r.peer = peer;
  r.dns_ms = dns_ms;
  r.timestamp_s = wall_clock_s();
  sent_ = std::max(sent_, seq);
  if (!connect_to(peer, r)) {
    r.outcome = Outcome::error;
    sink_.on_result(r);
    return;
  }
  auto now = Clock::now();
  sockkit::encode_ping({run_id_, seq, steady_ns(now)}, datagram_);
  if (::send(fd_.get(), datagram_.data(), datagram_.size(), MSG_DONTWAIT) < 0) {
    r.error = errno;
    r.icmp = sockkit::read_icmp_error(fd_.get());
    r.outcome = failure_outcome(r.error, r.icmp);
    sink_.on_result(r);
    return;
  }
  slot.timer = loop_.add_timer(now + plan_.timeout, *this, seq);
  ++pending_;
}

void UdpPinger::settle(Slot& slot, Outcome outcome) {
  loop_.cancel(slot.timer);
  --pending_;
  slot.result.outcome = outcome;
  sink_.on_result(slot.result);
}

void UdpPinger::on_timer(std::uint64_t seq) {
  auto& slot = slot_of(seq);
  if (slot.seq != seq) return;
  slot.timed_out = true;
  settle(slot, Outcome::timeout);  // cancelling the timer that just fired is a no-op
}

void UdpPinger::on_io(int /*fd*/, std::uint32_t events) {
  if ((events & EPOLLERR) != 0) read_errors();
  if ((events & EPOLLIN) != 0) read_replies();
}

void UdpPinger::read_replies() {
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::recv(fd_.get(), receive_.data(), receive_.size(), MSG_DONTWAIT);
    if (n < 0) {
      // ECONNREFUSED and friends were already read, with their ICMP, from the queue.
      if (errno != EAGAIN && errno != EINTR) read_errors();
      return;
    }
    auto ping = sockkit::decode_ping(
        std::span<const std::byte>(receive_.data(), static_cast<std::size_t>(n)));
    // Not ours (another pinger of the same service, a stray datagram): ignored.
    if (!ping || ping->run_id != run_id_ || ping->seq == 0 || ping->seq > sent_) continue;
    reply(*ping);
  }
}

void UdpPinger::reply(const sockkit::PingDatagram& ping) {
  auto now = Clock::now();
  auto rtt_ns = steady_ns(now) - std::min(ping.sent_ns, steady_ns(now));
  auto verdict = window_.record(ping.seq);
  auto& slot = slot_of(ping.seq);
  // Older than the ring remembers: nothing trustworthy to say about it.
  if (verdict.arrival == sockkit::SequenceWindow::Arrival::stale || slot.seq != ping.seq) return;
  bool first = verdict.arrival == sockkit::SequenceWindow::Arrival::first;
  if (slot.timer.valid() && first) {
    slot.result.rtt_ms = static_cast<double>(rtt_ns) / 1e6;
    slot.result.reordered = verdict.reordered;
    settle(slot, Outcome::reply);
    return;
  }
  if (!first || slot.timed_out) {
    // A copy of the result: the slot keeps what was reported for the sequence number.
    AttemptResult r = slot.result;
    r.outcome = Outcome::reply;
    r.rtt_ms = static_cast<double>(rtt_ns) / 1e6;
    r.duplicate = !first;
    r.late = first;
    r.reordered = first && verdict.reordered;
    slot.timed_out = false;
    sink_.on_result(r);
  }
}

void UdpPinger::read_errors() {
  std::array<std::byte, sockkit::kPingHeaderSize> offending{};
  while (auto icmp = sockkit::read_icmp_error(fd_.get(), offending)) {
    auto ping =
        sockkit::decode_ping(std::span<const std::byte>(offending.data(), icmp->payload_size));
    Slot* slot = ping && ping->run_id == run_id_ ? pending_slot(ping->seq) : nullptr;
    if (slot == nullptr) continue;
    slot->result.icmp = icmp;
    slot->result.error = icmp->error;
    slot->result.rtt_ms = -1;
    settle(*slot, sockkit::is_port_unreachable(*icmp) ? Outcome::refused : Outcome::unreachable);
  }
  (void)sockkit::take_socket_error(fd_.get());
}

void UdpPinger::abandon() {
  for (auto& slot : slots_) {
    if (slot.timer.valid()) settle(slot, Outcome::in_flight);
  }
}

}  // namespace sk_ping
