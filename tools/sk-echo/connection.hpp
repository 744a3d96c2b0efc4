// One accepted TCP connection: echo what arrives, never hold more than one read's
// worth the client has not taken back, and close the way the options ask.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "config.hpp"
#include "read_buffers.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/fd.hpp"
#include "totals.hpp"

namespace sk_echo {

class Connection {
 public:
  enum class Phase {
    echoing,   // reading and writing back
    draining,  // --close-first: our FIN is sent; discard until the client's
    holding,   // --on-eof hold: the client's FIN is in; we never close
    delaying,  // --on-eof delay: closing when the timer fires
  };

  Connection(sockkit::Fd fd, const sockkit::SockAddress& peer,
             sockkit::EventLoop::Clock::time_point now);

  // Handles readiness, reading into the worker's current buffer. Returns how the
  // connection ended, or nullopt while it goes on.
  [[nodiscard]] std::optional<End> on_io(std::uint32_t events, ReadBuffers& buffers,
                                         const ServerConfig& config, WorkerTotals& totals);

  // The epoll mask the connection wants now.
  [[nodiscard]] std::uint32_t interest() const noexcept;
  [[nodiscard]] Phase phase() const noexcept { return phase_; }
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // Ends with a reset (SO_LINGER 0) instead of a FIN when the descriptor closes.
  void abort_on_close() noexcept;
  [[nodiscard]] ConnectionRecord record(End end, sockkit::EventLoop::Clock::time_point now) const;
  // The buffer of echo still owed, if any, for the worker to reuse once the connection ends.
  [[nodiscard]] ReadBuffers::Buffer release_buffer() noexcept { return std::move(pending_); }

  sockkit::EventLoop::Clock::time_point last_active;
  sockkit::EventLoop::TimerId timer;
  std::uint32_t serial = 0;
  std::uint32_t watched = 0;  // the mask last given to epoll
  bool delay_armed = false;

 private:
  [[nodiscard]] std::optional<End> read_some(ReadBuffers& buffers, const ServerConfig& config,
                                             WorkerTotals& totals);
  [[nodiscard]] std::optional<End> flush(ReadBuffers& buffers, WorkerTotals& totals);
  [[nodiscard]] std::optional<End> after_progress(const ServerConfig& config);
  [[nodiscard]] std::optional<End> discard(std::span<char> scratch);
  [[nodiscard]] std::optional<End> socket_error() const;

  sockkit::Fd fd_;
  sockkit::SockAddress peer_;
  sockkit::EventLoop::Clock::time_point started_;
  // Echo owed that the socket would not take yet: the buffer it was read into, kept
  // until the bytes from pending_begin_ to pending_end_ are sent.
  ReadBuffers::Buffer pending_;
  std::size_t pending_begin_ = 0;
  std::size_t pending_end_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  Phase phase_ = Phase::echoing;
  bool peer_fin_ = false;
  bool limit_reached_ = false;
  bool first_echoed_ = false;
};

}  // namespace sk_echo
