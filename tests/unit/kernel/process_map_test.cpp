#include "sockkit/process_map.hpp"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <doctest/doctest.h>

#include "env_guard.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/proc_net.hpp"
#include "sockkit/sock_diag.hpp"
#include "test_files.hpp"
#include "test_sockets.hpp"

using sockkit::Fd;
using sockkit::ProcessMap;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

Fd tcp_socket() {
  return sockkit::make_socket(AF_INET, SOCK_STREAM);
}

std::string own_comm() {
  std::ifstream in("/proc/self/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

ProcessMap scan(std::vector<std::uint32_t> wanted) {
  return ProcessMap::scan(wanted);
}

struct Pipe {
  Fd read;
  Fd write;
  Pipe() {
    std::array<int, 2> fds{};
    REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0);
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

// Reads exactly sizeof(T) from `fd` within `timeout_ms`; false on timeout or EOF.
template <typename T>
bool read_within(int fd, T& out, int timeout_ms) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  if (::poll(&p, 1, timeout_ms) != 1) return false;
  return ::read(fd, &out, sizeof out) == static_cast<ssize_t>(sizeof out);
}

template <typename T>
void write_all(int fd, const T& value) {
  (void)!::write(fd, &value, sizeof value);
}

// A forked child running `body`, killed and reaped when the test ends. The child
// lives until its body returns, the parent goes away, or 30 s pass.
class Child {
 public:
  template <typename Body>
  explicit Child(Body body) {
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int code = 0;
      try {
        code = body();
      } catch (...) {
        code = 101;
      }
      ::_exit(code);
    }
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] int pid() const { return pid_; }

  // The exit code, waiting at most `timeout_ms`; -1 on timeout or a signal.
  int wait(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(5000);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

// In a child: blocks until the parent closes `hold` (or dies), at most 30 s.
int hold_until_released(Pipe& hold) {
  hold.write.reset();
  pollfd p{.fd = hold.read.get(), .events = POLLIN, .revents = 0};
  ::poll(&p, 1, 30000);
  return 0;
}

// A fake /proc tree of processes and their fd links, removed at the end.
class FakeProc {
 public:
  void link(const std::string& path, const std::string& target) {
    std::filesystem::create_directories(at(path).parent_path());
    std::filesystem::create_symlink(target, at(path));
  }
  void file(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(at(path).parent_path());
    std::ofstream(at(path)) << text;
  }
  void dir(const std::string& path) { std::filesystem::create_directories(at(path)); }
  void process(int pid, const std::string& comm, const std::string& uids) {
    file(std::to_string(pid) + "/comm", comm + "\n");
    file(std::to_string(pid) + "/status",
         "Name:\t" + comm + "\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t" + uids + "\n");
  }
  [[nodiscard]] std::string root() const { return dir_.path(); }

 private:
  [[nodiscard]] std::filesystem::path at(const std::string& path) const {
    return std::filesystem::path(dir_.path()) / path;
  }

  TempDir dir_{"procmap"};
};

}  // namespace

TEST_CASE("process_map: parse_socket_link") {
  using sockkit::parse_socket_link;
  CHECK(parse_socket_link("socket:[12345]") == 12345U);
  CHECK(parse_socket_link("socket:[0]") == 0U);
  CHECK(parse_socket_link("socket:[4294967295]") == 4294967295U);
  CHECK_FALSE(parse_socket_link("socket:[4294967296]"));
  CHECK_FALSE(parse_socket_link("socket:[99999999999]"));
  CHECK_FALSE(parse_socket_link("socket:[]"));
  CHECK_FALSE(parse_socket_link("socket:[12"));
  CHECK_FALSE(parse_socket_link("socket:12]"));
  CHECK_FALSE(parse_socket_link("socket:[1 2]"));
  CHECK_FALSE(parse_socket_link("socket:[-1]"));
  CHECK_FALSE(parse_socket_link("pipe:[12345]"));
  CHECK_FALSE(parse_socket_link("anon_inode:[eventfd]"));
  CHECK_FALSE(parse_socket_link("/tmp/socket:[1]"));
  CHECK_FALSE(parse_socket_link(""));
  CHECK_FALSE(parse_socket_link("socket:["));
}

TEST_CASE("process_map: a fake tree under SOCKKIT_PROC_ROOT") {
  FakeProc fake;
  fake.process(1, "init", "0\t0\t0\t0");
  fake.link("1/fd/0", "/dev/null");
  fake.link("1/fd/3", "socket:[100]");
  fake.link("1/fd/4", "socket:[200]");
  fake.link("1/fd/5", "pipe:[100]");
  fake.link("1/fd/6", "socket:[300]");
  fake.link("1/fd/8", "socket:[]");
  fake.link("1/fd/9", "socket:[99999999999]");
  fake.link("1/fd/x", "socket:[200]");  // not a descriptor number
  fake.process(42, "web server ", "1000\t1001\t1002\t1003");
  fake.link("42/fd/7", "socket:[100]");
  fake.link("42/fd/12", "socket:[100]");  // dup()
  fake.dir("77");                         // exited before its fd directory was opened
  fake.link("88/fd/3", "socket:[200]");   // exited before its comm was read
  fake.link("self", "1");
  fake.link("net/fd/3", "socket:[555]");  // not a process
  fake.link("12a/fd/3", "socket:[555]");
  fake.link("0/fd/3", "socket:[555]");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());

  auto map = scan({200, 100, 555, 100});
  CHECK(map.unreadable_processes() == 0);

  auto held = map.owners(100);
  REQUIRE(held.size() == 3);
  CHECK((held[0].inode == 100 && held[0].pid == 1 && held[0].fd == 3));
  CHECK((held[1].inode == 100 && held[1].pid == 42 && held[1].fd == 7));
  CHECK((held[2].inode == 100 && held[2].pid == 42 && held[2].fd == 12));
  REQUIRE(map.owner(100) != nullptr);
  CHECK(map.owner(100)->pid == 1);
  CHECK(map.owner(100)->command == "init");
  CHECK(map.owner(100)->uid == 0);

  REQUIRE(map.process(42) != nullptr);
  CHECK(map.process(42)->command == "web server ");
  CHECK(map.process(42)->uid == 1001);

  REQUIRE(map.owners(200).size() == 1);
  CHECK(map.owners(200)[0].pid == 1);
  CHECK(map.owners(200)[0].fd == 4);
  CHECK(map.process(88) == nullptr);
  CHECK(map.process(77) == nullptr);

  CHECK(map.owners(300).empty());  // held, but not asked for
  CHECK(map.owner(300) == nullptr);
  CHECK(map.owner(555) == nullptr);
  CHECK(map.owners(555).empty());
  CHECK(map.process(0) == nullptr);
}

// Enough processes for the walk to be shared by several threads (where the machine has
// more than one CPU): the result must not depend on which thread read which process.
TEST_CASE("process_map: a large tree gives the same sorted result every time") {
  FakeProc fake;
  constexpr int processes = 300;
  for (int pid = 1; pid <= processes; ++pid) {
    const auto dir = std::to_string(pid);
    fake.process(pid, "p" + dir, "0\t" + dir + "\t0\t0");
    fake.link(dir + "/fd/0", "/dev/null");
    fake.link(dir + "/fd/" + std::to_string(3 + pid % 7), "socket:[" + std::to_string(pid) + "]");
    fake.link(dir + "/fd/20", "socket:[100000]");  // one socket every process holds
    if (pid % 3 == 0) fake.link(dir + "/fd/21", "socket:[" + std::to_string(1000 + pid) + "]");
  }
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());
  std::vector<std::uint32_t> wanted{100000};
  for (std::uint32_t pid = 2; pid <= processes; pid += 2) wanted.push_back(pid);

  for (int round = 0; round < 5; ++round) {
    auto map = scan(wanted);
    CHECK(map.unreadable_processes() == 0);
    auto shared = map.owners(100000);
    REQUIRE(shared.size() == processes);
    for (int i = 0; i < processes; ++i) {
      CHECK((shared[i].pid == i + 1 && shared[i].fd == 20));
    }
    for (int pid = 1; pid <= processes; ++pid) {
      const auto inode = static_cast<std::uint32_t>(pid);
      auto held = map.owners(inode);
      if (pid % 2 == 1) {
        CHECK(held.empty());
        continue;
      }
      REQUIRE(held.size() == 1);
      CHECK((held[0].inode == inode && held[0].pid == pid && held[0].fd == 3 + pid % 7));
      REQUIRE(map.owner(inode) != nullptr);
      CHECK(map.owner(inode)->command == "p" + std::to_string(pid));
      CHECK(map.owner(inode)->uid == inode);
    }
    CHECK(map.owners(1003).empty());  // held, not asked for
    for (int pid = 1; pid <= processes; ++pid) CHECK(map.process(pid) != nullptr);
  }
}

TEST_CASE("process_map: of several broken processes the lowest pid is the error") {
  FakeProc fake;
  for (int pid = 1; pid <= 200; ++pid) {
    const auto dir = std::to_string(pid);
    fake.process(pid, "p", "0\t0\t0\t0");
    fake.link(dir + "/fd/3", "socket:[9]");
  }
  for (int pid : {170, 61, 120}) fake.file(std::to_string(pid) + "/status", "Name:\tp\n");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());
  for (int round = 0; round < 5; ++round) {
    CHECK_THROWS_WITH_AS(scan({9}),
                         (fake.root() + "/61/status: no \"Uid:\" line with a number").c_str(),
                         std::runtime_error);
  }
}

TEST_CASE("process_map: entries with a leading zero are not processes") {
  FakeProc fake;
  fake.process(12, "twelve", "0\t0\t0\t0");
  fake.link("12/fd/3", "socket:[5]");
  fake.link("012/fd/4", "socket:[5]");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());
  auto map = scan({5});
  auto held = map.owners(5);
  REQUIRE(held.size() == 1);
  CHECK((held[0].pid == 12 && held[0].fd == 3));
}

TEST_CASE("process_map: Holders::lowest keeps the holder owner() names") {
  FakeProc fake;
  fake.process(1, "init", "0\t0\t0\t0");
  fake.link("1/fd/3", "socket:[100]");
  fake.link("1/fd/4", "socket:[200]");
  fake.process(42, "web", "0\t33\t0\t0");
  fake.link("42/fd/7", "socket:[100]");
  fake.link("42/fd/9", "socket:[300]");
  fake.link("42/fd/12", "socket:[300]");  // dup(): both descriptors of the owner stay
  fake.process(43, "worker", "0\t33\t0\t0");
  fake.link("43/fd/5", "socket:[300]");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());

  const std::vector<std::uint32_t> wanted{100, 200, 300, 400};
  auto every = ProcessMap::scan(wanted, sockkit::Holders::every);
  auto lowest = ProcessMap::scan(wanted, sockkit::Holders::lowest);
  for (auto inode : wanted) {
    const auto* a = every.owner(inode);
    const auto* b = lowest.owner(inode);
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a != nullptr) CHECK((a->pid == b->pid && a->command == b->command && a->uid == b->uid));
  }
  CHECK(every.owners(100).size() == 2);
  REQUIRE(lowest.owners(100).size() == 1);
  CHECK((lowest.owners(100)[0].pid == 1 && lowest.owners(100)[0].fd == 3));
  auto held = lowest.owners(300);
  REQUIRE(held.size() == 2);
  CHECK((held[0].pid == 42 && held[0].fd == 9 && held[1].pid == 42 && held[1].fd == 12));
  CHECK(every.process(43) != nullptr);
  CHECK(lowest.process(43) == nullptr);  // holds 300, but 42 is its owner
  REQUIRE(lowest.process(42) != nullptr);
  CHECK(lowest.process(42)->command == "web");
  CHECK(lowest.owners(400).empty());  // nobody holds it: every process was read
}

TEST_CASE("process_map: Holders::lowest stops reading once each socket has a holder") {
  FakeProc fake;
  for (int pid = 1; pid <= 300; ++pid) {
    fake.process(pid, "p", "0\t0\t0\t0");
    fake.link(std::to_string(pid) + "/fd/3", "socket:[" + std::to_string(pid) + "]");
  }
  // Reading this one fails; it holds only sockets that lower pids hold too.
  fake.file("290/status", "Name:\tp\n");
  fake.link("290/fd/4", "socket:[5]");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());
  for (int round = 0; round < 5; ++round) {
    auto map = ProcessMap::scan(std::vector<std::uint32_t>{5, 9}, sockkit::Holders::lowest);
    REQUIRE(map.owners(5).size() == 1);
    CHECK(map.owners(5)[0].pid == 5);
    REQUIRE(map.owner(9) != nullptr);
    CHECK(map.owner(9)->pid == 9);
    CHECK(map.process(290) == nullptr);
  }
  // Its own socket has no lower holder: then it is read, and its error is the scan's.
  CHECK_THROWS_WITH_AS(
      (void)ProcessMap::scan(std::vector<std::uint32_t>{5, 290}, sockkit::Holders::lowest),
      (fake.root() + "/290/status: no \"Uid:\" line with a number").c_str(), std::runtime_error);
  CHECK_THROWS_AS(scan({5}), std::runtime_error);  // Holders::every reads every process
}

TEST_CASE("process_map: a status without a Uid line is an error naming the file") {
  FakeProc fake;
  fake.file("5/comm", "x\n");
  fake.file("5/status", "Name:\tx\n");
  fake.link("5/fd/3", "socket:[7]");
  EnvGuard root("SOCKKIT_PROC_ROOT", fake.root().c_str());
  CHECK_THROWS_WITH_AS(scan({7}),
                       (fake.root() + "/5/status: no \"Uid:\" line with a number").c_str(),
                       std::runtime_error);
}

TEST_CASE("process_map: a missing root throws naming it") {
  EnvGuard root("SOCKKIT_PROC_ROOT", "/nonexistent/sockkit-proc");
  CHECK_THROWS_WITH_AS(scan({1}),
                       "cannot open /nonexistent/sockkit-proc: No such file or directory",
                       std::system_error);
  CHECK_NOTHROW((void)scan({}));  // nothing wanted: nothing read
}

TEST_CASE("process_map: this process's sockets map to getpid and its comm") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto a = tcp_socket();
  auto b = sockkit::make_socket(AF_INET6, SOCK_DGRAM);
  auto map = scan({inode_of(a), inode_of(b)});
  for (const Fd* s : {&a, &b}) {
    auto held = map.owners(inode_of(*s));
    REQUIRE(held.size() == 1);
    CHECK(held[0].pid == ::getpid());
    CHECK(held[0].fd == s->get());
    const auto* info = map.owner(inode_of(*s));
    REQUIRE(info != nullptr);
    CHECK(info->pid == ::getpid());
    CHECK(info->command == own_comm());
    CHECK(info->uid == ::geteuid());
  }
  CHECK(map.process(::getpid()) == map.owner(inode_of(a)));
}

TEST_CASE("process_map: a listener found in /proc/net/tcp maps to this process") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto listener = tcp_socket();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener.get(), 1) == 0);
  REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  std::uint32_t inode = 0;
  sockkit::read_proc_net(sockkit::Transport::tcp, AF_INET, [&](const sockkit::SocketRecord& r) {
    if (r.local_port == ntohs(addr.sin_port) && r.state == 10) inode = r.inode;
  });
  REQUIRE(inode == inode_of(listener));
  auto map = scan({inode});
  REQUIRE(map.owner(inode) != nullptr);
  CHECK(map.owner(inode)->pid == ::getpid());
}

TEST_CASE("process_map: inodes not asked for are not reported") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto asked = tcp_socket();
  auto other = tcp_socket();
  auto map = scan({inode_of(asked)});
  CHECK(map.owners(inode_of(asked)).size() == 1);
  CHECK(map.owners(inode_of(other)).empty());
  CHECK(map.owner(inode_of(other)) == nullptr);
  if (::getpid() != 1) CHECK(map.process(1) == nullptr);  // holds sockets, none asked for
}

TEST_CASE("process_map: an inode nobody holds gives nullptr") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  std::uint32_t inode = 0;
  {
    auto gone = tcp_socket();
    inode = inode_of(gone);
  }
  auto map = scan({inode});
  CHECK(map.owner(inode) == nullptr);
  CHECK(map.owners(inode).empty());
}

TEST_CASE("process_map: a child's socket maps to the child and the name it set") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  Pipe ready;
  Pipe hold;
  Child child([&] {
    ::prctl(PR_SET_NAME, "sk-pm-child", 0, 0, 0);
    auto own = tcp_socket();  // made after fork: the parent has no copy
    write_all(ready.write.get(), inode_of(own));
    return hold_until_released(hold);
  });
  std::uint32_t inode = 0;
  REQUIRE(read_within(ready.read.get(), inode, 5000));
  auto map = scan({inode});
  auto held = map.owners(inode);
  REQUIRE(held.size() == 1);
  CHECK(held[0].pid == child.pid());
  const auto* info = map.owner(inode);
  REQUIRE(info != nullptr);
  CHECK(info->pid == child.pid());
  CHECK(info->command == "sk-pm-child");
  CHECK(info->uid == ::geteuid());
  CHECK(map.process(::getpid()) == nullptr);
}

TEST_CASE("process_map: a socket shared by parent and child has two owners") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto shared = tcp_socket();
  const auto inode = inode_of(shared);
  Pipe ready;
  Pipe hold;
  Child child([&] {
    ::prctl(PR_SET_NAME, "sk-pm-shared", 0, 0, 0);
    write_all(ready.write.get(), char{1});
    return hold_until_released(hold);
  });
  char byte = 0;
  REQUIRE(read_within(ready.read.get(), byte, 5000));
  auto map = scan({inode});
  auto held = map.owners(inode);
  REQUIRE(held.size() == 2);
  CHECK(held[0].pid == std::min(::getpid(), child.pid()));
  CHECK(held[1].pid == std::max(::getpid(), child.pid()));
  CHECK(held[0].fd == shared.get());  // fork() keeps descriptor numbers
  CHECK(held[1].fd == shared.get());
  REQUIRE(map.owner(inode) != nullptr);
  CHECK(map.owner(inode)->pid == std::min(::getpid(), child.pid()));
  REQUIRE(map.process(child.pid()) != nullptr);
  CHECK(map.process(child.pid())->command == "sk-pm-shared");
  REQUIRE(map.process(::getpid()) != nullptr);
  CHECK(map.process(::getpid())->command == own_comm());

  auto lowest = ProcessMap::scan(std::span(&inode, 1), sockkit::Holders::lowest);
  REQUIRE(lowest.owners(inode).size() == 1);
  CHECK(lowest.owners(inode)[0].pid == std::min(::getpid(), child.pid()));
  CHECK(lowest.process(std::max(::getpid(), child.pid())) == nullptr);
}

TEST_CASE("process_map: without privilege other users' processes are unreadable") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root to drop to uid 65534");
    return;
  }
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto root_socket = tcp_socket();
  const auto inode = inode_of(root_socket);
  struct Result {
    int stage = 0;  // 2: privileges dropped, 3: scanned
    int found = 0;
    std::size_t unreadable = 0;
    bool same_in_lowest = false;
  };
  Pipe report;
  Child child([&] {
    Result result;
    root_socket.reset();  // the inherited copy: only the parent holds it now
    if (::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0) {
      result.stage = 2;
      auto map = ProcessMap::scan(std::span(&inode, 1));
      result = {3, map.owner(inode) != nullptr ? 1 : 0, map.unreadable_processes()};
      // Nobody it can read holds the socket, so the lowest-holder scan reads them all too.
      auto lowest = ProcessMap::scan(std::span(&inode, 1), sockkit::Holders::lowest);
      result.same_in_lowest = lowest.owner(inode) == nullptr && lowest.unreadable_processes() > 0;
    }
    write_all(report.write.get(), result);
    return 0;
  });
  Result result;
  REQUIRE(read_within(report.read.get(), result, 20000));
  CHECK(child.wait(5000) == 0);
  CHECK(result.stage == 3);
  CHECK(result.found == 0);
  CHECK(result.unreadable > 0);
  CHECK(result.same_in_lowest);
  // As root the same scan finds it.
  CHECK(scan({inode}).owner(inode) != nullptr);
}

TEST_CASE("process_map: processes exiting during the scan are skipped") {
  EnvGuard root("SOCKKIT_PROC_ROOT", nullptr);
  auto shared = tcp_socket();  // every short-lived grandchild inherits it
  const auto inode = inode_of(shared);
  Pipe ready;
  Pipe done;
  Child spawner([&] {
    std::signal(SIGCHLD, SIG_IGN);  // grandchildren vanish the moment they exit
    ready.write.reset();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    for (int i = 0; i < 3000 && std::chrono::steady_clock::now() < deadline; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        ::usleep(static_cast<useconds_t>(200 * (i % 10)));
        ::_exit(0);
      }
      ::usleep(300);
    }
    write_all(done.write.get(), char{1});
    return 0;
  });
  ready.write.reset();
  char byte = 0;
  (void)read_within(ready.read.get(), byte, 5000);  // EOF: the spawner has started
  int scans = 0;
  std::size_t most_owners = 0;
  pollfd finished{.fd = done.read.get(), .events = POLLIN, .revents = 0};
  while (scans < 200 && ::poll(&finished, 1, 0) == 0) {
    auto map = scan({inode});
    ++scans;
    auto held = map.owners(inode);
    most_owners = std::max(most_owners, held.size());
    CHECK(std::any_of(held.begin(), held.end(), [](auto& o) { return o.pid == ::getpid(); }));
    for (const auto& o : held) CHECK(map.process(o.pid) != nullptr);
  }
  MESSAGE("scans: " << scans << ", most owners seen at once: " << most_owners);
  CHECK(scans > 0);
  CHECK(most_owners >= 2);  // the spawner at least
}
