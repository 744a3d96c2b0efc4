#include "server.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sockets.hpp"
#include "sockkit/console.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/signal_watch.hpp"
#include "totals.hpp"
#include "worker.hpp"

namespace sk_echo {

namespace {

// Binds the listeners for every thread. The first thread's sockets fix the ports
// (port 0 becomes a real one, and UDP takes the port TCP got), the others share them.
std::vector<std::vector<BoundSocket>> bind_all(const ServerConfig& config) {
  std::vector<std::vector<BoundSocket>> per_thread(config.threads);
  bool reuse_port = config.threads > 1;
  for (const auto& requested : config.listen) {
    sockkit::SockAddress address = requested;
    std::vector<Proto> protos;
    if (config.tcp) protos.push_back(Proto::tcp);
    if (config.udp) protos.push_back(Proto::udp);
    for (Proto proto : protos) {
      BoundSocket first = open_bound(address, proto, reuse_port);
      address = first.address;
      sockkit::cli::write_out(
          render_listening(first.address, proto == Proto::tcp ? "tcp" : "udp", config.format));
      per_thread[0].push_back(std::move(first));
      // UDP stays on the first thread: the per-source rate limit needs one view.
      if (proto == Proto::udp) continue;
      for (unsigned t = 1; t < config.threads; ++t) {
        per_thread[t].push_back(open_bound(address, proto, reuse_port));
      }
    }
  }
  sockkit::cli::flush_out();
  return per_thread;
}

// The stop signals every long-running mode ends on, and SIGUSR1 for the totals.
sigset_t control_signals() {
  sigset_t set = sockkit::stop_signals();
  sigaddset(&set, SIGUSR1);
  return set;
}

// A reader of stdout that went away (`sk-echo -l 7 | head -1`) must not stop the
// server: the totals have nowhere to go, the echo service goes on.
void print_totals(const Totals& totals, const ServerConfig& config) {
  try {
    sockkit::cli::write_out(render_totals(totals.snapshot(), config.format));
    sockkit::cli::flush_out();
  } catch (const sockkit::cli::OutputClosed&) {
    std::clearerr(stdout);
  }
}

// Stops every loop when the main thread leaves, however it leaves, so that the
// threads' join never waits forever.
struct StopAll {
  explicit StopAll(std::vector<std::unique_ptr<Worker>>& all) : workers(all) {}
  std::vector<std::unique_ptr<Worker>>& workers;
  StopAll(const StopAll&) = delete;
  StopAll& operator=(const StopAll&) = delete;
  ~StopAll() {
    for (auto& worker : workers) worker->stop();
  }
};

// Collects the first failure of a worker thread, then wakes the main thread.
struct Failure {
  std::mutex mutex;
  std::exception_ptr error;
  pthread_t main_thread = ::pthread_self();

  void record(std::exception_ptr e) {
    {
      std::lock_guard lock(mutex);
      if (!error) error = std::move(e);
    }
    ::pthread_kill(main_thread, SIGTERM);
  }
};

// Serves SIGUSR1 with the totals until a signal (or a failed worker) says stop.
void wait_for_stop(const sigset_t& signals, const Totals& totals, const ServerConfig& config) {
  for (;;) {
    int sig = 0;
    if (::sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      print_totals(totals, config);
      continue;
    }
    return;  // SIGINT, SIGTERM, SIGHUP, or a worker failed
  }
}

}  // namespace

int run_server(const ServerConfig& config) {
  // 10,000 connections need more descriptors than a default soft limit of 1,024.
  (void)sockkit::raise_descriptor_limit(UINT64_MAX);
  auto sockets = bind_all(config);
  if (config.udp_rate_by_default) {
    sockkit::cli::print_warning(
        "sk-echo", fmt::format("UDP echo beyond loopback: replies capped at {:g}/s per source "
                               "address, against reflection (--udp-rate 0 lifts the cap)",
                               config.udp_rate));
  }
  Totals totals(config.threads);
  // Blocked before the threads start, so they inherit the mask and only the main
  // thread, in sigwait, ever sees these signals.
  sigset_t signals = control_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < config.threads; ++t) {
    workers.push_back(
        std::make_unique<Worker>(config, totals.worker(t), totals.active(), std::move(sockets[t])));
  }
  Failure failure;
  std::vector<std::jthread> threads;
  StopAll stop_all(workers);  // declared after the threads: it runs before they join
  for (auto& worker : workers) {
    threads.emplace_back([&failure, w = worker.get()] {
      try {
        w->run();
      } catch (...) {
        failure.record(std::current_exception());
      }
    });
  }
  wait_for_stop(signals, totals, config);
  for (auto& worker : workers) worker->stop();
  threads.clear();  // joins
  print_totals(totals, config);
  if (failure.error) std::rethrow_exception(failure.error);
  return sockkit::cli::exit_ok;
}

}  // namespace sk_echo
