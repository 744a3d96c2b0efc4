// What every command shares around its own work, without CLI11: the exit codes of
// DESIGN.md, the output format choice, one-line errors, and output that ends quietly
// when the reader does (`sk-explain | head -1`). sockkit/cli.hpp adds the CLI11 glue;
// a file that only writes or reports includes this one, because CLI11 is header-only
// and costs every file that includes it seconds of compile time.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/color.hpp"
#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

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

// grep: sk-probe's one line per open port, "host:port", for a shell pipeline.
enum class Format { text, json, csv, prom, grep };

[[nodiscard]] std::string_view format_name(Format format);
// "text, json or csv"
[[nodiscard]] std::string format_list(const std::vector<Format>& formats);

// The output options as CLI11 fills them; resolve() checks them after parsing.
struct OutputOptions {
  std::string format;  // as given; empty when --format was not (text)
  bool json = false;
  std::string color = "auto";
  std::vector<Format> allowed;

  // Throws InputError: `--format csv is not supported here: use text or json`.
  [[nodiscard]] Format resolved_format() const;
  [[nodiscard]] ColorMode resolved_color() const;
};

// Columns to wrap prose at: the terminal's width (40-100) when stdout is one, 80
// otherwise, so piped output does not depend on who ran it.
[[nodiscard]] std::size_t output_width();

// "sk-explain (sockkit) 0.2.0"
[[nodiscard]] std::string version_line(std::string_view tool);

// A command run as exactly `TOOL --version` prints its version line and returns 0
// here, before it builds its option parser (most of a command's start-up after the
// dynamic loader: sk-states declares some 35 options). Any other command line
// returns nullopt and is parsed as usual, --version included.
[[nodiscard]] std::optional<int> version_only(std::string_view tool, int argc,
                                              const char* const* argv);

// Thrown when stdout's reader has gone away; run() turns it into a quiet exit 0.
class OutputClosed : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override { return "output closed"; }
};

// Writes to stdout; throws OutputClosed on EPIPE, std::system_error otherwise.
void write_out(std::string_view text);
// Flushes stdout with the same rules; streaming modes call it after each record.
void flush_out();
// Writes `text` straight to descriptor 1 after what stdio holds, in as few write(2)
// calls as the kernel takes it (one for a pipe or file with room), with the same
// errors: for streaming output that batches many lines into one buffer. Not locked:
// a caller writing from several threads serialises its calls.
void write_out_now(std::string_view text);

// A command started with descriptor 0, 1 or 2 closed would hand those numbers to its
// first sockets and then print results into one: each closed one gets /dev/null. Called
// once at start-up; stdout_closed_at_start() then says whether stdout was one of them
// (its writes fail as they would have).
void guard_standard_descriptors();
[[nodiscard]] bool stdout_closed_at_start();

// One line on stderr: "TOOL: error: message" (or "warning"), flushed.
void print_error(std::string_view tool, std::string_view message);
void print_warning(std::string_view tool, std::string_view message);

}  // namespace sockkit::cli

SOCKKIT_API_END
