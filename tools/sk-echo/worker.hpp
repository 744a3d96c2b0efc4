// One server thread: an event loop with its own listening sockets (SO_REUSEPORT
// spreads connections over the threads), its connections, and their timers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "connection.hpp"
#include "read_buffers.hpp"
#include "sockets.hpp"
#include "sockkit/event_loop.hpp"
#include "totals.hpp"
#include "udp_echo.hpp"

namespace sk_echo {

class Worker : public sockkit::IoHandler, public sockkit::TimerHandler {
 public:
  // `totals` are this worker's own; `active` counts open connections over every worker.
  Worker(const ServerConfig& config, WorkerTotals& totals, std::atomic<std::uint64_t>& active,
         std::vector<BoundSocket> sockets);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  // Serves until stop(), then closes every connection (counted as "shutdown").
  void run();
  void stop() noexcept { loop_.stop(); }

  void on_io(int fd, std::uint32_t events) override;
  void on_timer(std::uint64_t cookie) override;

 private:
  class Listener;
  void accept_from(int listen_fd);
  void adopt(sockkit::Fd fd, const sockkit::SockAddress& peer);
  void reject(sockkit::Fd fd, const sockkit::SockAddress& peer);
  void update(Connection& conn);
  void arm_timer(Connection& conn, sockkit::EventLoop::Clock::time_point deadline);
  void close(int fd, End end);
  void log(const ConnectionRecord& record) const;
  void pause_accepting(int listen_fd);

  const ServerConfig& config_;
  WorkerTotals& totals_;
  std::atomic<std::uint64_t>& active_;
  sockkit::EventLoop loop_;
  ReadBuffers buffers_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<UdpEcho>> udp_;
  std::vector<std::unique_ptr<Connection>> conns_;  // indexed by fd
  std::uint32_t next_serial_ = 1;
};

}  // namespace sk_echo
