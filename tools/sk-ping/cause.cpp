// Why attempts failed, in the few words a summary line or a note can carry, in the
// library's wording (sockkit/outcome.hpp) so the reasons read as sk-probe's do.
#include "report.hpp"
#include "sockkit/outcome.hpp"

namespace sk_ping {

std::string cause_text(const FailureCause& cause) {
  if (cause.count == 0) return "";
  std::string text;
  if (!cause.icmp && !cause.note.empty()) {
    text = cause.note;
  } else if (cause.icmp || cause.error != 0) {
    text = sockkit::failure_brief(sockkit::classify_failure(cause.error, cause.icmp, cause.local));
  }
  if (!text.empty() && cause.mixed) text += ", and others";
  return text;
}

}  // namespace sk_ping
