// What a scan is asked to do and what each probe found. Plain data, shared by the
// engine, the wait mode and the renderers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/outcome.hpp"
#include "sockkit/ports.hpp"
#include "sockkit/probe_targets.hpp"

namespace sk_probe {

using Millis = std::chrono::milliseconds;

enum class State : std::uint8_t { open, closed, filtered, unreachable, error, open_filtered };
inline constexpr std::size_t kStateCount = 6;
[[nodiscard]] std::string_view state_name(State state);

enum class CloseMode : std::uint8_t { rst, fin };

struct ScanPlan {
  std::vector<sockkit::ProbeHost> hosts;  // resolved ones only
  sockkit::PortSet ports;                 // for hosts without a port of their own
  bool udp = false;
  Millis timeout{1000};  // the most an attempt waits; adaptive timeouts stay below
  unsigned retries = 1;  // further attempts after silence
  unsigned parallel = 1024;
  double rate = 0;  // attempts per second; 0: as fast as answers come
  std::optional<sockkit::SockAddress> source;
  CloseMode close = CloseMode::rst;
  bool banner = false;
  Millis banner_wait{1000};
  bool progress = false;  // a line on stderr while a long scan runs
  unsigned threads = 0;   // event loops; 0: one per core (at most 4) for large scans

  [[nodiscard]] std::uint64_t probe_count() const;
};

struct Result {
  std::uint32_t host = 0;  // index into ScanPlan::hosts
  std::uint16_t port = 0;
  State state = State::error;
  std::uint8_t attempts = 0;
  double rtt_ms = -1;  // time to the answer; < 0 when none came
  int error = 0;       // errno behind closed, unreachable and error
  sockkit::FailureKind failure = sockkit::FailureKind::other;  // how `error` was classified
  // ICMP type and code when one explained the result (unreachable, UDP closed).
  int icmp_type = -1;
  int icmp_code = -1;
  bool icmp6 = false;
  bool udp = false;
  bool self_connect = false;  // the probe left from the port it probed: nothing listens
  std::string banner;         // --banner, or the first bytes of a UDP reply
};

// Why a result is what it is, in a few words: "connection refused", "ICMP port
// unreachable", "administratively prohibited (ICMP type 3 code 13)", "no reply".
[[nodiscard]] std::string reason_of(const Result& result);

// Takes the results of one scan thread. run_scan asks for one sink per thread, so
// add() needs no lock; flush() is where a sink hands over what it gathered (writes a
// batch of lines, merges kept results), called every 10 ms while the scan runs, so
// results appear as they come, and once when the thread's share is done.
class ResultSink {
 public:
  ResultSink() = default;
  ResultSink(const ResultSink&) = delete;
  ResultSink& operator=(const ResultSink&) = delete;
  virtual ~ResultSink() = default;
  virtual void add(const Result& result) = 0;
  virtual void flush() {}
};

using SinkMaker = std::function<std::unique_ptr<ResultSink>()>;

struct ScanTotals {
  std::uint64_t probes = 0;
  std::array<std::uint64_t, kStateCount> states{};
  double elapsed_s = 0;
  bool interrupted = false;
};

// Runs the scan; every result goes to a sink (one from `make_sink` per thread) as it
// is known. Throws std::system_error when the machinery (epoll) fails, and passes on
// what a sink throws.
[[nodiscard]] ScanTotals run_scan(const ScanPlan& plan, const SinkMaker& make_sink);

}  // namespace sk_probe
