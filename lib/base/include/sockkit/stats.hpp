// Statistics for timings: count, min, mean, max, mdev (as iputils ping computes it),
// and percentiles, exact while the sample is small and from a bounded-memory
// log-linear histogram after, so a ping can run for days in constant memory.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Buckets are 64 linear slices of each power of two between 2^-20 and 2^40, so any
// value in that range is placed within 0.8% of its true size. Fixed size: 31 KiB.
class LogHistogram {
 public:
  static constexpr int kSubBuckets = 64;
  static constexpr int kMinExponent = -20;
  static constexpr int kMaxExponent = 40;
  static constexpr std::size_t kBucketCount =
      static_cast<std::size_t>(kMaxExponent - kMinExponent + 1) * kSubBuckets + 1;

  struct Bucket {
    double low;   // inclusive
    double high;  // exclusive
    std::uint64_t count;
  };

  // Values must be >= 0; zero and values below the range share the first bucket,
  // values above it the last.
  void add(double value);
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  // The q-quantile (0 <= q <= 1) as the middle of the bucket that holds it.
  [[nodiscard]] double quantile(double q) const;
  [[nodiscard]] std::vector<Bucket> non_empty_buckets() const;

  [[nodiscard]] static std::size_t bucket_index(double value);
  [[nodiscard]] static Bucket bucket_bounds(std::size_t index);

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
};

class Summary {
 public:
  // Samples are kept for exact percentiles until there are more than `exact_limit`;
  // then only the histogram answers.
  explicit Summary(std::size_t exact_limit = 10000) : exact_limit_(exact_limit) {}

  // Throws std::invalid_argument for negative or NaN values.
  void add(double value);

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] double min() const noexcept { return count_ ? min_ : 0.0; }
  [[nodiscard]] double max() const noexcept { return count_ ? max_ : 0.0; }
  [[nodiscard]] double mean() const noexcept { return count_ ? mean_ : 0.0; }
  [[nodiscard]] double sum() const noexcept { return sum_; }
  // Population standard deviation: sqrt(E[x^2] - E[x]^2), the "mdev" of iputils
  // ping, computed with Welford's update so long runs do not lose precision.
  [[nodiscard]] double mdev() const noexcept;
  // Nearest-rank percentile (0 < p <= 100): an observed value while exact(), a
  // histogram estimate (within 0.8%) clamped to [min, max] after.
  [[nodiscard]] double percentile(double p) const;
  [[nodiscard]] bool exact() const noexcept { return count_ <= exact_limit_; }
  [[nodiscard]] const LogHistogram& histogram() const noexcept { return histogram_; }

 private:
  std::size_t exact_limit_;
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0, mean_ = 0, m2_ = 0, sum_ = 0;
  mutable std::vector<double> samples_;
  mutable bool sorted_ = true;
  LogHistogram histogram_;
};

}  // namespace sockkit

SOCKKIT_API_END
