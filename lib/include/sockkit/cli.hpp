// What every command shares around its own work: the common options, the exit codes
// of DESIGN.md, one-line errors, and output that ends quietly when the reader does
// (`sk-explain | head -1`).
#pragma once

#include <exception>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "sockkit/color.hpp"

namespace sockkit::cli {

enum ExitCode : int {
  exit_ok = 0,        // success, healthy, open
  exit_negative = 1,  // the answer is no: closed, no reply, threshold crossed
  exit_error = 2,     // usage or runtime error
};

// Nagios plugin codes for --check modes.
enum NagiosCode : int {
  nagios_ok = 0,
  nagios_warning = 1,
  nagios_critical = 2,
  nagios_unknown = 3
};

enum class Format { text, json, csv, prom };

[[nodiscard]] std::string_view format_name(Format format);

// The output options as CLI11 fills them; resolve() checks them after parsing.
struct OutputOptions {
  std::string format = "text";
  bool json = false;
  std::string color = "auto";
  std::vector<Format> allowed;

  // Throws InputError: `--format csv is not supported here: use text or json`.
  [[nodiscard]] Format resolved_format() const;
  [[nodiscard]] ColorMode resolved_color() const;
};

// Adds -f/--format, -j/--json and --color.
void add_output_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed);
// Adds --netns NAME.
void add_netns_option(CLI::App& app, std::string& netns);

// Columns to wrap prose at: the terminal's width (40-100) when stdout is one, 80
// otherwise, so piped output does not depend on who ran it.
[[nodiscard]] std::size_t output_width();

// "sk-explain (sockkit) 0.1.0"
[[nodiscard]] std::string version_line(std::string_view tool);

// Thrown when stdout's reader has gone away; run() turns it into a quiet exit 0.
class OutputClosed : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override { return "output closed"; }
};

// Writes to stdout; throws OutputClosed on EPIPE, std::system_error otherwise.
void write_out(std::string_view text);
// Flushes stdout with the same rules; streaming modes call it after each record.
void flush_out();

// Parses argv with `app` (adding --version), then calls `body`, which returns the exit
// code. Every exception becomes one line on stderr, "TOOL: error: ...", and status 2
// (help and version print and return 0). SIGPIPE is ignored so that a closed pipe
// surfaces as EPIPE and ends the command quietly.
[[nodiscard]] int run(std::string_view tool, CLI::App& app, int argc, char** argv,
                      const std::function<int()>& body);

// As run(), for a Nagios plugin mode (--check): every failure, bad options included,
// prints "LABEL UNKNOWN - message" on stdout as well as the error on stderr, and
// returns nagios_unknown (3).
[[nodiscard]] int run_nagios(std::string_view tool, std::string_view label, CLI::App& app, int argc,
                             char** argv, const std::function<int()>& body);

// One line on stderr: "TOOL: error: message" (or "warning"), flushed.
void print_error(std::string_view tool, std::string_view message);
void print_warning(std::string_view tool, std::string_view message);

}  // namespace sockkit::cli
