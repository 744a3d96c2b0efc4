// The command surface shared without CLI11: format choice, stdout writes that end
// quietly on a closed pipe, and the one-line error and warning.
#include "sockkit/console.hpp"

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
    case Format::grep: return "grep";
  }
  return "text";
}

std::string format_list(const std::vector<Format>& allowed) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += i + 1 == allowed.size() ? " or " : ", ";
    out += format_name(allowed[i]);
  }
  return out;
}

Format OutputOptions::resolved_format() const {
  // Not given is text; given, it must agree with -j, even when it names text.
  const std::string& chosen = format.empty() ? std::string("text") : format;
  if (json) {
    if (!format.empty() && format != "json") {
      throw InputError(fmt::format("-j/--json and --format {} contradict each other", format));
    }
    if (std::find(allowed.begin(), allowed.end(), Format::json) == allowed.end()) {
      throw InputError(
          fmt::format("-j/--json is not supported here: use {}", format_list(allowed)));
    }
    return Format::json;
  }
  for (Format candidate : {Format::text, Format::json, Format::csv, Format::prom, Format::grep}) {
    if (chosen != format_name(candidate)) continue;
    for (Format ok : allowed) {
      if (ok == candidate) return candidate;
    }
    throw InputError(
        fmt::format("--format {} is not supported here: use {}", chosen, format_list(allowed)));
  }
  throw InputError(fmt::format("invalid format \"{}\": expected {}", chosen, format_list(allowed)));
}

ColorMode OutputOptions::resolved_color() const {
  return parse_color_mode(color);
}

std::size_t output_width() {
  winsize size{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 0) {
    return std::clamp<std::size_t>(size.ws_col, 40, 100);
  }
  return 80;
}

std::optional<int> version_only(std::string_view tool, int argc, const char* const* argv) {
  if (argc != 2 || std::string_view(argv[1]) != "--version") return std::nullopt;
  std::signal(SIGPIPE, SIG_IGN);
  try {
    write_out(version_line(tool) + "\n");
    flush_out();
  } catch (const OutputClosed&) {
  } catch (const std::system_error& e) {
    print_error(tool, e.what());
    return exit_error;
  }
  return exit_ok;
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

}  // namespace

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

bool stdout_closed_at_start() {
  return stdout_was_closed;
}

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

}  // namespace sockkit::cli
