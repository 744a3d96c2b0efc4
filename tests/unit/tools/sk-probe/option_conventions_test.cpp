// sk-probe's options go through the shared conventions: the library's format rule,
// its time parser, -4/-6 and --source.
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <CLI/CLI.hpp>

#include "error_text.hpp"
#include "sk-probe/options.hpp"

namespace {

using namespace std::chrono_literals;
using sockkit::test::input_error_of;

sk_probe::Settings settings_for(std::vector<std::string> args) {
  CLI::App app;
  sk_probe::Options options;
  sk_probe::add_options(app, options);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return sk_probe::settings_of(options);
}

std::string error_for(std::vector<std::string> args) {
  return input_error_of([&] { (void)settings_for(std::move(args)); });
}

}  // namespace

TEST_CASE("sk-probe options: -j with another --format is a usage error naming both") {
  CHECK(error_for({"-j", "--format", "csv", "127.0.0.1:80"}) ==
        "-j/--json and --format csv contradict each other");
  CHECK(error_for({"-j", "--format", "grep", "127.0.0.1:80"}) ==
        "-j/--json and --format grep contradict each other");
  CHECK(settings_for({"-j", "127.0.0.1:80"}).report.format == sockkit::cli::Format::json);
  CHECK(settings_for({"-f", "grep", "127.0.0.1:80"}).report.format == sockkit::cli::Format::grep);
  CHECK(error_for({"--format", "prom", "127.0.0.1:80"}) ==
        "--format prom is not supported here: use text, json, csv or grep");
}

TEST_CASE("sk-probe options: times in every form the shared parser reads") {
  auto s = settings_for(
      {"--timeout", "250ms", "--wait", "2m", "-b", "--banner-wait", "1.5", "127.0.0.1:80"});
  CHECK(s.plan.timeout == 250ms);
  CHECK(s.wait == std::optional<sk_probe::Millis>(2min));
  CHECK(s.plan.banner_wait == 1500ms);
  CHECK(error_for({"--wait", "2d", "127.0.0.1:80"}) ==
        "invalid duration \"2d\" for --wait: expected seconds (2, 0.5) or a number with ms, s, "
        "m or h (500ms, 2m)");
  CHECK(error_for({"--timeout", "2h", "127.0.0.1:80"}) ==
        "invalid duration \"2h\" for --timeout: expected 1ms to 1h");
}

TEST_CASE("sk-probe options: -4/-6 and --source") {
  CHECK(error_for({"-4", "-6", "127.0.0.1:80"}) == "-4 and -6 contradict each other");
  CHECK(settings_for({"-6", "[::1]:80"}).version == sockkit::IpVersion::v6);
  CHECK(settings_for({"-s", "127.0.0.2", "127.0.0.1:80"}).plan.source.has_value());
}
