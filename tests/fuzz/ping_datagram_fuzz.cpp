// UDP ping datagrams and the window of sequence numbers seen: decode_ping on each
// datagram of the input (a length byte, then that many bytes, repeated), and
// SequenceWindow::record on the sequence number of each one decoded.
//   A decoded header encodes back to the same bytes (reserved bytes zeroed); a datagram
//   shorter than the header or with another magic or version does not decode. The
//   window agrees with a model that remembers every number: above the highest is new,
//   more than kSpan below it is stale, otherwise a duplicate exactly when seen before,
//   and reordered when new but below the highest. A number recorded twice in a row is a
//   duplicate the second time (or stale both times); highest() never decreases.
#include <array>
#include <cstring>
#include <set>

#include "fuzz.hpp"
#include "sockkit/ping_datagram.hpp"

namespace {

using sockkit::SequenceWindow;

struct Model {
  std::set<std::uint64_t> seen;
  std::uint64_t highest = 0;

  SequenceWindow::Verdict record(std::uint64_t seq) {
    SequenceWindow::Verdict v;
    if (seq > highest) {
      highest = seq;
      v = {SequenceWindow::Arrival::first, false};
    } else if (highest - seq >= SequenceWindow::kSpan) {
      return {SequenceWindow::Arrival::stale, false};
    } else if (seen.contains(seq)) {
      v = {SequenceWindow::Arrival::duplicate, false};
    } else {
      v = {SequenceWindow::Arrival::first, true};
    }
    seen.insert(seq);
    return v;
  }
};

bool same(SequenceWindow::Verdict a, SequenceWindow::Verdict b) {
  return a.arrival == b.arrival && a.reordered == b.reordered;
}

void check_datagram(std::string_view datagram, SequenceWindow& window, Model& model) {
  auto in = std::span(reinterpret_cast<const std::byte*>(datagram.data()), datagram.size());
  auto ping = sockkit::decode_ping(in);
  bool ours =
      in.size() >= sockkit::kPingHeaderSize && datagram.substr(0, 4) == "SKPG" && datagram[4] == 1;
  FUZZ_CHECK(ping.has_value() == ours);
  if (!ping) return;
  std::array<std::byte, sockkit::kPingHeaderSize> header{};
  sockkit::encode_ping(*ping, header);
  std::array<std::byte, sockkit::kPingHeaderSize> expected{};
  std::memcpy(expected.data(), in.data(), expected.size());
  expected[5] = expected[6] = expected[7] = std::byte{0};
  FUZZ_CHECK(header == expected);

  auto before = window.highest();
  auto verdict = window.record(ping->seq);
  FUZZ_CHECK(same(verdict, model.record(ping->seq)));
  FUZZ_CHECK(window.highest() >= before && window.highest() == model.highest);
  if (ping->run_id % 2 == 1) {  // the network sent it twice
    auto again = window.record(ping->seq);
    auto want = verdict.arrival == SequenceWindow::Arrival::stale
                    ? SequenceWindow::Arrival::stale
                    : SequenceWindow::Arrival::duplicate;
    FUZZ_CHECK(again.arrival == want && !again.reordered);
    FUZZ_CHECK(same(again, model.record(ping->seq)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader input(data, size);
  SequenceWindow window;
  Model model;
  while (input.left() > 0) {
    auto length = input.take<std::uint8_t>();
    check_datagram(input.take_text(length), window, model);
  }
  return 0;
}
