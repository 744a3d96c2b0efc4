// What a run adds up to: attempts by outcome, the times in bounded memory (exact
// percentiles for the first 10,000, a fixed histogram after), SYN retransmissions,
// and for UDP the duplicates, reorderings and late replies.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "attempt.hpp"
#include "sockkit/stats.hpp"

namespace sk_ping {

// Why attempts of one kind failed: the first one's reason and whether a later one
// differed, so a summary names the reason without keeping every attempt.
struct FailureCause {
  std::uint64_t count = 0;
  int error = 0;
  std::optional<sockkit::IcmpError> icmp;
  std::string_view note;
  bool local = false;
  bool mixed = false;  // not every attempt failed for the first one's reason

  void add(const AttemptResult& result) noexcept;
};

struct Tally {
  std::uint64_t sent = 0;
  std::array<std::uint64_t, kOutcomeCount> outcomes{};
  sockkit::Summary rtt;  // connected handshakes, or UDP replies
  sockkit::Summary ttfb;
  sockkit::Summary close;
  sockkit::Summary dns;
  std::array<std::uint64_t, 4> close_ends{};  // by CloseEnd
  std::uint64_t syn_sent = 0;
  std::uint64_t syn_retrans = 0;
  std::uint64_t retransmitted_attempts = 0;  // answered only after a SYN was sent again
  std::uint64_t out_of_descriptors = 0;      // attempts that could not open a socket (EMFILE)
  std::array<FailureCause, kOutcomeCount> causes{};  // for error, unreachable and mismatch
  FailureCause local_unreachable;        // connect() failed on this host: nothing was sent
  FailureCause remote_unreachable;       // an ICMP error (or a failure after the SYN left)
  std::uint64_t close_kept_sending = 0;  // close timeouts while the peer still sent data
  std::uint64_t duplicates = 0;
  std::uint64_t reordered = 0;
  std::uint64_t late = 0;
  double duration_s = 0;
  bool interrupted = false;
  bool udp = false;

  void add(const AttemptResult& result);

  [[nodiscard]] std::uint64_t count(Outcome outcome) const noexcept {
    return outcomes[static_cast<std::size_t>(outcome)];
  }
  [[nodiscard]] const FailureCause& cause(Outcome outcome) const noexcept {
    return causes[static_cast<std::size_t>(outcome)];
  }
  // Connected handshakes, or UDP datagrams that came back (late ones included).
  [[nodiscard]] std::uint64_t answered() const noexcept;
  [[nodiscard]] std::uint64_t failed() const noexcept;
  // Attempts without success, as ping counts loss: sent ones that never came back.
  [[nodiscard]] double loss_pct() const noexcept;
  // SYNs that got no answer (each retransmission means one), of those sent.
  [[nodiscard]] double syn_loss_pct() const noexcept;
};

}  // namespace sk_ping
