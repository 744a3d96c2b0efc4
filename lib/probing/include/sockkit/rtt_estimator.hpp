// Round-trip time as TCP estimates it (RFC 6298: a smoothed mean and a mean
// deviation), turned into a timeout for the next attempt. Probers learn the path from
// the answers they get and stop waiting the full configured time for silent ports.
#pragma once

#include <algorithm>
#include <chrono>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

class RttEstimator {
 public:
  using Duration = std::chrono::nanoseconds;

  void add(Duration sample) noexcept {
    double s = static_cast<double>(std::max(sample, Duration::zero()).count());
    if (samples_ == 0) {
      srtt_ = s;
      rttvar_ = s / 2;
    } else {
      rttvar_ = 0.75 * rttvar_ + 0.25 * std::abs(srtt_ - s);
      srtt_ = 0.875 * srtt_ + 0.125 * s;
    }
    ++samples_;
  }

  [[nodiscard]] bool known() const noexcept { return samples_ > 0; }
  [[nodiscard]] unsigned long samples() const noexcept { return samples_; }
  [[nodiscard]] Duration smoothed() const noexcept {
    return Duration(static_cast<Duration::rep>(srtt_));
  }

  // The wait before calling an attempt lost: the larger of 3 x SRTT and
  // SRTT + 4 x RTTVAR, kept within [floor, ceiling]; `ceiling` alone until a sample came.
  [[nodiscard]] Duration timeout(Duration floor, Duration ceiling) const noexcept {
    if (samples_ == 0) return ceiling;
    double wait = std::max(3 * srtt_, srtt_ + 4 * rttvar_);
    auto d = Duration(static_cast<Duration::rep>(wait));
    return std::clamp(d, std::min(floor, ceiling), ceiling);
  }

 private:
  double srtt_ = 0;
  double rttvar_ = 0;
  unsigned long samples_ = 0;
};

}  // namespace sockkit

SOCKKIT_API_END
