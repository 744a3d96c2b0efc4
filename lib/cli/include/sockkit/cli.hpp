// The CLI11 glue every command shares: the common options and the wrapper that turns
// a command's body into the exit codes and one-line errors of DESIGN.md. The rest of
// the shared command surface, free of CLI11, is in sockkit/console.hpp.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "sockkit/console.hpp"

namespace sockkit::cli {

// Adds -f/--format, -j/--json and --color.
void add_output_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed);
// Adds -f/--format and -j/--json only, for a command that never colours its output.
void add_format_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed);
// Adds --netns SPEC (NAME, PATH or pid:PID); cli::checked_netns (common_options.hpp) checks the
// value.
void add_netns_option(CLI::App& app, std::string& netns);
// Adds -4/--ipv4 and -6/--ipv6; cli::ip_version_of turns them into one IpVersion.
void add_family_flags(CLI::App& app, bool& ipv4, bool& ipv6);
// Adds -s/--source ADDR[:PORT], the local address to send from; see source_address_of.
void add_source_option(CLI::App& app, std::string& source);

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

// run_nagios() when argv asks for --check (before any "--"), run() otherwise: a
// monitoring system reads the status line even for options CLI11 refuses, so the
// choice is made before parsing.
[[nodiscard]] int run_checkable(std::string_view tool, std::string_view label, CLI::App& app,
                                int argc, char** argv, const std::function<int()>& body);

}  // namespace sockkit::cli
