#include "tally.hpp"

#include <cerrno>

namespace sk_ping {

namespace {

bool same_icmp(const std::optional<sockkit::IcmpError>& a,
               const std::optional<sockkit::IcmpError>& b) noexcept {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->type == b->type && a->code == b->code && a->v6 == b->v6;
}

}  // namespace

void FailureCause::add(const AttemptResult& r) noexcept {
  if (count++ == 0) {
    error = r.error;
    icmp = r.icmp;
    note = r.note;
    local = r.local;
    return;
  }
  if (error != r.error || note != r.note || local != r.local || !same_icmp(icmp, r.icmp)) {
    mixed = true;
  }
}

void Tally::add(const AttemptResult& r) {
  if (r.duplicate) {
    ++duplicates;
    return;
  }
  if (r.late) {
    // Already counted as a timeout when its time ran out; now it came after all.
    ++late;
    --outcomes[static_cast<std::size_t>(Outcome::timeout)];
    ++outcomes[static_cast<std::size_t>(Outcome::reply)];
    rtt.add(r.rtt_ms);
    if (r.reordered) ++reordered;
    return;
  }
  ++sent;
  ++outcomes[static_cast<std::size_t>(r.outcome)];
  if (r.outcome == Outcome::error && (r.error == EMFILE || r.error == ENFILE)) ++out_of_descriptors;
  if (r.outcome == Outcome::error || r.outcome == Outcome::unreachable ||
      r.outcome == Outcome::mismatch) {
    causes[static_cast<std::size_t>(r.outcome)].add(r);
  }
  if (r.outcome == Outcome::unreachable) (r.local ? local_unreachable : remote_unreachable).add(r);
  // A mismatch completed its handshake: its time belongs with the others.
  if (succeeded(r.outcome) || (r.outcome == Outcome::mismatch && r.rtt_ms >= 0)) rtt.add(r.rtt_ms);
  if (r.reordered) ++reordered;
  if (r.ttfb_ms >= 0) ttfb.add(r.ttfb_ms);
  if (r.close_ms >= 0 && r.close_end == CloseEnd::fin) close.add(r.close_ms);
  ++close_ends[static_cast<std::size_t>(r.close_end)];
  if (r.close_end == CloseEnd::timeout && r.close_bytes > 0) ++close_kept_sending;
  if (r.dns_ms >= 0) dns.add(r.dns_ms);
  // A connect() that failed on this host sent no SYN to count.
  if (!udp && !r.local && r.outcome != Outcome::in_flight && r.outcome != Outcome::error) {
    syn_sent += 1 + r.syn_retrans;
    syn_retrans += r.syn_retrans;
    if (r.syn_retrans > 0 && r.outcome != Outcome::timeout) ++retransmitted_attempts;
  }
}

std::uint64_t Tally::answered() const noexcept {
  return count(Outcome::connected) + count(Outcome::reply);
}

std::uint64_t Tally::failed() const noexcept {
  return sent - answered();
}

double Tally::loss_pct() const noexcept {
  return sent == 0 ? 0.0 : 100.0 * static_cast<double>(failed()) / static_cast<double>(sent);
}

double Tally::syn_loss_pct() const noexcept {
  if (syn_sent == 0) return 0.0;
  auto unanswered = syn_retrans + count(Outcome::timeout);
  return 100.0 * static_cast<double>(unanswered) / static_cast<double>(syn_sent);
}

}  // namespace sk_ping
