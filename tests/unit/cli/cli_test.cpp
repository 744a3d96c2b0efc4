#include "sockkit/cli.hpp"

#include <fcntl.h>
#include <stdio_ext.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"
#include "sockkit/error.hpp"
#include "sockkit/version.hpp"

using sockkit::cli::Format;
using sockkit::cli::OutputOptions;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string format_error(const OutputOptions& options) {
  return input_error_of([&] { (void)options.resolved_format(); });
}

OutputOptions options_for(std::string format, bool json, std::vector<Format> allowed) {
  OutputOptions options;
  options.format = std::move(format);
  options.json = json;
  options.allowed = std::move(allowed);
  return options;
}

// Points a standard descriptor (1 or 2) somewhere else for one scope, flushing the C
// and C++ streams on both sides so nothing lands in the wrong place.
class Redirect {
 public:
  // No doctest assertions in here: with -s they would print into the redirection.
  Redirect(int target, int replacement) : target_(target), saved_(::dup(target)) {
    if (saved_ < 0) sockkit::throw_errno("dup");
    flush();
    if (::dup2(replacement, target_) != target_) sockkit::throw_errno("dup2");
  }
  ~Redirect() {
    flush();
    // Whatever could not be written (a closed pipe) must not leak to the real output.
    __fpurge(target_ == STDOUT_FILENO ? stdout : stderr);
    std::clearerr(target_ == STDOUT_FILENO ? stdout : stderr);
    std::cout.clear();
    std::cerr.clear();
    ::dup2(saved_, target_);
    ::close(saved_);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  static void flush() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(stdout);
    std::fflush(stderr);
  }
  int target_;
  int saved_;
};

// A temporary file that captures what is written to a standard descriptor.
class Capture {
 public:
  explicit Capture(int target) {
    std::string pattern = "/tmp/sockkit-ut-cli-XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) sockkit::throw_errno("mkstemp");
    path_ = pattern;
    redirect_.emplace(target, fd_);
  }
  ~Capture() {
    redirect_.reset();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Ends the capture and returns what was written.
  std::string finish() {
    redirect_.reset();
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  int fd_ = -1;
  std::string path_;
  std::optional<Redirect> redirect_;
};

// Runs cli::run on a fresh app with the given arguments, capturing both outputs.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

RunResult run_app(std::vector<std::string> args, const std::function<int()>& body) {
  CLI::App app("A test tool.", "sk-x");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Talk more");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("sk-x"));
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  RunResult result;
  Capture out(STDOUT_FILENO);
  Capture err(STDERR_FILENO);
  result.code =
      sockkit::cli::run("sk-x", app, static_cast<int>(argv.size() - 1), argv.data(), body);
  result.err = err.finish();
  result.out = out.finish();
  return result;
}

}  // namespace

TEST_CASE("cli: format_name") {
  CHECK(sockkit::cli::format_name(Format::text) == "text");
  CHECK(sockkit::cli::format_name(Format::json) == "json");
  CHECK(sockkit::cli::format_name(Format::csv) == "csv");
  CHECK(sockkit::cli::format_name(Format::prom) == "prom");
  CHECK(sockkit::cli::format_name(Format::grep) == "grep");
}

TEST_CASE("cli: sk-probe's grep format goes through the same rule") {
  std::vector<Format> probe{Format::text, Format::json, Format::csv, Format::grep};
  CHECK(options_for("grep", false, probe).resolved_format() == Format::grep);
  CHECK(format_error(options_for("grep", true, probe)) ==
        "-j/--json and --format grep contradict each other");
  CHECK(format_error(options_for("grep", false, {Format::text, Format::json})) ==
        "--format grep is not supported here: use text or json");
}

TEST_CASE("cli: resolved_format picks an allowed format") {
  std::vector<Format> all{Format::text, Format::json, Format::csv, Format::prom};
  CHECK(options_for("text", false, all).resolved_format() == Format::text);
  CHECK(options_for("json", false, all).resolved_format() == Format::json);
  CHECK(options_for("csv", false, all).resolved_format() == Format::csv);
  CHECK(options_for("prom", false, all).resolved_format() == Format::prom);
  CHECK(options_for("", true, all).resolved_format() == Format::json);
  CHECK(options_for("json", true, all).resolved_format() == Format::json);
  // --format not given is text.
  CHECK(OutputOptions{}.format.empty());
  CHECK(options_for("", false, all).resolved_format() == Format::text);
  CHECK(OutputOptions{}.color == "auto");
}

TEST_CASE("cli: resolved_format errors") {
  std::vector<Format> text_json{Format::text, Format::json};
  CHECK(format_error(options_for("csv", false, text_json)) ==
        "--format csv is not supported here: use text or json");
  CHECK(format_error(options_for("prom", false, {Format::text, Format::json, Format::csv})) ==
        "--format prom is not supported here: use text, json or csv");
  CHECK(format_error(options_for("xml", false, text_json)) ==
        "invalid format \"xml\": expected text or json");
  CHECK(format_error(options_for("JSON", false, text_json)) ==
        "invalid format \"JSON\": expected text or json");
  // -j with any --format given, text included, is a conflict.
  CHECK(format_error(options_for("text", true, text_json)) ==
        "-j/--json and --format text contradict each other");
  CHECK(format_error(options_for("csv", true, {Format::text, Format::json, Format::csv})) ==
        "-j/--json and --format csv contradict each other");
  CHECK(format_error(options_for("xml", true, text_json)) ==
        "-j/--json and --format xml contradict each other");
}

TEST_CASE("cli: -j is refused where JSON is not offered") {
  // --format json is refused here, so the -j spelling of it must be too.
  CHECK(format_error(options_for("json", false, {Format::text, Format::prom})) ==
        "--format json is not supported here: use text or prom");
  CHECK(format_error(options_for("text", true, {Format::text, Format::prom})) != "(no error)");
}

TEST_CASE("cli: resolved_color") {
  CHECK(options_for("text", false, {}).resolved_color() == sockkit::ColorMode::automatic);
  OutputOptions options;
  options.color = "always";
  CHECK(options.resolved_color() == sockkit::ColorMode::always);
  options.color = "never";
  CHECK(options.resolved_color() == sockkit::ColorMode::never);
  options.color = "sometimes";
  CHECK_THROWS_WITH_AS((void)options.resolved_color(),
                       "invalid color mode \"sometimes\": expected auto, always or never",
                       sockkit::InputError);
}

TEST_CASE("cli: add_output_options wires -f - -j and --color") {
  CLI::App app("t");
  OutputOptions options;
  sockkit::cli::add_output_options(app, options, {Format::text, Format::json});
  const std::vector<Format> expected{Format::text, Format::json};
  CHECK(options.allowed == expected);
  std::vector<std::string> args{"never", "--color", "csv", "-f"};  // CLI11 takes them reversed
  app.parse(args);
  CHECK(options.format == "csv");
  CHECK(options.color == "never");
  CHECK_FALSE(options.json);
  CHECK(format_error(options) == "--format csv is not supported here: use text or json");

  CLI::App app2("t");
  OutputOptions options2;
  sockkit::cli::add_output_options(app2, options2, {Format::text, Format::json});
  std::vector<std::string> args2{"-j"};
  app2.parse(args2);
  CHECK(options2.json);
  CHECK(options2.resolved_format() == Format::json);

  CLI::App app3("t");
  std::string netns;
  sockkit::cli::add_netns_option(app3, netns);
  std::vector<std::string> args3{"blue", "--netns"};
  app3.parse(args3);
  CHECK(netns == "blue");
  const auto* option = app3.get_option("--netns");
  CHECK(option->get_description() ==
        "Run inside a network namespace: NAME (/run/netns), PATH, or pid:PID (needs root)");
  CHECK(option->get_type_name() == "SPEC");

  // Given but empty is a mistake, not "no namespace": it never falls back to the host.
  CLI::App app4("t");
  std::string empty = "unset";
  sockkit::cli::add_netns_option(app4, empty);
  std::vector<std::string> args4{"", "--netns"};
  CHECK_THROWS_WITH_AS(app4.parse(args4),
                       "--netns: an empty value names no namespace: expected NAME, PATH or pid:PID",
                       CLI::ValidationError);
}

TEST_CASE("cli: version_line") {
  CHECK(sockkit::cli::version_line("sk-x") == fmt::format("sk-x (sockkit) {}", sockkit::version()));
  CHECK(sockkit::cli::version_line("sk-x") == "sk-x (sockkit) 0.3.0");
}

TEST_CASE("cli: version_only answers exactly `TOOL --version`, before any parser") {
  std::string text;
  std::optional<int> code;
  {
    Capture out(STDOUT_FILENO);
    const char* argv[] = {"sk-x", "--version"};
    code = sockkit::cli::version_only("sk-x", 2, argv);
    text = out.finish();
  }
  CHECK(code == std::optional<int>(0));
  CHECK(text == "sk-x (sockkit) 0.3.0\n");
  // Anything else is the parser's: --version among other arguments, a lone word, none.
  const char* with_more[] = {"sk-x", "--version", "-j"};
  CHECK_FALSE(sockkit::cli::version_only("sk-x", 3, with_more).has_value());
  const char* before[] = {"sk-x", "--bogus", "--version"};
  CHECK_FALSE(sockkit::cli::version_only("sk-x", 3, before).has_value());
  const char* other[] = {"sk-x", "--versions"};
  CHECK_FALSE(sockkit::cli::version_only("sk-x", 2, other).has_value());
  const char* none[] = {"sk-x"};
  CHECK_FALSE(sockkit::cli::version_only("sk-x", 1, none).has_value());
}

TEST_CASE("cli: output_width is 80 when stdout is not a terminal") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  {
    Redirect redirect(STDOUT_FILENO, fds[1]);
    auto width = sockkit::cli::output_width();
    CHECK(width == 80);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("cli: write_out to a closed pipe throws OutputClosed") {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  {
    Redirect redirect(STDOUT_FILENO, fds[1]);
    // Larger than any stdio buffer, so the write reaches the pipe at once.
    std::string big(1 << 20, 'x');
    CHECK_THROWS_AS(sockkit::cli::write_out(big), sockkit::cli::OutputClosed);
    __fpurge(stdout);
    std::clearerr(stdout);
    // A small write is buffered; flushing it reports the closed pipe.
    CHECK_NOTHROW(sockkit::cli::write_out("small"));
    CHECK_THROWS_AS(sockkit::cli::flush_out(), sockkit::cli::OutputClosed);
    __fpurge(stdout);
    std::clearerr(stdout);
  }
  ::close(fds[1]);
  CHECK(std::string(sockkit::cli::OutputClosed().what()) == "output closed");
}

TEST_CASE("cli: write_out writes the bytes to stdout") {
  std::string text;
  {
    Capture out(STDOUT_FILENO);
    sockkit::cli::write_out("hello\n");
    sockkit::cli::write_out("");
    sockkit::cli::write_out(std::string_view("a\0b\n", 4));
    sockkit::cli::flush_out();
    text = out.finish();
  }
  CHECK(text == std::string("hello\na\0b\n", 10));
}

TEST_CASE("cli: write_out_now writes after what stdio holds and reports a closed pipe") {
  std::string text;
  {
    Capture out(STDOUT_FILENO);
    sockkit::cli::write_out("buffered\n");
    sockkit::cli::write_out_now("direct\n");
    text = out.finish();
  }
  CHECK(text == "buffered\ndirect\n");
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  {
    Redirect redirect(STDOUT_FILENO, fds[1]);
    CHECK_THROWS_AS(sockkit::cli::write_out_now("lost\n"), sockkit::cli::OutputClosed);
  }
  ::close(fds[1]);
}

TEST_CASE("cli: print_error and print_warning are one line on stderr") {
  std::string text;
  {
    Capture err(STDERR_FILENO);
    sockkit::cli::print_error("sk-x", "something broke");
    sockkit::cli::print_warning("sk-x", "careful");
    text = err.finish();
  }
  CHECK(text == "sk-x: error: something broke\nsk-x: warning: careful\n");
}

TEST_CASE("cli: run returns 0 for --help and --version") {
  bool called = false;
  auto body = [&] {
    called = true;
    return 0;
  };
  auto help = run_app({"--help"}, body);
  CHECK(help.code == 0);
  CHECK_FALSE(called);
  CHECK(help.out.find("--verbose") != std::string::npos);
  CHECK(help.out.find("--version") != std::string::npos);
  CHECK(help.err.empty());

  auto version = run_app({"--version"}, body);
  CHECK(version.code == 0);
  CHECK_FALSE(called);
  CHECK(version.out == "sk-x (sockkit) 0.3.0\n");
  CHECK(version.err.empty());
}

TEST_CASE("cli: run returns 2 for an unknown option") {
  bool called = false;
  auto result = run_app({"--bogus"}, [&] {
    called = true;
    return 0;
  });
  CHECK(result.code == 2);
  CHECK_FALSE(called);
  CHECK(result.out.empty());
  CAPTURE(result.err);
  CHECK(result.err.starts_with("sk-x: error: "));
  CHECK(result.err.find("--bogus") != std::string::npos);
  CHECK(result.err.ends_with(" (see --help)\n"));
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("cli: run passes the body's exit code through") {
  for (int code : {0, 1, 2, 3}) {
    CAPTURE(code);
    auto result = run_app({"-v"}, [&] { return code; });
    CHECK(result.code == code);
    CHECK(result.err.empty());
  }
  auto result = run_app({}, [] {
    sockkit::cli::write_out("report\n");
    return 1;
  });
  CHECK(result.code == 1);
  CHECK(result.out == "report\n");
}

TEST_CASE("cli: run turns exceptions into one line and status 2") {
  auto input = run_app({}, []() -> int {
    throw sockkit::InputError("invalid port \"x\": expected a number 1-65535");
  });
  CHECK(input.code == 2);
  CHECK(input.err == "sk-x: error: invalid port \"x\": expected a number 1-65535\n");

  auto perm = run_app({}, []() -> int { throw sockkit::PermissionError("needs CAP_NET_RAW"); });
  CHECK(perm.code == 2);
  CHECK(perm.err == "sk-x: error: needs CAP_NET_RAW\n");

  auto sys = run_app({}, []() -> int { sockkit::throw_errno(EACCES, "cannot open /x"); });
  CHECK(sys.code == 2);
  CHECK(sys.err == "sk-x: error: cannot open /x: Permission denied\n");
}

TEST_CASE("cli: run ends quietly with 0 when the output is closed") {
  auto closed = run_app({}, []() -> int { throw sockkit::cli::OutputClosed(); });
  CHECK(closed.code == 0);
  CHECK(closed.err.empty());

  auto epipe = run_app({}, []() -> int { sockkit::throw_errno(EPIPE, "cannot write"); });
  CHECK(epipe.code == 0);
  CHECK(epipe.err.empty());
}

TEST_CASE("cli: run ignores SIGPIPE") {
  std::signal(SIGPIPE, SIG_DFL);
  (void)run_app({}, [] { return 0; });
  auto previous = std::signal(SIGPIPE, SIG_IGN);
  CHECK((previous == SIG_IGN));
}
