#include "sockkit/cli.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/version.hpp"

namespace sockkit::cli {

std::string_view format_name(Format format) {
  switch (format) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
    case Format::prom: return "prom";
  }
  return "text";
}

namespace {

std::string allowed_list(const std::vector<Format>& allowed) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += i + 1 == allowed.size() ? " or " : ", ";
    out += format_name(allowed[i]);
  }
  return out;
}

}  // namespace

Format OutputOptions::resolved_format() const {
  if (json) {
    if (format != "text" && format != "json") {
      throw InputError(fmt::format("-j/--json and --format {} contradict each other", format));
    }
    if (std::find(allowed.begin(), allowed.end(), Format::json) == allowed.end()) {
      throw InputError(
          fmt::format("-j/--json is not supported here: use {}", allowed_list(allowed)));
    }
    return Format::json;
  }
  for (Format candidate : {Format::text, Format::json, Format::csv, Format::prom}) {
    if (format != format_name(candidate)) continue;
    for (Format ok : allowed) {
      if (ok == candidate) return candidate;
    }
    throw InputError(
        fmt::format("--format {} is not supported here: use {}", format, allowed_list(allowed)));
  }
  throw InputError(
      fmt::format("invalid format \"{}\": expected {}", format, allowed_list(allowed)));
}

ColorMode OutputOptions::resolved_color() const {
  return parse_color_mode(color);
}

void add_output_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed) {
  options.allowed.assign(allowed);
  app.add_option("-f,--format", options.format,
                 fmt::format("Output format: {} (default text)", allowed_list(options.allowed)))
      ->type_name("FORMAT");
  app.add_flag("-j,--json", options.json, "Same as --format json");
  app.add_option("--color", options.color,
                 "Colour: auto (terminal only, honours NO_COLOR), always, never")
      ->type_name("WHEN");
}

void add_netns_option(CLI::App& app, std::string& netns) {
  app.add_option("--netns", netns, "Run inside network namespace /run/netns/NAME (needs root)")
      ->type_name("NAME");
}

std::size_t output_width() {
  winsize size{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 0) {
    return std::clamp<std::size_t>(size.ws_col, 40, 100);
  }
  return 80;
}

std::string version_line(std::string_view tool) {
  return fmt::format("{} (sockkit) {}", tool, sockkit::version());
}

namespace {

// Set when the command started with descriptor 1 closed: /dev/null holds its place
// (so no socket can become "standard output"), and writes still fail as they would have.
bool stdout_was_closed = false;

void refuse_closed_stdout() {
  if (stdout_was_closed) {
    throw std::system_error(EBADF, std::generic_category(), "cannot write to standard output");
  }
}

// A command started with 0, 1 or 2 closed would hand those numbers to its first
// sockets, and then print results into a socket. Each closed one gets /dev/null.
void guard_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0) continue;
    if (null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
    if (fd == STDOUT_FILENO) stdout_was_closed = true;
  }
}

}  // namespace

void write_out(std::string_view text) {
  if (text.empty()) return;
  refuse_closed_stdout();
  if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size()) return;
  if (errno == EPIPE) throw OutputClosed();
  throw_errno("cannot write to standard output");
}

void flush_out() {
  refuse_closed_stdout();
  if (std::fflush(stdout) == 0) return;
  if (errno == EPIPE) throw OutputClosed();
  throw_errno("cannot write to standard output");
}

void write_out_now(std::string_view text) {
  flush_out();
  while (!text.empty()) {
    ssize_t wrote = ::write(STDOUT_FILENO, text.data(), text.size());
    if (wrote >= 0) {
      text.remove_prefix(static_cast<std::size_t>(wrote));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE) throw OutputClosed();
    throw_errno("cannot write to standard output");
  }
}

void print_error(std::string_view tool, std::string_view message) {
  fmt::print(stderr, "{}: error: {}\n", tool, message);
  std::fflush(stderr);
}

void print_warning(std::string_view tool, std::string_view message) {
  fmt::print(stderr, "{}: warning: {}\n", tool, message);
  std::fflush(stderr);
}

namespace {

using FailureReport = std::function<int(std::string_view message)>;

int parse_failure(CLI::App& app, const CLI::ParseError& e, const FailureReport& fail) {
  if (e.get_exit_code() == 0) {  // --help or --version
    app.exit(e);
    return exit_ok;
  }
  return fail(fmt::format("{} (see --help)", e.what()));
}

int finish(int code, const FailureReport& fail) {
  if (stdout_was_closed) return code;  // any write already failed and said so
  try {
    flush_out();
  } catch (const OutputClosed&) {
    return exit_ok;
  } catch (const std::system_error& e) {
    return fail(e.what());
  }
  return code;
}

int run_reporting(std::string_view tool, CLI::App& app, int argc, char** argv,
                  const std::function<int()>& body, const FailureReport& fail) {
  std::signal(SIGPIPE, SIG_IGN);
  guard_standard_descriptors();
  app.set_version_flag("--version", version_line(tool), "Print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_failure(app, e, fail);
  }
  int code = exit_error;
  try {
    code = body();
  } catch (const OutputClosed&) {
    std::clearerr(stdout);
    return exit_ok;
  } catch (const std::system_error& e) {
    if (e.code().value() == EPIPE) return exit_ok;
    code = fail(e.what());
  } catch (const std::exception& e) {
    // InputError, PermissionError, ResolveError and the rest all say what and why.
    code = fail(e.what());
  }
  return finish(code, fail);
}

}  // namespace

int run(std::string_view tool, CLI::App& app, int argc, char** argv,
        const std::function<int()>& body) {
  return run_reporting(tool, app, argc, argv, body, [&](std::string_view message) {
    print_error(tool, message);
    return int{exit_error};
  });
}

int run_nagios(std::string_view tool, std::string_view label, CLI::App& app, int argc, char** argv,
               const std::function<int()>& body) {
  return run_reporting(tool, app, argc, argv, body, [&](std::string_view message) {
    print_error(tool, message);
    // The monitoring system reads stdout only; a broken pipe there is not worth a word.
    std::string line = fmt::format("{} UNKNOWN - {}\n", label, message);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return int{nagios_unknown};
  });
}

}  // namespace sockkit::cli
