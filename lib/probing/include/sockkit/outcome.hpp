// Why a connect(), send() or recv() failed, in one vocabulary for every command: the
// errno it returned (or SO_ERROR held) and the ICMP error the socket's error queue
// held, if any, sorted into the few kinds an operator acts on differently. The tools
// map a kind onto their own result states (sk-probe's closed/filtered/unreachable,
// sk-ping's refused/unreachable/error, sk-echo's refused/unreachable/local) and
// take the reason text from here, so one errno reads the same everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/icmp_error.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class FailureKind : std::uint8_t {
  refused,           // a reset to the SYN, or an ICMP port unreachable
  reset,             // a connection that was up, aborted by the peer (ECONNRESET, EPIPE)
  timeout,           // no answer in the kernel's time (ETIMEDOUT)
  unreachable,       // an ICMP error on the path, or the errno the kernel maps one to
  local_firewall,    // this host's own rules refused to send (EPERM, EACCES)
  no_route,          // this host has no route: connect() failed at once, nothing was sent
  no_local_address,  // no local address or port to send from (EADDRNOTAVAIL)
  out_of_resources,  // this host ran out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM)
  other,             // any other errno, named as it is
};
inline constexpr std::size_t kFailureKindCount = 9;

struct Failure {
  FailureKind kind = FailureKind::other;
  int error = 0;  // the errno behind it (for an ICMP error: the one the kernel mapped it to)
  std::optional<IcmpError> icmp;
};

// `err`: the errno of the failed call or SO_ERROR. `icmp`: what the error queue held,
// which decides when present (an ICMP port unreachable is a refusal, any other ICMP
// error is unreachable, whatever errno it came as). `at_once`: the call itself failed
// on this host (connect() did not return EINPROGRESS), which is what tells a missing
// route here from an ICMP unreachable from a router.
[[nodiscard]] Failure classify_failure(int err, const std::optional<IcmpError>& icmp = std::nullopt,
                                       bool at_once = false) noexcept;

// "refused", "reset", "timeout", "unreachable", "local_firewall", "no_route",
// "no_local_address", "out_of_resources", "other".
[[nodiscard]] std::string_view failure_kind_name(FailureKind kind) noexcept;

// True when the failure happened on this host and nothing crossed the network, so
// its time says nothing about the path.
[[nodiscard]] bool is_local_failure(FailureKind kind) noexcept;

// The reason as a result line or a reason column carries it, one wording per kind:
// "reset", "port unreachable (ICMP type 3 code 3)", "refused by a local firewall
// (EPERM)", "no route on this host (ENETUNREACH)", "EINVAL (Invalid argument)".
[[nodiscard]] std::string failure_reason(const Failure& failure);

// The same reason, shaped to sit inside parentheses after a count, as summaries use it:
// "administratively prohibited, ICMP type 3 code 13", "EADDRNOTAVAIL: no local address",
// "ECONNRESET (Connection reset by peer)".
[[nodiscard]] std::string failure_brief(const Failure& failure);

}  // namespace sockkit

SOCKKIT_API_END
