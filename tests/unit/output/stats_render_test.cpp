#include "sockkit/stats_render.hpp"

#include <doctest/doctest.h>

#include "sockkit/stats_json.hpp"

namespace {

sockkit::Summary four_times() {
  sockkit::Summary s;
  for (double v : {1.0, 2.0, 3.0, 4.0}) s.add(v);
  return s;
}

}  // namespace

TEST_CASE("stats render: the text line in ping's words") {
  CHECK(sockkit::stats_text(four_times()) ==
        "min/avg/max/mdev = 1.000/2.500/4.000/1.118 ms, p50/p90/p99 = 2.000/4.000/4.000 ms");
  CHECK(sockkit::stats_text(sockkit::Summary{}) == "none");
}

TEST_CASE("stats render: one JSON shape, count first, mean not avg") {
  auto j = sockkit::stats_json(four_times());
  CHECK(sockkit::to_json_text(j, sockkit::JsonLayout::line) ==
        "{\"count\":4,\"min\":1.0,\"mean\":2.5,\"max\":4.0,\"mdev\":1.118034,\"p50\":2.0,"
        "\"p90\":4.0,\"p99\":4.0,\"p999\":4.0}\n");
  SUBCASE("without values the shape stays, count 0 and nulls") {
    auto empty = sockkit::stats_json(sockkit::Summary{});
    CHECK(sockkit::to_json_text(empty, sockkit::JsonLayout::line) ==
          "{\"count\":0,\"min\":null,\"mean\":null,\"max\":null,\"mdev\":null,\"p50\":null,"
          "\"p90\":null,\"p99\":null,\"p999\":null}\n");
  }
  SUBCASE("six decimals") {
    sockkit::Summary s;
    s.add(0.1234567891);
    CHECK(sockkit::stats_json(s)["min"].get<double>() == doctest::Approx(0.123457).epsilon(1e-12));
  }
}

TEST_CASE("stats render: a Prometheus summary in base units") {
  sockkit::PromWriter w;
  sockkit::prom_stats(w, "sockkit_handshake_seconds", "Handshakes", four_times(),
                      {{"target", "db:5432"}}, 0.001);
  CHECK(w.text() ==
        "# HELP sockkit_handshake_seconds Handshakes\n"
        "# TYPE sockkit_handshake_seconds summary\n"
        "sockkit_handshake_seconds{target=\"db:5432\",quantile=\"0.5\"} 0.002\n"
        "sockkit_handshake_seconds{target=\"db:5432\",quantile=\"0.9\"} 0.004\n"
        "sockkit_handshake_seconds{target=\"db:5432\",quantile=\"0.99\"} 0.004\n"
        "sockkit_handshake_seconds{target=\"db:5432\",quantile=\"0.999\"} 0.004\n"
        "sockkit_handshake_seconds_sum{target=\"db:5432\"} 0.01\n"
        "sockkit_handshake_seconds_count{target=\"db:5432\"} 4\n");
  SUBCASE("no values: NaN quantiles, zero sum and count") {
    sockkit::PromWriter empty;
    sockkit::prom_stats(empty, "sockkit_x_seconds", "X", sockkit::Summary{}, {}, 0.001);
    CHECK(empty.text() ==
          "# HELP sockkit_x_seconds X\n# TYPE sockkit_x_seconds summary\n"
          "sockkit_x_seconds{quantile=\"0.5\"} NaN\nsockkit_x_seconds{quantile=\"0.9\"} NaN\n"
          "sockkit_x_seconds{quantile=\"0.99\"} NaN\nsockkit_x_seconds{quantile=\"0.999\"} NaN\n"
          "sockkit_x_seconds_sum 0\nsockkit_x_seconds_count 0\n");
  }
}
