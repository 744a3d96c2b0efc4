#include "sockkit/prometheus.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

using sockkit::Label;
using sockkit::MetricType;
using sockkit::prom_value;
using sockkit::PromWriter;

TEST_CASE("prometheus: HELP and TYPE lines - then samples") {
  PromWriter out;
  out.family("sockkit_tcp_sockets", MetricType::gauge, "TCP sockets by state.");
  out.sample({{"state", "ESTABLISHED"}}, 27900);
  out.sample({{"state", "LISTEN"}, {"family", "ipv6"}}, 3);
  out.family("sockkit_probes", MetricType::counter, "Probes sent.");
  out.sample({}, 12, "_total");
  out.family("sockkit_other", MetricType::untyped, "");
  out.sample({}, 0.25);
  CHECK(out.text() ==
        "# HELP sockkit_tcp_sockets TCP sockets by state.\n"
        "# TYPE sockkit_tcp_sockets gauge\n"
        "sockkit_tcp_sockets{state=\"ESTABLISHED\"} 27900\n"
        "sockkit_tcp_sockets{state=\"LISTEN\",family=\"ipv6\"} 3\n"
        "# HELP sockkit_probes Probes sent.\n"
        "# TYPE sockkit_probes counter\n"
        "sockkit_probes_total 12\n"
        "# HELP sockkit_other \n"
        "# TYPE sockkit_other untyped\n"
        "sockkit_other 0.25\n");
}

TEST_CASE("prometheus: samples with a suffix and labels - vector overload") {
  PromWriter out;
  out.family("sockkit_connect_seconds", MetricType::untyped, "Connect time.");
  std::vector<Label> labels{{"le", "0.005"}};
  out.sample(labels, 4, "_bucket");
  std::vector<Label> inf{{"le", "+Inf"}};
  out.sample(inf, 9, "_bucket");
  out.sample(std::vector<Label>{}, 0.125, "_sum");
  CHECK(out.text() ==
        "# HELP sockkit_connect_seconds Connect time.\n"
        "# TYPE sockkit_connect_seconds untyped\n"
        "sockkit_connect_seconds_bucket{le=\"0.005\"} 4\n"
        "sockkit_connect_seconds_bucket{le=\"+Inf\"} 9\n"
        "sockkit_connect_seconds_sum 0.125\n");
}

TEST_CASE("prometheus: label values are escaped") {
  CHECK(sockkit::prom_escape_label("plain") == "plain");
  CHECK(sockkit::prom_escape_label("a\\b") == "a\\\\b");
  CHECK(sockkit::prom_escape_label("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(sockkit::prom_escape_label("two\nlines") == "two\\nlines");
  CHECK(sockkit::prom_escape_label("") == "");

  PromWriter out;
  out.family("m", MetricType::gauge, "h");
  out.sample({{"path", "C:\\x \"y\"\nz"}}, 1);
  CHECK(out.text() ==
        "# HELP m h\n"
        "# TYPE m gauge\n"
        "m{path=\"C:\\\\x \\\"y\\\"\\nz\"} 1\n");
}

TEST_CASE("prometheus: HELP text escapes backslash and newline - not quotes") {
  CHECK(sockkit::prom_escape_help("a\\b\nc \"d\"") == "a\\\\b\\nc \"d\"");
  PromWriter out;
  out.family("m", MetricType::counter, "first line\nsecond \\ line");
  CHECK(out.text() == "# HELP m first line\\nsecond \\\\ line\n# TYPE m counter\n");
}

TEST_CASE("prometheus: prom_value") {
  CHECK(prom_value(0) == "0");
  CHECK(prom_value(1) == "1");
  CHECK(prom_value(27900) == "27900");
  CHECK(prom_value(-3) == "-3");
  CHECK(prom_value(123456789012.0) == "123456789012");
  CHECK(prom_value(0.25) == "0.25");
  CHECK(prom_value(0.1) == "0.1");
  CHECK(prom_value(1.5e-7) == "1.5e-07");
  CHECK(prom_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(prom_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(prom_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  // Huge integral values must still be parseable floats.
  auto big = prom_value(1e20);
  CHECK(std::stod(big) == 1e20);
  CHECK(big.find('.') == std::string::npos);
}

TEST_CASE("prometheus: metric and label names are checked") {
  CHECK(sockkit::is_valid_metric_name("sockkit_tcp_sockets"));
  CHECK(sockkit::is_valid_metric_name("_x"));
  CHECK(sockkit::is_valid_metric_name(":recording:rule"));
  CHECK(sockkit::is_valid_metric_name("a1"));
  CHECK_FALSE(sockkit::is_valid_metric_name(""));
  CHECK_FALSE(sockkit::is_valid_metric_name("1a"));
  CHECK_FALSE(sockkit::is_valid_metric_name("a-b"));
  CHECK_FALSE(sockkit::is_valid_metric_name("a b"));
  CHECK_FALSE(sockkit::is_valid_metric_name("a.b"));

  CHECK(sockkit::is_valid_label_name("state"));
  CHECK(sockkit::is_valid_label_name("_x"));
  CHECK(sockkit::is_valid_label_name("le"));
  CHECK_FALSE(sockkit::is_valid_label_name(""));
  CHECK_FALSE(sockkit::is_valid_label_name("__name__"));  // reserved
  CHECK_FALSE(sockkit::is_valid_label_name("a:b"));
  CHECK_FALSE(sockkit::is_valid_label_name("1a"));
  CHECK_FALSE(sockkit::is_valid_label_name("a-b"));

  PromWriter out;
  CHECK_THROWS_WITH_AS(out.family("bad-name", MetricType::gauge, "h"),
                       "invalid metric name \"bad-name\"", std::invalid_argument);
  CHECK(out.text().empty());
  out.family("ok", MetricType::gauge, "h");
  CHECK_THROWS_WITH_AS(out.sample({{"bad-label", "v"}}, 1), "invalid label name \"bad-label\"",
                       std::invalid_argument);
  CHECK_THROWS_AS(out.sample({{"__name__", "v"}}, 1), std::invalid_argument);
}

TEST_CASE("prometheus: a sample before any family is a programming error") {
  PromWriter out;
  CHECK_THROWS_AS(out.sample({}, 1), std::logic_error);
  CHECK(out.text().empty());
}

using CommonLabels = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("prometheus: common labels come first on every sample") {
  PromWriter prom(CommonLabels{{"netns", "4026532301"}});
  prom.family("sockkit_tcp_connections", MetricType::gauge, "TCP sockets");
  prom.sample({{"state", "close_wait"}}, 12);
  prom.sample({}, 3);
  CHECK(prom.text() ==
        "# HELP sockkit_tcp_connections TCP sockets\n"
        "# TYPE sockkit_tcp_connections gauge\n"
        "sockkit_tcp_connections{netns=\"4026532301\",state=\"close_wait\"} 12\n"
        "sockkit_tcp_connections{netns=\"4026532301\"} 3\n");
  CHECK_THROWS_AS(PromWriter(CommonLabels{{"bad-name", "x"}}), std::invalid_argument);
}

TEST_CASE("prometheus: expositions of the same families merge family by family") {
  auto one = [](const char* netns, double established, double close_wait) {
    PromWriter prom(CommonLabels{{"netns", netns}});
    prom.family("sockkit_tcp_connections", MetricType::gauge, "TCP sockets");
    prom.sample({{"state", "established"}}, established);
    prom.sample({{"state", "close_wait"}}, close_wait);
    prom.family("sockkit_states_duration_seconds", MetricType::gauge, "Read time");
    prom.sample({}, 0.5);
    return prom.text();
  };
  sockkit::PromFamilyMerger merger;
  merger.add(one("1", 4, 0));
  merger.add(one("2", 1, 12));
  PromWriter info;
  info.family("sockkit_netns_info", MetricType::gauge, "Namespaces");
  info.sample({{"netns", "1"}}, 1);
  merger.add(info.text());
  CHECK(merger.take() ==
        "# HELP sockkit_tcp_connections TCP sockets\n"
        "# TYPE sockkit_tcp_connections gauge\n"
        "sockkit_tcp_connections{netns=\"1\",state=\"established\"} 4\n"
        "sockkit_tcp_connections{netns=\"1\",state=\"close_wait\"} 0\n"
        "sockkit_tcp_connections{netns=\"2\",state=\"established\"} 1\n"
        "sockkit_tcp_connections{netns=\"2\",state=\"close_wait\"} 12\n"
        "# HELP sockkit_states_duration_seconds Read time\n"
        "# TYPE sockkit_states_duration_seconds gauge\n"
        "sockkit_states_duration_seconds{netns=\"1\"} 0.5\n"
        "sockkit_states_duration_seconds{netns=\"2\"} 0.5\n"
        "# HELP sockkit_netns_info Namespaces\n"
        "# TYPE sockkit_netns_info gauge\n"
        "sockkit_netns_info{netns=\"1\"} 1\n");
  CHECK(merger.take().empty());
}
