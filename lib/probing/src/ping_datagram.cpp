#include "sockkit/ping_datagram.hpp"

#include <algorithm>
#include <cstring>

namespace sockkit {

namespace {

constexpr std::byte kMagic[4] = {std::byte{'S'}, std::byte{'K'}, std::byte{'P'}, std::byte{'G'}};
constexpr std::byte kVersion{1};

void put_be(std::byte* at, std::uint64_t value, int bytes) noexcept {
  for (int i = bytes - 1; i >= 0; --i) {
    at[i] = static_cast<std::byte>(value & 0xff);
    value >>= 8;
  }
}

std::uint64_t get_be(const std::byte* at, int bytes) noexcept {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<std::uint8_t>(at[i]);
  return value;
}

}  // namespace

void encode_ping(const PingDatagram& ping, std::span<std::byte> out) noexcept {
  if (out.size() < kPingHeaderSize) return;
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  out[4] = kVersion;
  out[5] = out[6] = out[7] = std::byte{0};
  put_be(out.data() + 8, ping.run_id, 4);
  put_be(out.data() + 12, ping.seq, 8);
  put_be(out.data() + 20, ping.sent_ns, 8);
}

std::optional<PingDatagram> decode_ping(std::span<const std::byte> in) noexcept {
  if (in.size() < kPingHeaderSize) return std::nullopt;
  if (std::memcmp(in.data(), kMagic, sizeof kMagic) != 0 || in[4] != kVersion) return std::nullopt;
  PingDatagram out;
  out.run_id = static_cast<std::uint32_t>(get_be(in.data() + 8, 4));
  out.seq = get_be(in.data() + 12, 8);
  out.sent_ns = get_be(in.data() + 20, 8);
  return out;
}

bool SequenceWindow::test_and_set(std::uint64_t seq) noexcept {
  auto bit = seq % kSpan;
  auto mask = std::uint64_t{1} << (bit % 64);
  auto& word = bits_[bit / 64];
  bool was = (word & mask) != 0;
  word |= mask;
  return was;
}

void SequenceWindow::clear(std::uint64_t seq) noexcept {
  auto bit = seq % kSpan;
  bits_[bit / 64] &= ~(std::uint64_t{1} << (bit % 64));
}

SequenceWindow::Verdict SequenceWindow::record(std::uint64_t seq) noexcept {
  if (seq > highest_) {
    // The slots between the old and the new highest now stand for newer numbers.
    if (seq - highest_ >= kSpan) {
      std::fill(bits_.begin(), bits_.end(), 0);
    } else {
      for (auto s = highest_ + 1; s < seq; ++s) clear(s);
      clear(seq);
    }
    highest_ = seq;
    (void)test_and_set(seq);
    return {Arrival::first, false};
  }
  if (highest_ - seq >= kSpan) return {Arrival::stale, false};
  if (test_and_set(seq)) return {Arrival::duplicate, false};
  return {Arrival::first, true};
}

}  // namespace sockkit
