#include "sockkit/stats.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

using sockkit::LogHistogram;
using sockkit::Summary;

namespace {

// mdev as iputils ping computes it: sqrt(sum(x^2)/n - mean^2).
double iputils_mdev(const std::vector<double>& values) {
  double sum = 0;
  double sum2 = 0;
  for (double v : values) {
    sum += v;
    sum2 += v * v;
  }
  auto n = static_cast<double>(values.size());
  double mean = sum / n;
  return std::sqrt(sum2 / n - mean * mean);
}

}  // namespace

TEST_CASE("stats: an empty Summary is all zeros") {
  Summary s;
  CHECK(s.count() == 0);
  CHECK(s.min() == 0.0);
  CHECK(s.max() == 0.0);
  CHECK(s.mean() == 0.0);
  CHECK(s.sum() == 0.0);
  CHECK(s.mdev() == 0.0);
  CHECK(s.percentile(50) == 0.0);
  CHECK(s.percentile(100) == 0.0);
  CHECK(s.exact());
}

TEST_CASE("stats: a Summary of one value") {
  Summary s;
  s.add(3.5);
  CHECK(s.count() == 1);
  CHECK(s.min() == 3.5);
  CHECK(s.max() == 3.5);
  CHECK(s.mean() == 3.5);
  CHECK(s.sum() == 3.5);
  CHECK(s.mdev() == 0.0);
  CHECK(s.percentile(1) == 3.5);
  CHECK(s.percentile(50) == 3.5);
  CHECK(s.percentile(100) == 3.5);
}

TEST_CASE("stats: a known sequence") {
  Summary s;
  for (double v : {4.0, 1.0, 3.0, 2.0}) s.add(v);
  CHECK(s.count() == 4);
  CHECK(s.mean() == 2.5);
  CHECK(s.min() == 1.0);
  CHECK(s.max() == 4.0);
  CHECK(s.sum() == 10.0);
  CHECK(s.mdev() == doctest::Approx(std::sqrt(1.25)).epsilon(1e-12));
  CHECK(s.mdev() == doctest::Approx(iputils_mdev({1, 2, 3, 4})).epsilon(1e-12));
  CHECK(s.percentile(25) == 1.0);
  CHECK(s.percentile(50) == 2.0);
  CHECK(s.percentile(75) == 3.0);
  CHECK(s.percentile(76) == 4.0);
  CHECK(s.percentile(100) == 4.0);
}

TEST_CASE("stats: mdev matches the iputils formula on a spread of ping times") {
  std::vector<double> values;
  Summary s;
  for (int i = 0; i < 1000; ++i) {
    double v = 0.05 + 0.001 * static_cast<double>((i * 7919) % 997);
    values.push_back(v);
    s.add(v);
  }
  CHECK(s.mdev() == doctest::Approx(iputils_mdev(values)).epsilon(1e-9));
  CHECK(s.mean() == doctest::Approx(s.sum() / 1000.0).epsilon(1e-12));
}

TEST_CASE("stats: Welford keeps mdev precise around a large offset") {
  // The naive sum-of-squares formula loses everything here; the answer is exactly 0.5.
  Summary s;
  for (int i = 0; i < 1000; ++i) s.add(1e9 + (i % 2 == 0 ? 0.0 : 1.0));
  CHECK(s.mdev() == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(s.mean() == doctest::Approx(1e9 + 0.5).epsilon(1e-15));
}

TEST_CASE("stats: nearest-rank percentiles of 1..100") {
  Summary s;
  for (int i = 100; i >= 1; --i) s.add(i);  // order of arrival does not matter
  CHECK(s.exact());
  CHECK(s.percentile(50) == 50.0);
  CHECK(s.percentile(90) == 90.0);
  CHECK(s.percentile(99) == 99.0);
  CHECK(s.percentile(100) == 100.0);
  CHECK(s.percentile(1) == 1.0);
  CHECK(s.percentile(0.5) == 1.0);
  CHECK(s.percentile(50.5) == 51.0);
  // Adding after a percentile query keeps answers right.
  s.add(0.5);
  CHECK(s.count() == 101);
  CHECK(s.percentile(0.5) == 0.5);
  CHECK(s.percentile(1) == 1.0);  // rank ceil(1.01) = 2
  CHECK(s.percentile(100) == 100.0);
}

TEST_CASE("stats: every integer percentile of 1..100 is itself") {
  // Nearest rank is ceil(p/100 * n) in exact arithmetic; floating-point error must not
  // push an integral rank up by one (7/100*100 is 7.000000000000001 in doubles).
  Summary s;
  for (int i = 1; i <= 100; ++i) s.add(i);
  for (int p = 1; p <= 100; ++p) {
    CAPTURE(p);
    CHECK(s.percentile(p) == static_cast<double>(p));
  }
  Summary big;
  for (int i = 1; i <= 1000; ++i) big.add(i);
  CHECK(big.percentile(99.9) == 999.0);
  CHECK(big.percentile(7) == 70.0);
}

TEST_CASE("stats: negative and NaN values are refused") {
  Summary s;
  CHECK_THROWS_AS(s.add(-1.0), std::invalid_argument);
  CHECK_THROWS_AS(s.add(-1e-300), std::invalid_argument);
  CHECK_THROWS_AS(s.add(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK(s.count() == 0);
  s.add(0.0);
  CHECK(s.count() == 1);
  CHECK(s.min() == 0.0);
  CHECK(s.percentile(50) == 0.0);
}

TEST_CASE("stats: beyond exact_limit percentiles come from the histogram") {
  Summary s(100);
  for (int i = 1; i <= 100; ++i) s.add(i);
  CHECK(s.exact());
  CHECK(s.percentile(50) == 50.0);
  for (int i = 101; i <= 10000; ++i) s.add(i);
  CHECK_FALSE(s.exact());
  CHECK(s.count() == 10000);
  CHECK(s.min() == 1.0);
  CHECK(s.max() == 10000.0);
  CHECK(s.mean() == doctest::Approx(5000.5).epsilon(1e-12));
  for (double p : {1.0, 10.0, 25.0, 50.0, 90.0, 99.0, 99.9}) {
    CAPTURE(p);
    double truth = std::ceil(p / 100.0 * 10000.0);
    double got = s.percentile(p);
    CHECK(std::fabs(got - truth) <= truth * 0.01);
    CHECK(got >= s.min());
    CHECK(got <= s.max());
  }
  // Clamped to the observed range even though the bucket middle lies outside it.
  CHECK(s.percentile(100) <= 10000.0);
  CHECK(s.percentile(100) >= 10000.0 * 0.99);
  CHECK(s.percentile(0) >= 1.0);
  CHECK(s.percentile(0) <= 1.01);
}

TEST_CASE("stats: a Summary whose values all equal one number reports it beyond the limit") {
  Summary s(10);
  for (int i = 0; i < 50; ++i) s.add(0.0);
  CHECK_FALSE(s.exact());
  CHECK(s.percentile(50) == 0.0);
  CHECK(s.percentile(99) == 0.0);
  Summary t(10);
  for (int i = 0; i < 50; ++i) t.add(12.5);
  CHECK(t.percentile(50) == 12.5);
}

TEST_CASE("stats: LogHistogram buckets contain their values") {
  double relative_width_max = 0;
  int checked = 0;
  for (double v = 1e-6; v <= 1e12; v *= 1.0137) {
    auto index = LogHistogram::bucket_index(v);
    auto bounds = LogHistogram::bucket_bounds(index);
    CAPTURE(v);
    CAPTURE(index);
    REQUIRE(index > 0);
    REQUIRE(index < LogHistogram::kBucketCount);
    CHECK(bounds.low <= v);
    CHECK(v < bounds.high);
    relative_width_max = std::max(relative_width_max, (bounds.high - bounds.low) / bounds.low);
    ++checked;
  }
  CHECK(checked > 2000);
  CHECK(relative_width_max <= 1.0 / 64.0);
  // Powers of two sit on a bucket's lower edge.
  for (int e = -21; e <= 39; ++e) {
    double v = std::ldexp(1.0, e);
    CAPTURE(e);
    CHECK(LogHistogram::bucket_bounds(LogHistogram::bucket_index(v)).low == v);
  }
}

TEST_CASE("stats: LogHistogram bucket edges are contiguous") {
  for (std::size_t i = 1; i + 1 < LogHistogram::kBucketCount; ++i) {
    auto here = LogHistogram::bucket_bounds(i);
    auto next = LogHistogram::bucket_bounds(i + 1);
    if (here.high != next.low) {
      CAPTURE(i);
      FAIL_CHECK("gap or overlap between buckets");
    }
  }
  CHECK(LogHistogram::bucket_bounds(0).low == 0.0);
  CHECK(LogHistogram::bucket_bounds(0).high == LogHistogram::bucket_bounds(1).low);
}

TEST_CASE("stats: zero - tiny and huge values") {
  CHECK(LogHistogram::bucket_index(0.0) == 0);
  CHECK(LogHistogram::bucket_index(1e-30) == 0);
  CHECK(LogHistogram::bucket_index(std::ldexp(1.0, -22)) == 0);
  CHECK(LogHistogram::bucket_index(std::ldexp(1.0, -21)) == 1);
  CHECK(LogHistogram::bucket_index(1e13) == LogHistogram::kBucketCount - 1);
  CHECK(LogHistogram::bucket_index(1e300) == LogHistogram::kBucketCount - 1);
  CHECK(LogHistogram::bucket_index(std::numeric_limits<double>::max()) ==
        LogHistogram::kBucketCount - 1);
  // "Values above the range go to the last bucket": infinity too.
  CHECK(LogHistogram::bucket_index(std::numeric_limits<double>::infinity()) ==
        LogHistogram::kBucketCount - 1);
}

TEST_CASE("stats: LogHistogram quantile and non_empty_buckets") {
  LogHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.quantile(0.5) == 0.0);
  CHECK(h.non_empty_buckets().empty());

  for (int i = 0; i < 90; ++i) h.add(1.0);
  for (int i = 0; i < 10; ++i) h.add(100.0);
  CHECK(h.count() == 100);
  CHECK(h.quantile(0.5) == doctest::Approx(1.0).epsilon(0.008).scale(0));
  CHECK(h.quantile(0.9) == doctest::Approx(1.0).epsilon(0.008).scale(0));
  CHECK(h.quantile(0.91) == doctest::Approx(100.0).epsilon(0.008).scale(0));
  CHECK(h.quantile(1.0) == doctest::Approx(100.0).epsilon(0.008).scale(0));
  CHECK(h.quantile(0.0) == doctest::Approx(1.0).epsilon(0.008).scale(0));

  auto buckets = h.non_empty_buckets();
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0].count == 90);
  CHECK(buckets[0].low <= 1.0);
  CHECK(1.0 < buckets[0].high);
  CHECK(buckets[1].count == 10);
  CHECK(buckets[1].low <= 100.0);
  CHECK(100.0 < buckets[1].high);

  LogHistogram zeros;
  zeros.add(0.0);
  auto zb = zeros.non_empty_buckets();
  REQUIRE(zb.size() == 1);
  CHECK(zb[0].low == 0.0);
  CHECK(zb[0].count == 1);
}

TEST_CASE("stats: memory is fixed") {
  CHECK(sizeof(LogHistogram) < 40 * 1024);
  CHECK(LogHistogram::kBucketCount == 61 * 64 + 1);
}
