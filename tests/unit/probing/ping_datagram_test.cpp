#include "sockkit/ping_datagram.hpp"

#include <array>
#include <vector>

#include <doctest/doctest.h>

using sockkit::PingDatagram;
using sockkit::SequenceWindow;
using Arrival = SequenceWindow::Arrival;

TEST_CASE("ping datagram: a header survives the round trip in network byte order") {
  std::array<std::byte, 64> buffer{};
  sockkit::encode_ping({0xdeadbeef, 0x0102030405060708ULL, 123456789ULL}, buffer);
  CHECK(buffer[0] == std::byte{'S'});
  CHECK(buffer[3] == std::byte{'G'});
  CHECK(buffer[12] == std::byte{0x01});  // most significant byte of the sequence first
  auto back = sockkit::decode_ping(buffer);
  REQUIRE(back);
  CHECK(back->run_id == 0xdeadbeef);
  CHECK(back->seq == 0x0102030405060708ULL);
  CHECK(back->sent_ns == 123456789ULL);
}

TEST_CASE("ping datagram: short or foreign or other-version input is refused") {
  std::array<std::byte, sockkit::kPingHeaderSize> buffer{};
  sockkit::encode_ping({1, 2, 3}, buffer);
  CHECK(sockkit::decode_ping(buffer));
  CHECK_FALSE(sockkit::decode_ping(std::span<const std::byte>(buffer.data(), buffer.size() - 1)));
  CHECK_FALSE(sockkit::decode_ping({}));
  auto other = buffer;
  other[4] = std::byte{2};
  CHECK_FALSE(sockkit::decode_ping(other));
  auto foreign = buffer;
  foreign[0] = std::byte{'X'};
  CHECK_FALSE(sockkit::decode_ping(foreign));
  std::array<std::byte, 4> tiny{};
  sockkit::encode_ping({1, 2, 3}, tiny);  // too small to hold a header: left alone
  CHECK(tiny[0] == std::byte{0});
}

TEST_CASE("sequence window: first arrivals and duplicates and reordering") {
  SequenceWindow window;
  auto v = window.record(1);
  CHECK(v.arrival == Arrival::first);
  CHECK_FALSE(v.reordered);
  CHECK(window.record(3).arrival == Arrival::first);
  v = window.record(2);
  CHECK(v.arrival == Arrival::first);
  CHECK(v.reordered);
  CHECK(window.record(2).arrival == Arrival::duplicate);
  CHECK(window.record(3).arrival == Arrival::duplicate);
  CHECK(window.highest() == 3);
}

TEST_CASE("sequence window: old numbers fall out and slots are reused cleanly") {
  SequenceWindow window;
  CHECK(window.record(1).arrival == Arrival::first);
  CHECK(window.record(1 + SequenceWindow::kSpan).arrival == Arrival::first);
  CHECK(window.record(1).arrival == Arrival::stale);
  // 2 is the oldest number the window still covers: new, and late.
  auto v = window.record(2);
  CHECK(v.arrival == Arrival::first);
  CHECK(v.reordered);
  // 2 + kSpan takes the slot 2 had: it must read as new, not a duplicate.
  CHECK(window.record(2 + SequenceWindow::kSpan).arrival == Arrival::first);
  CHECK(window.record(2).arrival == Arrival::stale);
  // A jump of more than the window clears everything.
  CHECK(window.record(10 * SequenceWindow::kSpan).arrival == Arrival::first);
  v = window.record(10 * SequenceWindow::kSpan - 5);
  CHECK(v.arrival == Arrival::first);
  CHECK(v.reordered);
}

TEST_CASE("sequence window: a long run in order has no duplicates") {
  SequenceWindow window;
  for (std::uint64_t seq = 1; seq <= 200000; ++seq) {
    auto v = window.record(seq);
    REQUIRE(v.arrival == Arrival::first);
    REQUIRE_FALSE(v.reordered);
  }
}
