#include <fmt/format.h>

#include "client.hpp"
#include "sockkit/error.hpp"
#include "sockkit/json.hpp"

namespace sk_echo {

namespace {

std::string bytes(std::size_t n) {
  return fmt::format("{} byte{}", n, n == 1 ? "" : "s");
}

std::string describe(const EchoResult& r, const ClientConfig& config) {
  std::size_t total = config.payload.size();
  switch (r.outcome) {
    case Outcome::intact:
      if (r.udp) {
        return fmt::format("{} echoed intact, rtt {:.3f} ms (try {} of {})", bytes(r.received),
                           r.rtt_ms, r.attempts, config.retries + 1);
      }
      return fmt::format("{} echoed intact, rtt {:.3f} ms (connect {:.3f} ms)", bytes(r.received),
                         r.rtt_ms, r.connect_ms);
    case Outcome::mismatch:
      return fmt::format("mismatch: the echo differs at byte {} of {}", r.mismatch_at, total);
    case Outcome::timeout:
      if (r.udp) {
        return fmt::format("timeout: no echo after {} {} of {:.3f} s", r.attempts,
                           r.attempts == 1 ? "try" : "tries",
                           std::chrono::duration<double>(config.timeout).count());
      }
      if (r.eof_missing) {
        return fmt::format(
            "timeout: all {} echoed, but the server's EOF never came within {:.3f} s",
            bytes(r.received), std::chrono::duration<double>(config.timeout).count());
      }
      return fmt::format("timeout: {} of {} bytes echoed within {:.3f} s", r.received, total,
                         std::chrono::duration<double>(config.timeout).count());
    case Outcome::refused: return fmt::format("refused: {}", sockkit::failure_reason(r.failure));
    case Outcome::reset:
      return fmt::format("reset: {} after {} of {} bytes", sockkit::Errno{r.error}, r.received,
                         total);
    case Outcome::closed:
      return fmt::format("closed: the peer closed after {} of {} bytes", r.received, total);
    case Outcome::unreachable:
    case Outcome::local:
    case Outcome::other:
      return fmt::format("{}: {}", outcome_name(r.outcome), sockkit::failure_reason(r.failure));
  }
  return {};
}

}  // namespace

std::string render_result(const EchoResult& r, const ClientConfig& config) {
  const char* proto = r.udp ? "udp" : "tcp";
  if (config.format != sockkit::cli::Format::json) {
    return fmt::format("{} {}: {}\n", r.peer, proto, describe(r, config));
  }
  using sockkit::Json;
  bool ok = r.outcome == Outcome::intact;
  Json j = {{"type", "echo"},
            {"peer", r.peer.to_string()},
            {"protocol", proto},
            {"result", outcome_name(r.outcome)},
            {"bytes_sent", r.sent},
            {"bytes_received", r.received},
            {"rtt_ms", ok ? Json(r.rtt_ms) : Json(nullptr)},
            {"handshake_ms", ok && !r.udp ? Json(r.connect_ms) : Json(nullptr)},
            {"attempts", r.udp ? Json(r.attempts) : Json(nullptr)},
            {"mismatch_at", r.outcome == Outcome::mismatch ? Json(r.mismatch_at) : Json(nullptr)},
            {"error", r.error != 0 ? Json(sockkit::errno_name(r.error)) : Json(nullptr)},
            {"message", describe(r, config)}};
  return sockkit::to_json_text(j, sockkit::JsonLayout::line);
}

}  // namespace sk_echo
