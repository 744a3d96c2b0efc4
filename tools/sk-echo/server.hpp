// The server: binds every listener, prints where it listens, runs one worker per
// thread, and turns signals into totals (SIGUSR1) or a graceful stop (SIGINT, SIGTERM, SIGHUP).
#pragma once

#include "config.hpp"

namespace sk_echo {

// Returns the exit code; throws for failures to bind or to start.
[[nodiscard]] int run_server(const ServerConfig& config);

}  // namespace sk_echo
