// sk-ping's options go through the shared conventions: the library's format rule and
// its time parser.
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <CLI/CLI.hpp>

#include "error_text.hpp"
#include "sk-ping/options.hpp"

namespace {

using namespace std::chrono_literals;
using sockkit::test::input_error_of;

sk_ping::Settings settings_for(std::vector<std::string> args) {
  CLI::App app;
  sk_ping::Options options;
  sk_ping::add_options(app, options);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return sk_ping::settings_of(options);
}

std::string error_for(std::vector<std::string> args) {
  return input_error_of([&] { (void)settings_for(std::move(args)); });
}

}  // namespace

TEST_CASE("sk-ping options: -j with another --format is a usage error naming both") {
  CHECK(error_for({"-j", "-f", "prom", "127.0.0.1:80"}) ==
        "-j/--json and --format prom contradict each other");
  CHECK(error_for({"-j", "-f", "csv", "127.0.0.1:80"}) ==
        "-j/--json and --format csv contradict each other");
  CHECK(error_for({"-f", "csv", "127.0.0.1:80"}) ==
        "--format csv is not supported here: use text, json or prom");
  CHECK(settings_for({"-j", "127.0.0.1:80"}).format == sockkit::cli::Format::json);
}

TEST_CASE("sk-ping options: times in every form the shared parser reads") {
  auto s = settings_for({"-i", "10ms", "-W", "1.5", "-w", "1h", "127.0.0.1:80"});
  CHECK(s.plan.interval == 10ms);
  CHECK(s.plan.timeout == 1500ms);
  CHECK(s.plan.deadline == std::optional<sk_ping::Nanos>(1h));
  CHECK(error_for({"-i", "0", "127.0.0.1:80"}) ==
        "invalid duration \"0\" for --interval: expected 1ms to 1h");
  CHECK(error_for({"-w", "745h", "127.0.0.1:80"}) ==
        "invalid duration \"745h\" for --deadline: expected 1ms to 744h");
}
