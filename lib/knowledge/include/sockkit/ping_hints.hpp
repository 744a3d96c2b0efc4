// What a run of repeated connection attempts (sk-ping) points at: the notes printed
// under its summary, each naming the likely causes in the order an operator should rule
// them out and where to look next. The texts and the conditions that choose them are one
// table beside the rest of the knowledge base, where sk-explain can reach the same words.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// How a run of attempts ended, in the counts the hints are chosen by.
struct PingCounts {
  bool udp = false;
  std::uint16_t port = 0;
  std::uint64_t sent = 0;
  std::uint64_t connected = 0;           // TCP: handshakes completed, answered as expected or not
  std::uint64_t answered = 0;            // replies or completed handshakes, late ones included
  std::uint64_t refused = 0;             // TCP: a reset; UDP: ICMP port unreachable
  std::uint64_t timeouts = 0;            // no answer in time
  std::uint64_t mismatched = 0;          // connected, but the answer was not the one expected
  std::uint64_t retransmitted = 0;       // handshakes that needed a SYN sent again
  std::uint64_t out_of_descriptors = 0;  // attempts that could not open a socket
  std::uint64_t duplicates = 0;          // UDP
  std::uint64_t reordered = 0;           // UDP
  std::uint64_t local_unreachable = 0;   // connect() failed on this host: nothing was sent
  std::string local_cause;               // in a few words: "ENETUNREACH: no route on this host"
  std::uint64_t remote_unreachable = 0;  // stopped on the way, after the SYN left
  bool remote_icmp = false;              // by an ICMP error, rather than an errno alone
  std::string remote_cause;
  std::uint64_t close_timeouts = 0;      // --close: the peer's FIN did not come in time
  std::uint64_t close_kept_sending = 0;  // of them, while the peer still sent data
};

// One note. `text` is a fmt format string over the named fields of PingCounts ({port},
// {sent}, {timeouts}, ...) and {plural_retransmitted} ("" for one, "s" for more).
struct PingHint {
  std::string_view key;   // "all_refused": a stable name for the note
  std::string_view when;  // what in the counts chooses it, one line for people
  bool (*applies)(const PingCounts&);
  std::string_view text;
};

// Every note in the order they are printed: TCP's and UDP's, then those of both.
[[nodiscard]] std::span<const PingHint> ping_hints();
// The notes that apply to a run, their fields filled in.
[[nodiscard]] std::vector<std::string> ping_notes(const PingCounts& counts);

}  // namespace sockkit

SOCKKIT_API_END
