#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "sockkit/table.hpp"

namespace sk_probe {

Progress::Progress(bool enabled, std::uint64_t total)
    : enabled_(enabled && ::isatty(STDERR_FILENO) == 1), total_(total) {}

void Progress::tick(std::uint64_t done) {
  if (!enabled_) return;
  auto now = Clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(250);
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  auto line = fmt::format("\r{}/{} probes  {}/s  {:.0f} s left ", sockkit::group_thousands(done),
                          sockkit::group_thousands(total_),
                          sockkit::group_thousands(static_cast<std::uint64_t>(rate)), left);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace sk_probe
