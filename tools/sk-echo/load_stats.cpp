#include <algorithm>
#include <cerrno>

#include "load.hpp"

namespace sk_echo {

std::uint64_t LoadStats::error_total() const noexcept {
  std::uint64_t total = 0;
  for (auto n : errors) total += n;
  return total;
}

void LoadStats::count_intact(double latency_ms) {
  latency.add(latency_ms);
  ++completed;
}

void LoadStats::count_failure(Outcome outcome, int error) noexcept {
  auto kind = static_cast<std::size_t>(outcome);
  if (errors[kind]++ == 0) first_errno[kind] = error;
  ++failed;
}

void LoadStats::count_connect(int error, double handshake_ms) {
  if (error == 0) {
    ++opened;
    handshake.add(handshake_ms);
  } else if (error == ECONNRESET || error == EPIPE) {
    ++opened;
  }
}

std::uint64_t requests_behind(double elapsed_s, double rate, std::uint64_t limit,
                              std::uint64_t started) noexcept {
  if (rate <= 0) return 0;
  // The first request is due at once, the next 1/rate later, and so on.
  auto due = static_cast<std::uint64_t>(elapsed_s * rate) + 1;
  if (limit != 0) due = std::min(due, limit);
  return due > started ? due - started : 0;
}

}  // namespace sk_echo
