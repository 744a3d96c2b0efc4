// The client: send a payload to an echo service, check what comes back byte for
// byte, and time it. A refused, reset or silent peer is a result, not an error.
#pragma once

#include <cstdint>
#include <string>

#include "config.hpp"
#include "sockkit/address.hpp"

namespace sk_echo {

// `local`: this client's own resources ran out (descriptors or memory), not the network.
enum class Outcome { intact, mismatch, timeout, refused, reset, closed, unreachable, local };

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
  int error = 0;             // errno behind refused, reset, unreachable
  bool eof_missing = false;  // --half-close timeout: the whole echo came, the server's FIN not
};

[[nodiscard]] EchoResult run_tcp_client(const ClientConfig& config,
                                        const sockkit::SockAddress& peer);
[[nodiscard]] EchoResult run_udp_client(const ClientConfig& config,
                                        const sockkit::SockAddress& peer);

[[nodiscard]] std::string_view outcome_name(Outcome outcome);
// What a failed connect(), send() or recv() means for the exchange.
[[nodiscard]] Outcome outcome_of_errno(int err);
// One line for people, or one JSON object with "type":"echo".
[[nodiscard]] std::string render_result(const EchoResult& result, const ClientConfig& config);

}  // namespace sk_echo
