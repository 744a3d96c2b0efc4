// A sample with its diagnosis: the census and the observations taken in one pass, the
// listeners with their drop counters in a second (cheap) one, the kernel's counters,
// and the rules. Across --watch samples it keeps the previous diagnosis for rates.
#pragma once

#include <chrono>
#include <optional>

#include "render.hpp"
#include "sockkit/diagnosis.hpp"

namespace sk_states {

class Diagnoser {
 public:
  // Reads the host-wide limits (tcp_max_orphans, tcp_mem), which only the initial
  // namespace shows: construct it before entering --netns.
  Diagnoser();

  [[nodiscard]] Sample take(const Query& query);

 private:
  sockkit::ProcessMap look_up(std::span<const std::uint32_t> inodes);

  sockkit::NetSysctls host_limits_;
  std::optional<sockkit::Diagnosis> previous_;
  std::optional<sockkit::KernelReadings> previous_readings_;
  std::chrono::steady_clock::time_point previous_at_;
  bool warned_unreadable_ = false;
  bool warned_unreadable_counters_ = false;
};

// Says once that other users' processes could not be read.
void warn_unreadable(std::size_t processes);

}  // namespace sk_states
