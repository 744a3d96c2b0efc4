// A worker's read buffers. Connections read into the current one; when the socket
// will not take the whole echo back, the connection keeps that buffer, unsent bytes and
// all, and the worker goes on with a spare, so a short write neither copies nor (once a
// spare exists) allocates. A few spares are kept; beyond them buffers are freed, so a
// burst of slow clients does not pin its memory for good.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace sk_echo {

class ReadBuffers {
 public:
  using Buffer = std::unique_ptr<char[]>;
  // One read per 256 KiB of bulk data (a quarter of the system calls of 64 KiB), and
  // the most a client that does not read can cost: its echo waits, reading stops.
  static constexpr std::size_t kSize = 256 * 1024;
  static constexpr std::size_t kMaxSpares = 4;

  ReadBuffers();

  [[nodiscard]] std::span<char> current() noexcept { return {current_.get(), kSize}; }
  // Hands over the current buffer and puts a spare (or a new buffer) in its place.
  [[nodiscard]] Buffer take_current();
  // Takes a buffer back once its echo is out.
  void give_back(Buffer buffer) noexcept;

 private:
  Buffer current_;
  std::vector<Buffer> spares_;  // capacity kMaxSpares from the start: give_back never allocates
};

}  // namespace sk_echo
