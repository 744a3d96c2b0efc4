#include "sockkit/cli.hpp"

#include <csignal>
#include <cstdio>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/common_options.hpp"
#include "sockkit/error.hpp"
#include "sockkit/nagios.hpp"

namespace sockkit::cli {

void add_format_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed) {
  options.allowed.assign(allowed);
  app.add_option("-f,--format", options.format,
                 fmt::format("Output format: {} (default text)", format_list(options.allowed)))
      ->type_name("FORMAT");
  app.add_flag("-j,--json", options.json, "Same as --format json");
}

void add_output_options(CLI::App& app, OutputOptions& options,
                        std::initializer_list<Format> allowed) {
  add_format_options(app, options, allowed);
  app.add_option("--color", options.color,
                 "Colour: auto (terminal only, honours NO_COLOR), always, never")
      ->type_name("WHEN");
}

void add_netns_option(CLI::App& app, std::string& netns) {
  app.add_option("--netns", netns,
                 "Run inside a network namespace: NAME (/run/netns), PATH, or pid:PID (needs root)")
      ->type_name("SPEC")
      // Given but empty would otherwise read as not given and run in the host's namespace.
      ->check([](const std::string& value) {
        return value.empty() ? std::string(
                                   "an empty value names no namespace: expected NAME, PATH "
                                   "or pid:PID")
                             : std::string();
      });
}

void add_family_flags(CLI::App& app, bool& ipv4, bool& ipv6) {
  app.add_flag("-4,--ipv4", ipv4, "IPv4 only");
  app.add_flag("-6,--ipv6", ipv6, "IPv6 only");
}

void add_source_option(CLI::App& app, std::string& source) {
  app.add_option("-s,--source", source, "Send from ADDR[:PORT], an address of this host")
      ->type_name("ADDR[:PORT]");
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
  if (stdout_closed_at_start()) return code;  // any write already failed and said so
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
    auto line = nagios::status_line(label, nagios_unknown, message);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return int{nagios_unknown};
  });
}

int run_checkable(std::string_view tool, std::string_view label, CLI::App& app, int argc,
                  char** argv, const std::function<int()>& body) {
  if (asks_for_check(argc, argv)) return run_nagios(tool, label, app, argc, argv, body);
  return run(tool, app, argc, argv, body);
}

}  // namespace sockkit::cli
