// The progress line on stderr for scans that last: done/total, rate and time left,
// redrawn a few times a second, only when stderr is a terminal, and only after the
// first second (a quick scan never flickers).
#pragma once

#include <chrono>
#include <cstdint>

namespace sk_probe {

class Progress {
 public:
  Progress(bool enabled, std::uint64_t total);
  // Called from the scan's timer; draws when due.
  void tick(std::uint64_t done);
  // Erases the line, so results and the summary start clean.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  std::uint64_t total_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point next_draw_ = start_ + std::chrono::seconds(1);
};

}  // namespace sk_probe
