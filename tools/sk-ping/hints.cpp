// The run's counts in the knowledge base's terms; the notes and the rules that choose
// them live in sockkit/ping_hints.hpp.
#include "report.hpp"
#include "sockkit/ping_hints.hpp"

namespace sk_ping {

sockkit::PingCounts ping_counts(const Plan& plan, const Tally& t) {
  sockkit::PingCounts c;
  c.udp = plan.udp;
  c.port = static_cast<std::uint16_t>(plan.port);
  c.sent = t.sent;
  c.connected = t.count(Outcome::connected) + t.count(Outcome::mismatch);
  c.answered = t.answered();
  c.refused = t.count(Outcome::refused);
  c.timeouts = t.count(Outcome::timeout);
  c.mismatched = t.count(Outcome::mismatch);
  c.retransmitted = t.retransmitted_attempts;
  c.out_of_descriptors = t.out_of_descriptors;
  c.duplicates = t.duplicates;
  c.reordered = t.reordered;
  c.local_unreachable = t.local_unreachable.count;
  c.local_cause = cause_text(t.local_unreachable);
  c.remote_unreachable = t.remote_unreachable.count;
  c.remote_icmp = t.remote_unreachable.icmp.has_value();
  c.remote_cause = cause_text(t.remote_unreachable);
  c.close_timeouts = t.close_ends[static_cast<std::size_t>(CloseEnd::timeout)];
  c.close_kept_sending = t.close_kept_sending;
  return c;
}

std::vector<std::string> hints(const Plan& plan, const Tally& t) {
  return sockkit::ping_notes(ping_counts(plan, t));
}

}  // namespace sk_ping
