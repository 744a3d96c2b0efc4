// The client: send a payload to an echo service, check what comes back byte for
// byte, and time it. A refused, reset or silent peer is a result, not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.hpp"
#include "sockkit/address.hpp"
#include "sockkit/outcome.hpp"

namespace sk_echo {

// `local`: this client's own resources ran out (descriptors, memory, local ports), not
// the network. `other`: an errno of no kind above, named as it is.
enum class Outcome { intact, mismatch, timeout, refused, reset, closed, unreachable, local, other };

struct EchoResult {
  Outcome outcome = Outcome::intact;
  sockkit::SockAddress peer;
  bool udp = false;
  std::size_t sent = 0;
  std::size_t received = 0;  // bytes of echo that matched before the end
  std::size_t mismatch_at = 0;
  double rtt_ms = 0;         // first byte sent to last byte back (UDP: the answered try)
  double connect_ms = 0;     // TCP only
  unsigned attempts = 0;     // UDP: datagrams sent
  int error = 0;             // errno behind refused, reset, unreachable, local, other
  sockkit::Failure failure;  // how that errno (and an ICMP error, UDP) was classified
  bool eof_missing = false;  // --half-close timeout: the whole echo came, the server's FIN not
};

[[nodiscard]] EchoResult run_tcp_client(const ClientConfig& config,
                                        const sockkit::SockAddress& peer);
[[nodiscard]] EchoResult run_udp_client(const ClientConfig& config,
                                        const sockkit::SockAddress& peer);

[[nodiscard]] std::string_view outcome_name(Outcome outcome);
// What a classified failure of connect(), send() or recv() means for the exchange.
[[nodiscard]] Outcome outcome_of(const sockkit::Failure& failure) noexcept;
// The same from the errno alone; `at_once`: connect() itself failed, on this host.
[[nodiscard]] Outcome outcome_of_errno(int err, bool at_once = false) noexcept;
// Records a failure in `result`: its errno, its classification and the outcome.
void set_failure(EchoResult& result, int err,
                 const std::optional<sockkit::IcmpError>& icmp = std::nullopt,
                 bool at_once = false) noexcept;
// One line for people, or one JSON object with "type":"echo".
[[nodiscard]] std::string render_result(const EchoResult& result, const ClientConfig& config);

}  // namespace sk_echo
