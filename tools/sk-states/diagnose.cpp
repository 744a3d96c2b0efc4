#include "diagnose.hpp"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "sockkit/console.hpp"

namespace sk_states {

using sockkit::state_bit;
using sockkit::TcpState;

namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// The counters, totals and limits; a file the kernel (or a container) hides leaves its
// part empty and is reported once, so the counts still come out.
// `sockstat`: already read by the caller, or nullptr to read it here.
sockkit::KernelReadings read_readings(const sockkit::SockStat* sockstat) {
  sockkit::KernelReadings readings;
  std::string problem;
  try {
    readings.counters = sockkit::read_netstat();
  } catch (const std::exception& e) {
    problem = e.what();
  }
  try {
    readings.sockstat = sockstat != nullptr ? *sockstat : sockkit::read_sockstat();
  } catch (const std::exception& e) {
    if (problem.empty()) problem = e.what();
  }
  readings.sysctls = sockkit::read_net_sysctls();
  static std::atomic<bool> warned{false};
  if (!problem.empty() && !warned.exchange(true)) {
    sockkit::cli::print_warning(
        "sk-states",
        fmt::format("{}; the findings that use kernel counters cannot see them", problem));
  }
  return readings;
}

}  // namespace

void warn_unreadable(std::size_t processes) {
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  sockkit::cli::print_warning(
      "sk-states", fmt::format("{} processes of other users could not be read, so their sockets "
                               "show no owner; run as root (or with CAP_SYS_PTRACE) to see them",
                               processes));
}

Diagnoser::Diagnoser() : host_limits_(sockkit::read_net_sysctls()) {}

sockkit::ProcessMap Diagnoser::look_up(std::span<const std::uint32_t> inodes) {
  // Findings name owner() only, so the walk may stop once every socket has one.
  auto owners = sockkit::ProcessMap::scan(inodes, sockkit::Holders::lowest);
  if (owners.unreadable_processes() > 0 && ::geteuid() != 0) {
    warn_unreadable(owners.unreadable_processes());
  }
  return owners;
}

Sample Diagnoser::take(const Query& query, const sockkit::OwnerLookup* owners,
                       const sockkit::SockStat* sockstat) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  auto readings = read_readings(sockstat);
  sockkit::keep_host_limits(readings, host_limits_);
  sockkit::Observations observations(readings.sysctls.ip_local_port_range);

  // Listeners come in a dump of their own that asks for SK_MEMINFO (their drop
  // counters): asking for it in the big dump would add 40 bytes to every socket.
  constexpr auto listen = state_bit(TcpState::listen);
  bool split = query.read.tcp && (query.read.tcp_states & listen) != 0 &&
               query.read.source != sockkit::SourceKind::proc;
  auto connections = query.read;
  if (split) connections.tcp_states &= ~listen;
  if (connections.tcp_states != 0 || connections.udp) {
    sample.report = sockkit::read_sockets(
        connections,
        [&](const sockkit::SocketRecord& record) {
          sample.census.add(record);
          observations.add(record);
        },
        [&] {
          sample.census.clear();
          observations.clear_connections();
        });
  }
  if (split) {
    auto listeners = query.read;
    listeners.udp = false;
    listeners.tcp_states = listen;
    listeners.skmeminfo = true;
    sockkit::Census counted;
    auto report = sockkit::read_sockets(
        listeners,
        [&](const sockkit::SocketRecord& record) {
          counted.add(record);
          observations.add(record);
        },
        [&] {
          counted.clear();
          observations.clear_listeners();
        });
    sample.census += counted;
    sample.report.merge(report);
  }
  sample.duration_ms = elapsed_ms(start);

  auto now = std::chrono::steady_clock::now();
  sockkit::DiagnosisInput input;
  input.census = &sample.census;
  input.observations = &observations;
  input.readings = &readings;
  input.owners_everywhere = query.processes;
  if (previous_) {
    input.previous = &*previous_;
    input.previous_readings = &*previous_readings_;
    input.interval_s = std::chrono::duration<double>(now - previous_at_).count();
  }
  sockkit::OwnerLookup own = [this](std::span<const std::uint32_t> inodes) {
    return look_up(inodes);
  };
  sample.diagnosis = sockkit::diagnose(input, query.thresholds, owners ? *owners : own);
  if (keep_history_) {
    previous_ = sample.diagnosis;
    previous_readings_ = readings;
    previous_at_ = now;
  }
  sample.kernel = std::move(readings);
  return sample;
}

}  // namespace sk_states
