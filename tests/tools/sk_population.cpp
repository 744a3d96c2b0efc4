// sk-population: builds a KNOWN population of TCP (and UDP) sockets on loopback in the
// current network namespace, checks every socket reached the state it was built for,
// prints one line
//   ready {"tcp":{11 state keys},"udp":{"established":N,"close":N},"ports":{...}}
// and holds everything until SIGTERM or SIGINT (then it aborts every socket with an RST,
// so no orphan lingers, and exits 0). Any socket that misses its state: exit 1.
//
// The counts are exact only with these nftables rules in the namespace (the integration
// test sets them up; the names are its choice):
//   table inet t {
//     chain out { type filter hook output priority 0;
//       meta mark 0x50c drop }                          # --fin-wait1 --closing --last-ack
//     chain in  { type filter hook input priority 0;
//       tcp dport SYN_SENT_PORT drop                    # --syn-sent
//       tcp dport SYN_RECV_PORT tcp flags & (syn | ack) == ack drop } }   # --syn-recv
// and the states last for these times:
//   TIME_WAIT from --time-wait: 60 s (the kernel's fixed TIME_WAIT length), so check
//   within a minute of "ready". The rest lasts for minutes: retransmissions into the
//   drop rules run for tcp_retries2 (~15 min), and SYN_SENT and SYN_RECV retry for as
//   long as TCP_SYNCNT (127 tries) allows.
//
// How each state is made (client = connecting side, server = accepted side):
//   --listen N       N listeners on 127.0.0.1 / ::1, port 0
//   --established N  N pairs, one byte each way (so TCP_INFO has an RTT): 2N ESTABLISHED
//   --time-wait N    client shuts down first, server after: N TIME_WAIT (client side)
//   --close-wait N   client shuts down, server never does: N CLOSE_WAIT + N FIN_WAIT2
//   --last-ack N     as --close-wait, then the client is marked and the server shuts down:
//                    the client's ACK of the server's FIN is dropped: N LAST_ACK (server)
//                    + N TIME_WAIT (client; restarted by each retransmitted FIN)
//   --fin-wait1 N    marked client shuts down, its FIN is dropped: N FIN_WAIT1 + N ESTAB
//   --closing N      as --fin-wait1, then the server shuts down too: the client gets a FIN
//                    while its own is unacknowledged: N CLOSING + N FIN_WAIT1 (server)
//   --syn-sent N     N connects to --syn-sent-port, whose SYNs are dropped: N SYN_SENT
//   --syn-recv N     a listener on --syn-recv-port; the clients' final handshake ACK is
//                    dropped: N SYN_RECV (request sockets) + N ESTABLISHED (clients)
//   --v4-mapped N    (--family 6) N pairs over ::ffff:127.0.0.1 on IPv6 sockets: 2N ESTAB
//   --udp N          N bound unconnected UDP sockets (CLOSE) + N connected (ESTABLISHED)
//   --accept-queue N a listener with listen(fd, --backlog B) that never accepts; N clients
//                    connect. The kernel queues B + 1 of them (the queue is full once it
//                    holds MORE than B): Q = min(N, B + 1) clients and their queued server
//                    ends are ESTABLISHED (2Q). The SYNs of the other N - Q reach a full
//                    queue and are dropped (TcpExtListenOverflows and ListenDrops count
//                    each one, retries too): N - Q SYN_SENT, retrying for minutes.
//     --drain        then closes the N - Q refused clients and accepts the Q queued ones:
//                    an empty queue whose drop counter (SK_MEMINFO_DROPS) remembers.
// Every category but --syn-sent and --udp adds its own listener to the LISTEN count.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include "sockkit/address.hpp"
#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"

namespace {

using sockkit::Fd;
using Clock = std::chrono::steady_clock;

// The test's output rule drops every packet carrying this mark.
constexpr std::uint32_t kDropMark = 0x50c;
// How long one socket may take to reach its state on loopback before we give up.
constexpr auto kStateDeadline = std::chrono::seconds(5);
// Long enough that a dropped SYN or SYN-ACK keeps being retried for the whole test.
constexpr int kSynRetries = 127;

// Kernel state numbers (include/net/tcp_states.h) and their JSON keys, in kernel order.
constexpr std::array<const char*, 12> kStateKeys = {
    "",          "established", "syn_sent",   "syn_recv", "fin_wait1", "fin_wait2",
    "time_wait", "close",       "close_wait", "last_ack", "listen",    "closing"};

struct Options {
  int family = 4;
  int listen = 0, established = 0, time_wait = 0, close_wait = 0, last_ack = 0;
  int fin_wait1 = 0, closing = 0, syn_sent = 0, syn_recv = 0, v4_mapped = 0, udp = 0;
  int accept_queue = 0, backlog = -1;
  bool drain = false;
  std::uint16_t syn_sent_port = 0, syn_recv_port = 0;
};

struct Pair {
  Fd client;
  Fd server;
};

// --- small socket helpers ---------------------------------------------------------

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    sockkit::throw_errno(fmt::format("cannot set {}", what));
  }
}

void mark_for_drop(int fd) {
  auto mark = kDropMark;
  if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
    sockkit::throw_errno("cannot set SO_MARK (needs CAP_NET_ADMIN)");
  }
}

int tcp_state(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    sockkit::throw_errno("cannot read TCP_INFO");
  }
  return info.tcpi_state;
}

// For a listener, TCP_INFO's tcpi_unacked is the length of the accept queue.
std::uint32_t accept_queue_length(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    sockkit::throw_errno("cannot read TCP_INFO of a listener");
  }
  return info.tcpi_unacked;
}

std::string state_name(int state) {
  return state > 0 && state < static_cast<int>(kStateKeys.size()) ? kStateKeys[state]
                                                                  : std::to_string(state);
}

// Transitions on loopback happen in softirq context, not inside our syscall, so we poll.
void wait_state(int fd, int want, const char* role) {
  auto deadline = Clock::now() + kStateDeadline;
  int got = tcp_state(fd);
  while (got != want) {
    if (Clock::now() > deadline) {
      throw std::runtime_error(fmt::format("{} socket stayed {} instead of reaching {}", role,
                                           state_name(got), state_name(want)));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    got = tcp_state(fd);
  }
}

sockkit::SockAddress loopback(int family, std::uint16_t port) {
  auto ip = sockkit::IpAddress::parse(family == 4 ? "127.0.0.1" : "::1");
  return {*ip, port};
}

sockkit::SockAddress v4_mapped_loopback(std::uint16_t port) {
  return {*sockkit::IpAddress::parse("::ffff:127.0.0.1"), port};
}

std::uint16_t local_port(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) {
    sockkit::throw_errno("cannot read the local address");
  }
  return sockkit::SockAddress(reinterpret_cast<sockaddr*>(&storage), len).port();
}

int domain_of(const sockkit::SockAddress& addr) {
  return addr.family();
}

Fd make_listener(const sockkit::SockAddress& addr, int backlog = SOMAXCONN) {
  auto fd = sockkit::make_socket(domain_of(addr), SOCK_STREAM | SOCK_NONBLOCK);
  set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  // On a listener TCP_SYNCNT sets how often a SYN-ACK is retried (tcp_synack_retries).
  set_int_option(fd.get(), IPPROTO_TCP, TCP_SYNCNT, kSynRetries, "TCP_SYNCNT");
  if (::bind(fd.get(), addr.get(), addr.size()) != 0) {
    sockkit::throw_errno(fmt::format("cannot bind a listener to {}", addr));
  }
  if (::listen(fd.get(), backlog) != 0) sockkit::throw_errno("cannot listen");
  return fd;
}

Fd start_connect(const sockkit::SockAddress& to) {
  auto fd = sockkit::make_socket(domain_of(to), SOCK_STREAM | SOCK_NONBLOCK);
  set_int_option(fd.get(), IPPROTO_TCP, TCP_SYNCNT, kSynRetries, "TCP_SYNCNT");
  if (::connect(fd.get(), to.get(), to.size()) != 0 && errno != EINPROGRESS) {
    sockkit::throw_errno(fmt::format("cannot connect to {}", to));
  }
  return fd;
}

Fd accept_one(int listener) {
  pollfd pfd{listener, POLLIN, 0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(kStateDeadline).count();
  if (::poll(&pfd, 1, static_cast<int>(ms)) != 1) {
    throw std::runtime_error("no connection arrived at the listener in time");
  }
  int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) sockkit::throw_errno("cannot accept");
  return Fd(fd);
}

Pair connect_pair(int listener, const sockkit::SockAddress& to) {
  Pair pair{start_connect(to), Fd()};
  pair.server = accept_one(listener);
  wait_state(pair.client.get(), TCP_ESTABLISHED, "client");
  return pair;
}

void shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) != 0) sockkit::throw_errno("cannot shut down for writing");
}

// One byte each way, so both ends have an RTT sample in TCP_INFO.
void exchange_byte(const Pair& pair) {
  char byte = 'x';
  for (auto [from, to] : {std::pair{pair.client.get(), pair.server.get()},
                          std::pair{pair.server.get(), pair.client.get()}}) {
    if (::send(from, &byte, 1, MSG_NOSIGNAL) != 1) sockkit::throw_errno("cannot send");
    pollfd pfd{to, POLLIN, 0};
    if (::poll(&pfd, 1, 5000) != 1 || ::recv(to, &byte, 1, 0) != 1) {
      throw std::runtime_error("a byte sent over loopback did not arrive");
    }
  }
}

// --- the population -------------------------------------------------------------

class Population {
 public:
  explicit Population(int family) : family_(family) {}

  void add_listeners(int n);
  void add_established(int n);
  void add_time_wait(int n);
  void add_close_wait(int n);
  void add_last_ack(int n);
  void add_fin_wait1(int n);
  void add_closing(int n);
  void add_syn_sent(int n, std::uint16_t port);
  void add_syn_recv(int n, std::uint16_t port);
  void add_v4_mapped(int n);
  void add_udp(int n);
  void add_accept_queue(int n, int backlog, bool drain);

  // Re-checks every socket after the dust settled: a state that only held for a
  // moment (a missing drop rule lets the ACK through) fails here.
  void verify() const;
  [[nodiscard]] std::string ready_line() const;
  // Aborts every TCP socket (RST, no orphan left behind) and closes the rest.
  void abort_all();

 private:
  struct Held {
    Fd fd;
    int state;  // the TCP state it must stay in; 0 for UDP
  };
  // A listener for one category, counted as LISTEN and remembered by name for --sport.
  int category_listener(const char* name, std::uint16_t port = 0, int backlog = SOMAXCONN);
  Pair pair_for(int listener, std::uint16_t port) {
    return connect_pair(listener, loopback(family_, port));
  }
  void hold(Fd fd, int state) {
    if (state != 0) ++tcp_[state];
    held_.push_back({std::move(fd), state});
  }

  int family_;
  std::array<int, 12> tcp_{};
  int udp_established_ = 0, udp_close_ = 0;
  std::vector<Held> held_;
  std::vector<std::uint16_t> listen_ports_;
  std::vector<std::pair<std::string, std::uint16_t>> category_ports_;
  std::uint16_t last_port_ = 0;
  // Listeners that never accept, and the accept queue length each must keep: 0 for
  // --syn-recv (no handshake completes), B + 1 at most for --accept-queue.
  std::vector<std::pair<int, std::uint32_t>> unaccepted_listeners_;
};

int Population::category_listener(const char* name, std::uint16_t port, int backlog) {
  auto fd = make_listener(loopback(family_, port), backlog);
  last_port_ = local_port(fd.get());
  category_ports_.emplace_back(name, last_port_);
  int raw = fd.get();
  hold(std::move(fd), TCP_LISTEN);
  return raw;
}

void Population::add_listeners(int n) {
  for (int i = 0; i < n; ++i) {
    auto fd = make_listener(loopback(family_, 0));
    listen_ports_.push_back(local_port(fd.get()));
    hold(std::move(fd), TCP_LISTEN);
  }
}

void Population::add_established(int n) {
  int listener = category_listener("established");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    exchange_byte(pair);
    hold(std::move(pair.client), TCP_ESTABLISHED);
    hold(std::move(pair.server), TCP_ESTABLISHED);
  }
}

void Population::add_time_wait(int n) {
  int listener = category_listener("time_wait");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    shutdown_write(pair.client.get());
    wait_state(pair.server.get(), TCP_CLOSE_WAIT, "time-wait server");
    shutdown_write(pair.server.get());
    // The client's socket turns CLOSE when the kernel hands it over to a TIME_WAIT
    // socket; the server's turns CLOSE when the last ACK arrived. Both gone from the
    // tables then, so closing the descriptors changes no count.
    wait_state(pair.client.get(), TCP_CLOSE, "time-wait client");
    wait_state(pair.server.get(), TCP_CLOSE, "time-wait server");
    ++tcp_[TCP_TIME_WAIT];
  }
}

void Population::add_close_wait(int n) {
  int listener = category_listener("close_wait");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    shutdown_write(pair.client.get());
    wait_state(pair.client.get(), TCP_FIN_WAIT2, "close-wait client");
    wait_state(pair.server.get(), TCP_CLOSE_WAIT, "close-wait server");
    hold(std::move(pair.client), TCP_FIN_WAIT2);
    hold(std::move(pair.server), TCP_CLOSE_WAIT);
  }
}

void Population::add_last_ack(int n) {
  int listener = category_listener("last_ack");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    shutdown_write(pair.client.get());
    wait_state(pair.client.get(), TCP_FIN_WAIT2, "last-ack client");
    wait_state(pair.server.get(), TCP_CLOSE_WAIT, "last-ack server");
    // From here on nothing the client (and its TIME_WAIT successor) sends arrives.
    mark_for_drop(pair.client.get());
    shutdown_write(pair.server.get());
    wait_state(pair.client.get(), TCP_CLOSE, "last-ack client");
    ++tcp_[TCP_TIME_WAIT];
    hold(std::move(pair.server), TCP_LAST_ACK);
  }
}

void Population::add_fin_wait1(int n) {
  int listener = category_listener("fin_wait1");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    mark_for_drop(pair.client.get());
    shutdown_write(pair.client.get());
    wait_state(pair.client.get(), TCP_FIN_WAIT1, "fin-wait1 client");
    hold(std::move(pair.client), TCP_FIN_WAIT1);
    hold(std::move(pair.server), TCP_ESTABLISHED);
  }
}

void Population::add_closing(int n) {
  int listener = category_listener("closing");
  for (int i = 0; i < n; ++i) {
    auto pair = pair_for(listener, last_port_);
    mark_for_drop(pair.client.get());
    shutdown_write(pair.client.get());
    wait_state(pair.client.get(), TCP_FIN_WAIT1, "closing client");
    // The server's FIN reaches a client whose own FIN was never acknowledged: the
    // simultaneous close, and the client's ACK of it is dropped too.
    shutdown_write(pair.server.get());
    wait_state(pair.client.get(), TCP_CLOSING, "closing client");
    hold(std::move(pair.client), TCP_CLOSING);
    hold(std::move(pair.server), TCP_FIN_WAIT1);
  }
}

void Population::add_syn_sent(int n, std::uint16_t port) {
  if (n > 0) category_ports_.emplace_back("syn_sent", port);
  for (int i = 0; i < n; ++i) {
    auto fd = start_connect(loopback(family_, port));
    wait_state(fd.get(), TCP_SYN_SENT, "syn-sent client");
    hold(std::move(fd), TCP_SYN_SENT);
  }
}

void Population::add_syn_recv(int n, std::uint16_t port) {
  int listener = category_listener("syn_recv", port);
  unaccepted_listeners_.emplace_back(listener, 0);
  for (int i = 0; i < n; ++i) {
    // The client is ESTABLISHED once the SYN-ACK arrives; the server's request socket
    // waits for an ACK that the input rule drops.
    auto fd = start_connect(loopback(family_, port));
    wait_state(fd.get(), TCP_ESTABLISHED, "syn-recv client");
    hold(std::move(fd), TCP_ESTABLISHED);
    ++tcp_[TCP_SYN_RECV];
  }
}

void Population::add_v4_mapped(int n) {
  // A dual-stack IPv6 socket bound to a v4-mapped address speaks IPv4 on the wire but
  // is listed among the IPv6 sockets (tcp6, AF_INET6 dumps) with ::ffff:127.0.0.1.
  auto fd = make_listener(v4_mapped_loopback(0));
  auto port = local_port(fd.get());
  category_ports_.emplace_back("v4_mapped", port);
  int listener = fd.get();
  hold(std::move(fd), TCP_LISTEN);
  for (int i = 0; i < n; ++i) {
    auto pair = connect_pair(listener, v4_mapped_loopback(port));
    hold(std::move(pair.client), TCP_ESTABLISHED);
    hold(std::move(pair.server), TCP_ESTABLISHED);
  }
}

void Population::add_udp(int n) {
  sockkit::SockAddress first;
  for (int i = 0; i < n; ++i) {
    auto fd = sockkit::make_socket(family_ == 4 ? AF_INET : AF_INET6, SOCK_DGRAM);
    auto addr = loopback(family_, 0);
    if (::bind(fd.get(), addr.get(), addr.size()) != 0) sockkit::throw_errno("cannot bind UDP");
    if (i == 0) first = loopback(family_, local_port(fd.get()));
    hold(std::move(fd), 0);
    ++udp_close_;
  }
  for (int i = 0; i < n; ++i) {
    // connect() on UDP only fixes the peer (and binds an ephemeral port): no traffic.
    auto fd = sockkit::make_socket(first.family(), SOCK_DGRAM);
    if (::connect(fd.get(), first.get(), first.size()) != 0) {
      sockkit::throw_errno("cannot connect UDP");
    }
    hold(std::move(fd), 0);
    ++udp_established_;
  }
}

void Population::add_accept_queue(int n, int backlog, bool drain) {
  int listener = category_listener("accept_queue", 0, backlog);
  int queued = std::min(n, backlog + 1);
  std::vector<Fd> refused;  // clients whose SYNs met a full queue
  for (int i = 0; i < n; ++i) {
    auto fd = start_connect(loopback(family_, last_port_));
    if (i < queued) {
      wait_state(fd.get(), TCP_ESTABLISHED, "accept-queue client");
      hold(std::move(fd), TCP_ESTABLISHED);
    } else {
      wait_state(fd.get(), TCP_SYN_SENT, "accept-queue client past the backlog");
      refused.push_back(std::move(fd));
    }
  }
  if (!drain) {
    tcp_[TCP_ESTABLISHED] += queued;  // the server ends, queued and never accepted
    for (auto& fd : refused) hold(std::move(fd), TCP_SYN_SENT);
    unaccepted_listeners_.emplace_back(listener, static_cast<std::uint32_t>(queued));
    return;
  }
  // Closing a SYN_SENT socket sends nothing; the drops stay counted on the listener.
  refused.clear();
  for (int i = 0; i < queued; ++i) hold(accept_one(listener), TCP_ESTABLISHED);
  unaccepted_listeners_.emplace_back(listener, 0);
}

void Population::verify() const {
  // Long enough for a loopback ACK that was not dropped to have been processed.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const auto& held : held_) {
    if (held.state == 0) continue;
    int got = tcp_state(held.fd.get());
    if (got != held.state) {
      throw std::runtime_error(
          fmt::format("a socket built as {} is now {}: are the test's nft rules in place?",
                      state_name(held.state), state_name(got)));
    }
  }
  for (auto [listener, want] : unaccepted_listeners_) {
    if (auto queued = accept_queue_length(listener); queued != want) {
      throw std::runtime_error(
          fmt::format("a listener that never accepts has {} connections queued instead of {}{}",
                      queued, want, want == 0 ? ": is the final ACK dropped?" : ""));
    }
  }
}

std::string Population::ready_line() const {
  std::string tcp;
  for (std::size_t state = 1; state < kStateKeys.size(); ++state) {
    tcp += fmt::format("{}\"{}\":{}", state == 1 ? "" : ",", kStateKeys[state], tcp_[state]);
  }
  std::string ports = fmt::format("\"listen\":[{}]", fmt::join(listen_ports_, ","));
  for (const auto& [name, port] : category_ports_) ports += fmt::format(",\"{}\":{}", name, port);
  return fmt::format(
      "ready {{\"tcp\":{{{}}},\"udp\":{{\"established\":{},\"close\":{}}},"
      "\"ports\":{{{}}}}}\n",
      tcp, udp_established_, udp_close_, ports);
}

void Population::abort_all() {
  for (auto& held : held_) {
    if (held.state != 0) {
      linger abort{1, 0};
      ::setsockopt(held.fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    }
    held.fd.reset();
  }
}

// --- main ----------------------------------------------------------------------

void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void build(Population& population, const Options& o) {
  population.add_listeners(o.listen);
  if (o.established > 0) population.add_established(o.established);
  if (o.time_wait > 0) population.add_time_wait(o.time_wait);
  if (o.close_wait > 0) population.add_close_wait(o.close_wait);
  if (o.last_ack > 0) population.add_last_ack(o.last_ack);
  if (o.fin_wait1 > 0) population.add_fin_wait1(o.fin_wait1);
  if (o.closing > 0) population.add_closing(o.closing);
  if (o.syn_sent > 0) population.add_syn_sent(o.syn_sent, o.syn_sent_port);
  if (o.syn_recv > 0) population.add_syn_recv(o.syn_recv, o.syn_recv_port);
  if (o.v4_mapped > 0) population.add_v4_mapped(o.v4_mapped);
  if (o.udp > 0) population.add_udp(o.udp);
  if (o.accept_queue > 0) population.add_accept_queue(o.accept_queue, o.backlog, o.drain);
}

void check_options(const Options& o) {
  if (o.syn_sent > 0 && o.syn_sent_port == 0) {
    throw std::runtime_error("--syn-sent needs --syn-sent-port (a port whose SYNs are dropped)");
  }
  if (o.syn_recv > 0 && o.syn_recv_port == 0) {
    throw std::runtime_error("--syn-recv needs --syn-recv-port (final ACKs to it dropped)");
  }
  if (o.v4_mapped > 0 && o.family != 6) throw std::runtime_error("--v4-mapped needs --family 6");
  if (o.accept_queue > 0 && o.backlog < 0) {
    throw std::runtime_error("--accept-queue needs --backlog (the listen() backlog)");
  }
  if (o.drain && o.accept_queue == 0) throw std::runtime_error("--drain needs --accept-queue");
}

int run(const Options& options) {
  check_options(options);
  raise_fd_limit();
  // Blocked before any socket exists, so a signal during the build is taken by
  // sigwait below instead of killing us with sockets half made.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop, nullptr);

  Population population(options.family);
  build(population, options);
  population.verify();
  auto line = population.ready_line();
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);

  int signal_number = 0;
  ::sigwait(&stop, &signal_number);
  population.abort_all();
  return 0;
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("--family", o.family, "4 (127.0.0.1) or 6 (::1)")->check(CLI::IsMember({4, 6}));
  auto count = CLI::Range(0, 100000);
  app.add_option("--listen", o.listen, "N listeners")->check(count);
  app.add_option("--established", o.established, "N connected pairs")->check(count);
  app.add_option("--time-wait", o.time_wait, "N TIME_WAIT")->check(count);
  app.add_option("--close-wait", o.close_wait, "N CLOSE_WAIT + N FIN_WAIT2")->check(count);
  app.add_option("--last-ack", o.last_ack, "N LAST_ACK + N TIME_WAIT")->check(count);
  app.add_option("--fin-wait1", o.fin_wait1, "N FIN_WAIT1 + N ESTABLISHED")->check(count);
  app.add_option("--closing", o.closing, "N CLOSING + N FIN_WAIT1")->check(count);
  app.add_option("--syn-sent", o.syn_sent, "N SYN_SENT")->check(count);
  app.add_option("--syn-sent-port", o.syn_sent_port, "port whose SYNs are dropped");
  app.add_option("--syn-recv", o.syn_recv, "N SYN_RECV + N ESTABLISHED")->check(count);
  app.add_option("--syn-recv-port", o.syn_recv_port, "listener whose final ACKs are dropped");
  app.add_option("--v4-mapped", o.v4_mapped, "N pairs over ::ffff:127.0.0.1")->check(count);
  app.add_option("--udp", o.udp, "N unconnected + N connected UDP sockets")->check(count);
  app.add_option("--accept-queue", o.accept_queue, "N clients of a listener that never accepts")
      ->check(count);
  app.add_option("--backlog", o.backlog, "listen() backlog of the --accept-queue listener")
      ->check(CLI::Range(0, 4096));
  app.add_flag("--drain", o.drain, "--accept-queue: then accept the queue, close the refused");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("Build a known population of sockets and hold it until SIGTERM.", "sk-population");
  add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sk-population: error: %s\n", e.what());
    return 1;
  }
}
