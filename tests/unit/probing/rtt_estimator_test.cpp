#include "sockkit/rtt_estimator.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using sockkit::RttEstimator;

TEST_CASE("rtt estimator: no sample means the ceiling") {
  RttEstimator rtt;
  CHECK_FALSE(rtt.known());
  CHECK(rtt.timeout(100ms, 1s) == 1s);
}

TEST_CASE("rtt estimator: steady samples converge and the floor holds") {
  RttEstimator rtt;
  for (int i = 0; i < 50; ++i) rtt.add(50us);
  CHECK(rtt.known());
  CHECK(rtt.smoothed() == 50us);
  CHECK(rtt.timeout(100ms, 1s) == 100ms);  // 3 x 50 us is far below the floor
}

TEST_CASE("rtt estimator: a slow path times out at a multiple of its round trip") {
  RttEstimator rtt;
  for (int i = 0; i < 50; ++i) rtt.add(40ms);
  auto t = rtt.timeout(100ms, 5s);
  CHECK(t >= 119ms);
  CHECK(t <= 121ms);
  CHECK(rtt.timeout(100ms, 50ms) == 50ms);  // the ceiling wins over the floor
}

TEST_CASE("rtt estimator: jitter widens the timeout") {
  RttEstimator steady, jittery;
  for (int i = 0; i < 40; ++i) {
    steady.add(40ms);
    jittery.add(i % 2 == 0 ? 10ms : 70ms);
  }
  CHECK(jittery.timeout(1ms, 10s) > steady.timeout(1ms, 10s));
}
