#include "sockkit/color.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "env_guard.hpp"

#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"

using sockkit::ColorMode;
using sockkit::Painter;
using sockkit::Style;

namespace {

using sockkit::test::EnvGuard;

// A pseudo-terminal's terminal side, so "auto" has a terminal to look at.
std::optional<sockkit::Fd> open_terminal(sockkit::Fd& master) {
  master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) return std::nullopt;
  const char* name = ::ptsname(master.get());
  if (name == nullptr) return std::nullopt;
  sockkit::Fd terminal(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!terminal || ::isatty(terminal.get()) != 1) return std::nullopt;
  return terminal;
}

}  // namespace

TEST_CASE("color: parse_color_mode") {
  CHECK(sockkit::parse_color_mode("auto") == ColorMode::automatic);
  CHECK(sockkit::parse_color_mode("always") == ColorMode::always);
  CHECK(sockkit::parse_color_mode("never") == ColorMode::never);
  CHECK_THROWS_WITH_AS((void)sockkit::parse_color_mode("yes"),
                       "invalid color mode \"yes\": expected auto, always or never",
                       sockkit::InputError);
  CHECK_THROWS_WITH_AS((void)sockkit::parse_color_mode(""),
                       "invalid color mode \"\": expected auto, always or never",
                       sockkit::InputError);
  CHECK_THROWS_AS((void)sockkit::parse_color_mode("Always"), sockkit::InputError);
  CHECK_THROWS_AS((void)sockkit::parse_color_mode("auto "), sockkit::InputError);
}

TEST_CASE("color: always and never ignore the environment and the descriptor") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  sockkit::Fd r(fds[0]);
  sockkit::Fd w(fds[1]);
  EnvGuard no_color("NO_COLOR", "1");
  EnvGuard term("TERM", "dumb");
  CHECK(sockkit::color_enabled(ColorMode::always, w.get()));
  CHECK_FALSE(sockkit::color_enabled(ColorMode::never, w.get()));
}

TEST_CASE("color: auto on a pipe is off whatever the environment says") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  sockkit::Fd r(fds[0]);
  sockkit::Fd w(fds[1]);
  EnvGuard term("TERM", "xterm-256color");
  SUBCASE("NO_COLOR unset") {
    EnvGuard no_color("NO_COLOR", nullptr);
    CHECK_FALSE(sockkit::color_enabled(ColorMode::automatic, w.get()));
  }
  SUBCASE("NO_COLOR empty") {
    EnvGuard no_color("NO_COLOR", "");
    CHECK_FALSE(sockkit::color_enabled(ColorMode::automatic, w.get()));
  }
  SUBCASE("NO_COLOR set") {
    EnvGuard no_color("NO_COLOR", "1");
    CHECK_FALSE(sockkit::color_enabled(ColorMode::automatic, w.get()));
  }
}

TEST_CASE("color: auto on a terminal follows NO_COLOR and TERM") {
  sockkit::Fd master;
  auto terminal = open_terminal(master);
  if (!terminal) {
    MESSAGE("skipped: no pseudo-terminal available");
    return;
  }
  int fd = terminal->get();
  SUBCASE("NO_COLOR unset, TERM=xterm: colour") {
    EnvGuard no_color("NO_COLOR", nullptr);
    EnvGuard term("TERM", "xterm");
    CHECK(sockkit::color_enabled(ColorMode::automatic, fd));
  }
  SUBCASE("NO_COLOR empty counts as unset (no-color.org)") {
    EnvGuard no_color("NO_COLOR", "");
    EnvGuard term("TERM", "xterm");
    CHECK(sockkit::color_enabled(ColorMode::automatic, fd));
  }
  SUBCASE("NO_COLOR set to anything: no colour") {
    EnvGuard no_color("NO_COLOR", "0");
    EnvGuard term("TERM", "xterm");
    CHECK_FALSE(sockkit::color_enabled(ColorMode::automatic, fd));
    CHECK(sockkit::color_enabled(ColorMode::always, fd));
  }
  SUBCASE("TERM=dumb: no colour") {
    EnvGuard no_color("NO_COLOR", nullptr);
    EnvGuard term("TERM", "dumb");
    CHECK_FALSE(sockkit::color_enabled(ColorMode::automatic, fd));
  }
  SUBCASE("TERM unset: colour") {
    EnvGuard no_color("NO_COLOR", nullptr);
    EnvGuard term("TERM", nullptr);
    CHECK(sockkit::color_enabled(ColorMode::automatic, fd));
  }
}

TEST_CASE("color: Painter output bytes") {
  Painter on(true);
  CHECK(on.enabled());
  CHECK(on(Style::bold, "x") == "\x1b[1mx\x1b[0m");
  CHECK(on(Style::dim, "x") == "\x1b[2mx\x1b[0m");
  CHECK(on(Style::red, "LISTEN") == "\x1b[31mLISTEN\x1b[0m");
  CHECK(on(Style::green, "ok") == "\x1b[32mok\x1b[0m");
  CHECK(on(Style::yellow, "ok") == "\x1b[33mok\x1b[0m");
  CHECK(on(Style::cyan, "ok") == "\x1b[36mok\x1b[0m");
  CHECK(on(Style::plain, "ok") == "ok");
  CHECK(on(Style::bold, "").empty());

  Painter off(false);
  CHECK_FALSE(off.enabled());
  CHECK(off(Style::bold, "x") == "x");
  CHECK(off(Style::red, "LISTEN") == "LISTEN");
  CHECK_FALSE(Painter().enabled());
  CHECK(Painter()(Style::cyan, "a b") == "a b");
}
