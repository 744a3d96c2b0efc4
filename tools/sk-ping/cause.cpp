// Why attempts failed, in the few words a summary line or a note can carry.
#include <cerrno>

#include <fmt/format.h>

#include "report.hpp"
#include "sockkit/error.hpp"
#include "sockkit/icmp_error.hpp"

namespace sk_ping {

namespace {

// The errnos of local failures, said as what they mean here rather than as the C
// library's sentence (EADDRNOTAVAIL's "Cannot assign requested address").
std::string_view local_meaning(int err, bool local) {
  switch (err) {
    case ENETUNREACH: return local ? "no route on this host" : "";
    case EHOSTUNREACH: return local ? "an unreachable route on this host" : "";
    case EACCES:
    case EPERM: return "refused by a local firewall";
    case EADDRNOTAVAIL: return "no local address";
    case EADDRINUSE: return "the local address is in use";
    case EMFILE:
    case ENFILE: return "out of descriptors";
    case ENOMEM:
    case ENOBUFS: return "out of memory";
    default: return "";
  }
}

}  // namespace

std::string cause_text(const FailureCause& cause) {
  if (cause.count == 0) return "";
  std::string text;
  if (cause.icmp) {
    text = fmt::format("{}, ICMP{} type {} code {}", sockkit::icmp_text(*cause.icmp),
                       cause.icmp->v6 ? "v6" : "", cause.icmp->type, cause.icmp->code);
  } else if (!cause.note.empty()) {
    text = cause.note;
  } else if (cause.error != 0) {
    auto meaning = local_meaning(cause.error, cause.local);
    text = meaning.empty() ? fmt::format("{}", sockkit::Errno{cause.error})
                           : fmt::format("{}: {}", sockkit::errno_name(cause.error), meaning);
  }
  if (!text.empty() && cause.mixed) text += ", and others";
  return text;
}

}  // namespace sk_ping
