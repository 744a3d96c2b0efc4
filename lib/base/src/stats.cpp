#include "sockkit/stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sockkit {

std::size_t LogHistogram::bucket_index(double value) {
  if (!(value > 0)) return 0;
  if (std::isinf(value)) return kBucketCount - 1;
  int exponent = 0;
  double mantissa = std::frexp(value, &exponent);  // value = mantissa * 2^exponent, 0.5 <= m < 1
  if (exponent < kMinExponent) return 0;
  if (exponent > kMaxExponent) return kBucketCount - 1;
  auto sub = static_cast<std::size_t>((mantissa - 0.5) * 2.0 * kSubBuckets);
  sub = std::min<std::size_t>(sub, kSubBuckets - 1);
  return 1 + static_cast<std::size_t>(exponent - kMinExponent) * kSubBuckets + sub;
}

LogHistogram::Bucket LogHistogram::bucket_bounds(std::size_t index) {
  if (index == 0) return {0.0, std::ldexp(0.5, kMinExponent), 0};
  auto slot = index - 1;
  int exponent = kMinExponent + static_cast<int>(slot / kSubBuckets);
  auto sub = static_cast<double>(slot % kSubBuckets);
  double low = std::ldexp(0.5 + sub / (2.0 * kSubBuckets), exponent);
  double high = std::ldexp(0.5 + (sub + 1.0) / (2.0 * kSubBuckets), exponent);
  return {low, high, 0};
}

void LogHistogram::add(double value) {
  ++counts_[bucket_index(value)];
  ++count_;
}

double LogHistogram::quantile(double q) const {
  if (count_ == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  // The small epsilon keeps 0.07 * 100 from rounding up to rank 8.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      auto bounds = bucket_bounds(i);
      return (bounds.low + bounds.high) / 2.0;
    }
  }
  return bucket_bounds(kBucketCount - 1).low;
}

std::vector<LogHistogram::Bucket> LogHistogram::non_empty_buckets() const {
  std::vector<Bucket> out;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    auto bounds = bucket_bounds(i);
    bounds.count = counts_[i];
    out.push_back(bounds);
  }
  return out;
}

void Summary::add(double value) {
  if (std::isnan(value) || value < 0) throw std::invalid_argument("Summary takes values >= 0");
  ++count_;
  sum_ += value;
  if (count_ == 1) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  double delta = value - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (value - mean_);
  histogram_.add(value);
  if (count_ <= exact_limit_) {
    samples_.push_back(value);
    sorted_ = false;
  } else if (!samples_.empty()) {
    std::vector<double>().swap(samples_);  // give the memory back for good
  }
}

double Summary::mdev() const noexcept {
  if (count_ == 0) return 0.0;
  return std::sqrt(std::max(0.0, m2_ / static_cast<double>(count_)));
}

double Summary::percentile(double p) const {
  if (count_ == 0) return 0.0;
  p = std::clamp(p, 0.0, 100.0);
  if (!exact()) return std::clamp(histogram_.quantile(p / 100.0), min_, max_);
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(count_) / 100.0 - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, samples_.size());
  return samples_[rank - 1];
}

}  // namespace sockkit
