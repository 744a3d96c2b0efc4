// sk-states' renderers are functions of their arguments: a fixed RenderContext (no
// colour, a width, a page size) gives the same text whatever terminal runs the test.
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "sk-states/render.hpp"
#include "test_records.hpp"

using sockkit::TcpState;
using sockkit::test::tcp_record;

namespace {

sk_states::Query counts_query() {
  sk_states::Query query;
  query.read.tcp = true;
  return query;
}

sk_states::Sample sample_of_four() {
  sk_states::Sample sample;
  sample.census.add(tcp_record("127.0.0.1", 80, "127.0.0.2", 40000));
  sample.census.add(tcp_record("127.0.0.1", 80, "127.0.0.2", 40001));
  sample.census.add(tcp_record("127.0.0.1", 80, "127.0.0.2", 40002, TcpState::time_wait));
  sample.census.add(tcp_record("::1", 80, "::", 0, TcpState::listen));
  return sample;
}

sockkit::Finding close_wait_finding() {
  sockkit::Finding f;
  f.rule = sockkit::RuleId::close_wait;
  f.severity = sockkit::Severity::warning;
  f.title = "60 sockets in CLOSE_WAIT: the peers closed, the application has not";
  f.value = 60;
  f.levels = {50, 500, false};
  f.evidence.sockets = 60;
  return f;
}

std::size_t longest_line(const std::string& text) {
  std::istringstream in(text);
  std::size_t longest = 0;
  for (std::string line; std::getline(in, line);) longest = std::max(longest, line.size());
  return longest;
}

}  // namespace

// Rows in the kernel's order of states, as ss -s and the man page list them.
TEST_CASE("sk-states render: the counts table with a fixed context") {
  sk_states::RenderContext context;
  auto query = counts_query();
  CHECK(sk_states::render_counts(query, sample_of_four(), context) ==
        "STATE        COUNT\n"
        "ESTABLISHED      2\n"
        "TIME_WAIT        1\n"
        "LISTEN           1\n"
        "TOTAL            4\n");
  query.family_split = true;
  CHECK(sk_states::render_counts(query, sample_of_four(), context) ==
        "STATE        IPV4  IPV6  TOTAL\n"
        "ESTABLISHED     2     0      2\n"
        "TIME_WAIT       1     0      1\n"
        "LISTEN          0     1      1\n"
        "TOTAL           3     1      4\n");
}

TEST_CASE("sk-states render: the findings' prose is wrapped to the context's width") {
  sockkit::Diagnosis diagnosis;
  diagnosis.findings.push_back(close_wait_finding());
  sk_states::RenderContext narrow;
  narrow.width = 60;
  sk_states::RenderContext wide;
  wide.width = 100;
  auto narrow_text = sk_states::findings_text(diagnosis, narrow);
  auto wide_text = sk_states::findings_text(diagnosis, wide);
  CHECK(narrow_text.starts_with(
      "FINDINGS\nWARNING   close_wait  60 sockets in CLOSE_WAIT: the peers closed, the "
      "application has not\n  sockets      60 (warn 50, critical 500)\n  why          "));
  CHECK(narrow_text != wide_text);
  // The title and the checks are not wrapped; the explanation is.
  auto why_lines = [](const std::string& text) {
    std::istringstream in(text);
    std::size_t longest = 0;
    bool in_why = false;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("  why")) in_why = true;
      if (line.starts_with("  next")) in_why = false;
      if (in_why) longest = std::max(longest, line.size());
    }
    return longest;
  };
  CHECK(why_lines(narrow_text) <= 60);
  CHECK(why_lines(wide_text) <= 100);
  CHECK(why_lines(wide_text) > 60);
  CHECK(longest_line(sk_states::findings_text(diagnosis, narrow, true)) ==
        longest_line("WARNING   close_wait  " + close_wait_finding().title));
  // Colour comes from the context too.
  sk_states::RenderContext coloured;
  coloured.paint = sockkit::Painter(true);
  CHECK(sk_states::findings_text(diagnosis, coloured).find("\x1b[") != std::string::npos);
  CHECK(narrow_text.find("\x1b[") == std::string::npos);
}

TEST_CASE("sk-states render: TCP memory in bytes uses the context's page size") {
  sockkit::Diagnosis diagnosis;
  sockkit::KernelReadings kernel;
  kernel.sockstat.tcp_mem_pages = 10;
  kernel.sysctls.tcp_mem = std::array<std::uint64_t, 3>{100, 200, 300};
  auto small = sk_states::findings_prom(diagnosis, kernel, 4096);
  auto large = sk_states::findings_prom(diagnosis, kernel, 65536);
  CHECK(small.find("\nsockkit_tcp_memory_bytes 40960\n") != std::string::npos);
  CHECK(small.find("\nsockkit_tcp_memory_max_bytes 1228800\n") != std::string::npos);
  CHECK(large.find("\nsockkit_tcp_memory_bytes 655360\n") != std::string::npos);
  CHECK(large.find("\nsockkit_tcp_memory_pressure_bytes 13107200\n") != std::string::npos);
}
