// A sample with its diagnosis: the census and the observations taken in one pass, the
// listeners with their drop counters in a second (cheap) one, the kernel's counters,
// and the rules. Across --watch samples it keeps the previous diagnosis for rates.
#pragma once

#include <chrono>
#include <optional>

#include "render.hpp"
#include "sockkit/diagnosis.hpp"

namespace sk_states {

class Diagnoser {
 public:
  // Reads the host-wide limits (tcp_max_orphans, tcp_mem), which only the initial
  // namespace shows: construct it before entering --netns.
  Diagnoser();
  // With the host's limits already read: one Diagnoser per namespace under --all-netns,
  // each built in the initial namespace and used on a worker thread inside its own.
  explicit Diagnoser(const sockkit::NetSysctls& host_limits) : host_limits_(host_limits) {}

  // `owners`: where the rules look socket owners up, when not in a scan of their own
  // (--all-netns shares one scan of /proc among every namespace).
  // `sockstat`: this namespace's, when the caller has just read it.
  [[nodiscard]] Sample take(const Query& query, const sockkit::OwnerLookup* owners = nullptr,
                            const sockkit::SockStat* sockstat = nullptr);
  // Keep this sample for the next one's rates (--watch); a one-shot run keeps nothing.
  void keep_history(bool keep) noexcept { keep_history_ = keep; }

 private:
  sockkit::ProcessMap look_up(std::span<const std::uint32_t> inodes);

  sockkit::NetSysctls host_limits_;
  std::optional<sockkit::Diagnosis> previous_;
  std::optional<sockkit::KernelReadings> previous_readings_;
  std::chrono::steady_clock::time_point previous_at_;
  bool keep_history_ = true;
};

// Says once per run (whichever namespace or thread notices first) that other users'
// processes could not be read.
void warn_unreadable(std::size_t processes);

}  // namespace sk_states
