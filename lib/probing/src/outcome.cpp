#include "sockkit/outcome.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sockkit {

namespace {

FailureKind kind_of_errno(int err, bool at_once) noexcept {
  switch (err) {
    case ECONNREFUSED: return FailureKind::refused;
    case ECONNRESET:
    case EPIPE: return FailureKind::reset;
    case ETIMEDOUT: return FailureKind::timeout;
    // An unreachable route on this host answers connect() itself; from a router the
    // same errnos come later, through SO_ERROR.
    case ENETUNREACH:
    case EHOSTUNREACH: return at_once ? FailureKind::no_route : FailureKind::unreachable;
    case EHOSTDOWN:
    case ENONET:
    case EPROTO:
    case ENOPROTOOPT: return FailureKind::unreachable;
    // A netfilter drop in OUTPUT gives EPERM; a prohibit route (or a security module)
    // EACCES. Either way it is this host's own policy.
    case EPERM:
    case EACCES: return FailureKind::local_firewall;
    case EADDRNOTAVAIL: return FailureKind::no_local_address;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM: return FailureKind::out_of_resources;
    default: return FailureKind::other;
  }
}

// What a kind means, for the kinds whose errno alone does not say it in words.
std::string_view meaning(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::refused: return "reset";
    case FailureKind::timeout: return "no answer in time";
    case FailureKind::local_firewall: return "refused by a local firewall";
    case FailureKind::no_route: return "no route on this host";
    case FailureKind::no_local_address: return "no local address";
    case FailureKind::out_of_resources: return "out of descriptors or memory";
    case FailureKind::reset:
    case FailureKind::unreachable:
    case FailureKind::other: return "";
  }
  return "";
}

std::string icmp_brief(const IcmpError& icmp) {
  return fmt::format("{}, ICMP{} type {} code {}", icmp_text(icmp), icmp.v6 ? "v6" : "", icmp.type,
                     icmp.code);
}

}  // namespace

Failure classify_failure(int err, const std::optional<IcmpError>& icmp, bool at_once) noexcept {
  Failure f;
  f.error = err;
  f.icmp = icmp;
  // The kernel gave up on its own schedule: an ICMP error it held meanwhile was soft.
  if (err == ETIMEDOUT) {
    f.kind = FailureKind::timeout;
  } else if (icmp) {
    f.kind = is_port_unreachable(*icmp) ? FailureKind::refused : FailureKind::unreachable;
  } else {
    f.kind = kind_of_errno(err, at_once);
  }
  return f;
}

std::string_view failure_kind_name(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::refused: return "refused";
    case FailureKind::reset: return "reset";
    case FailureKind::timeout: return "timeout";
    case FailureKind::unreachable: return "unreachable";
    case FailureKind::local_firewall: return "local_firewall";
    case FailureKind::no_route: return "no_route";
    case FailureKind::no_local_address: return "no_local_address";
    case FailureKind::out_of_resources: return "out_of_resources";
    case FailureKind::other: return "other";
  }
  return "other";
}

bool is_local_failure(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::refused:
    case FailureKind::reset:
    case FailureKind::timeout:
    case FailureKind::unreachable: return false;
    case FailureKind::local_firewall:
    case FailureKind::no_route:
    case FailureKind::no_local_address:
    case FailureKind::out_of_resources:
    case FailureKind::other: return true;
  }
  return true;
}

std::string failure_reason(const Failure& f) {
  if (f.icmp && f.kind != FailureKind::timeout) return describe_icmp(*f.icmp);
  // A TCP refusal is always a reset; its errno would add nothing.
  if (f.kind == FailureKind::refused) return std::string(meaning(f.kind));
  auto words = meaning(f.kind);
  if (words.empty()) return fmt::format("{}", Errno{f.error});
  return fmt::format("{} ({})", words, errno_name(f.error));
}

std::string failure_brief(const Failure& f) {
  if (f.icmp && f.kind != FailureKind::timeout) return icmp_brief(*f.icmp);
  auto words = meaning(f.kind);
  if (words.empty()) return fmt::format("{}", Errno{f.error});
  return fmt::format("{}: {}", errno_name(f.error), words);
}

}  // namespace sockkit
