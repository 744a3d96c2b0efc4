#include "sockkit/netns.hpp"

#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "error_text.hpp"
#include "scratch_netns.hpp"
#include "sockkit/error.hpp"
#include "test_files.hpp"

namespace {

using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

std::string name_error(std::string_view name) {
  return input_error_of([&] { sockkit::validate_netns_name(name); });
}

using sockkit::current_netns_inode;

std::string spec_error(std::string_view text) {
  return input_error_of([&] { (void)sockkit::parse_netns_spec(text); });
}

std::string open_error(std::string_view text) {
  return error_of([&] { (void)sockkit::open_netns(sockkit::parse_netns_spec(text)); });
}

std::uint64_t inode_of(const char* path) {
  struct stat st {};
  REQUIRE(::stat(path, &st) == 0);
  return st.st_ino;
}

// A pid no process has: a child that has exited and been reaped. Pids are handed out
// in increasing order, so it stays free for the few milliseconds a test needs.
int vanished_pid() {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return pid;
}

std::vector<std::string> interface_names() {
  std::vector<std::string> names;
  struct if_nameindex* list = ::if_nameindex();
  REQUIRE(list != nullptr);
  for (auto* it = list; it->if_index != 0; ++it) names.emplace_back(it->if_name);
  ::if_freenameindex(list);
  return names;
}

// Runs `child` in a forked process and returns its exit status (or -1).
template <typename Child>
int in_child(Child child) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 100;
    try {
      code = child();
    } catch (...) {
      code = 101;
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("netns: validate_netns_name") {
  CHECK(name_error("") ==
        "invalid network namespace name \"\": expected a name from `ip netns list`");
  CHECK(name_error(".") ==
        "invalid network namespace name \".\": expected a name from `ip netns list`");
  CHECK(name_error("..") ==
        "invalid network namespace name \"..\": expected a name from `ip netns list`");
  CHECK(name_error("a/b") ==
        "invalid network namespace name \"a/b\": expected a name from `ip netns list`");
  CHECK(name_error("../etc") ==
        "invalid network namespace name \"../etc\": expected a name from `ip netns list`");
  CHECK(name_error("a\nb") != "(no error)");
  CHECK(name_error(std::string_view("a\0b", 3)) != "(no error)");
  CHECK(name_error(std::string(256, 'n')) != "(no error)");
  CHECK_NOTHROW(sockkit::validate_netns_name(std::string(255, 'n')));
  CHECK_NOTHROW(sockkit::validate_netns_name("blue"));
  CHECK_NOTHROW(sockkit::validate_netns_name("ns-1.test_x"));
  CHECK_NOTHROW(sockkit::validate_netns_name("..."));
}

TEST_CASE("netns: netns_dir defaults to /run/netns and follows SOCKKIT_NETNS_DIR") {
  {
    EnvGuard env("SOCKKIT_NETNS_DIR", nullptr);
    CHECK(sockkit::netns_dir() == "/run/netns");
  }
  {
    EnvGuard env("SOCKKIT_NETNS_DIR", "");
    CHECK(sockkit::netns_dir() == "/run/netns");
  }
  {
    EnvGuard env("SOCKKIT_NETNS_DIR", "/tmp/elsewhere");
    CHECK(sockkit::netns_dir() == "/tmp/elsewhere");
  }
}

TEST_CASE("netns: parse_netns_spec: the three forms") {
  EnvGuard env("SOCKKIT_NETNS_DIR", nullptr);
  auto name = sockkit::parse_netns_spec("blue");
  CHECK(name.kind == sockkit::NetnsSpec::Kind::name);
  CHECK(name.text == "blue");
  CHECK(name.pid == 0);
  CHECK(name.path() == "/run/netns/blue");

  auto path = sockkit::parse_netns_spec("/var/run/docker/netns/1a2b3c");
  CHECK(path.kind == sockkit::NetnsSpec::Kind::path);
  CHECK(path.path() == "/var/run/docker/netns/1a2b3c");
  CHECK(sockkit::parse_netns_spec("ns/x").kind == sockkit::NetnsSpec::Kind::path);
  CHECK(sockkit::parse_netns_spec("./blue").path() == "./blue");

  auto pid = sockkit::parse_netns_spec("pid:4121");
  CHECK(pid.kind == sockkit::NetnsSpec::Kind::pid);
  CHECK(pid.text == "pid:4121");
  CHECK(pid.pid == 4121);
  CHECK(pid.path() == "/proc/4121/ns/net");
  CHECK(sockkit::parse_netns_spec("pid:1").pid == 1);
  CHECK(sockkit::parse_netns_spec("pid:4194304").pid == 4194304);

  EnvGuard elsewhere("SOCKKIT_NETNS_DIR", "/tmp/elsewhere");
  CHECK(sockkit::parse_netns_spec("blue").path() == "/tmp/elsewhere/blue");
}

TEST_CASE("netns: parse_netns_spec: bad values") {
  auto any = [](std::string_view shown) {
    return fmt::format("invalid --netns \"{}\": expected NAME, PATH or pid:PID", shown);
  };
  auto pid = [](std::string_view shown) {
    return fmt::format("invalid --netns \"{}\": expected pid:PID with PID 1-4194304", shown);
  };
  CHECK(spec_error("") == any(""));
  CHECK(spec_error(".") == any("."));
  CHECK(spec_error("..") == any(".."));
  CHECK(spec_error(std::string(256, 'n')) == any(std::string(256, 'n')));
  CHECK(spec_error("blue\n") == any("blue\\n"));
  CHECK(spec_error("a\nb") == any("a\\nb"));
  CHECK(spec_error("/run/netns/a\nb") == any("/run/netns/a\\nb"));
  CHECK(spec_error(std::string_view("a\0b", 3)) == any("a\\x00b"));
  CHECK(spec_error("pid:") == pid("pid:"));
  CHECK(spec_error("pid:0") == pid("pid:0"));
  CHECK(spec_error("pid:-1") == pid("pid:-1"));
  CHECK(spec_error("pid:+1") == pid("pid:+1"));
  CHECK(spec_error("pid:abc") == pid("pid:abc"));
  CHECK(spec_error("pid:12x") == pid("pid:12x"));
  CHECK(spec_error("pid: 12") == pid("pid: 12"));
  CHECK(spec_error("pid:4194305") == pid("pid:4194305"));
  CHECK(spec_error("pid:99999999") == pid("pid:99999999"));
  CHECK(spec_error("pid:99999999999999999999") == pid("pid:99999999999999999999"));
  CHECK(spec_error(std::string(255, 'n')) == "(no error)");
  CHECK(spec_error("...") == "(no error)");
  CHECK(spec_error("ns-1.test_x") == "(no error)");
}

TEST_CASE("netns: open_netns on what is not a network namespace") {
  TempDir dir("netns");
  dir.write("plain", "");
  dir.make_dir("sub");
  EnvGuard env("SOCKKIT_NETNS_DIR", dir.path().c_str());
  CHECK(open_error(dir.path() + "/plain") == dir.path() + "/plain is not a network namespace file");
  CHECK(open_error("plain") == dir.path() + "/plain is not a network namespace file");
  CHECK(open_error(dir.path() + "/sub") == dir.path() + "/sub is not a network namespace file");
  CHECK(open_error("/dev/null") == "/dev/null is not a network namespace file");
  CHECK(open_error("/proc/self/ns/mnt") == "/proc/self/ns/mnt is not a network namespace file");
  CHECK(open_error("/proc/self/ns/uts") == "/proc/self/ns/uts is not a network namespace file");
}

TEST_CASE("netns: open_netns: what is missing") {
  TempDir dir("netns");
  EnvGuard env("SOCKKIT_NETNS_DIR", dir.path().c_str());
  CHECK(open_error("nosuch") ==
        fmt::format("network namespace \"nosuch\" does not exist (no {}/nosuch; see `ip netns "
                    "list`)",
                    dir.path()));
  CHECK(open_error(dir.path() + "/nosuch") ==
        fmt::format("no such file {0}/nosuch (for --netns {0}/nosuch)", dir.path()));
  int pid = vanished_pid();
  CHECK(open_error(fmt::format("pid:{}", pid)) ==
        fmt::format("no process {0} (for --netns pid:{0})", pid));
}

TEST_CASE("netns: open_netns on a network namespace, and its inode") {
  auto self = sockkit::open_netns(sockkit::parse_netns_spec("/proc/self/ns/net"));
  CHECK(sockkit::netns_inode(self) == inode_of("/proc/self/ns/net"));
  CHECK(sockkit::current_netns_inode() == inode_of("/proc/thread-self/ns/net"));
  auto by_pid = sockkit::open_netns(sockkit::parse_netns_spec(fmt::format("pid:{}", ::getpid())));
  CHECK(sockkit::netns_inode(by_pid) == sockkit::netns_inode(self));
  CHECK(sockkit::netns_inode(by_pid) != inode_of("/proc/self/ns/mnt"));
}

TEST_CASE("netns: a bad spec is refused before anything is opened") {
  auto before = current_netns_inode();
  CHECK_THROWS_WITH_AS(sockkit::enter_netns("pid:x"),
                       "invalid --netns \"pid:x\": expected pid:PID with PID 1-4194304",
                       sockkit::InputError);
  CHECK_THROWS_WITH_AS(sockkit::enter_netns(".."),
                       "invalid --netns \"..\": expected NAME, PATH or pid:PID",
                       sockkit::InputError);
  CHECK(current_netns_inode() == before);
}

TEST_CASE("netns: a namespace that does not exist") {
  TempDir dir("netns");
  EnvGuard env("SOCKKIT_NETNS_DIR", dir.path().c_str());
  auto before = current_netns_inode();
  try {
    sockkit::NetnsScope scope(sockkit::parse_netns_spec("nosuch"));
    FAIL("entering a missing namespace did not throw");
  } catch (const sockkit::InputError& e) {
    CHECK(std::string(e.what()) ==
          fmt::format("network namespace \"nosuch\" does not exist (no {}/nosuch; see `ip netns "
                      "list`)",
                      dir.path()));
  }
  CHECK(current_netns_inode() == before);
}

TEST_CASE("netns: a file that is not a namespace") {
  TempDir dir("netns");
  dir.write("plain", "");
  EnvGuard env("SOCKKIT_NETNS_DIR", dir.path().c_str());
  auto before = current_netns_inode();
  try {
    sockkit::NetnsScope scope(sockkit::parse_netns_spec("plain"));
    FAIL("entering a regular file did not throw");
  } catch (const sockkit::InputError& e) {
    CHECK(std::string(e.what()) == dir.path() + "/plain is not a network namespace file");
  }
  CHECK(current_netns_inode() == before);
  CHECK_THROWS_AS(sockkit::enter_netns("plain"), sockkit::InputError);
  CHECK(current_netns_inode() == before);
}

TEST_CASE("netns: entering a real namespace by name, path and pid, and coming back") {
  if (!can_make_netns()) return;
  EnvGuard env("SOCKKIT_NETNS_DIR", nullptr);
  ScratchNetns ns("netns");
  REQUIRE_MESSAGE(ns.created(), "ip netns add ", ns.name(), " failed");

  auto outside = current_netns_inode();
  auto outside_interfaces = interface_names();
  auto bound = inode_of(fmt::format("/run/netns/{}", ns.name()).c_str());
  CHECK(bound != outside);
  {
    sockkit::NetnsScope scope(sockkit::parse_netns_spec(ns.name()));
    CHECK(current_netns_inode() == bound);
    auto names = interface_names();
    REQUIRE(names.size() == 1);
    CHECK(names[0] == "lo");
  }
  CHECK(current_netns_inode() == outside);
  CHECK(interface_names() == outside_interfaces);
  {
    sockkit::NetnsScope scope(sockkit::parse_netns_spec("/run/netns/" + ns.name()));
    CHECK(current_netns_inode() == bound);
  }
  CHECK(current_netns_inode() == outside);
  {
    auto fd = sockkit::open_netns(sockkit::parse_netns_spec(ns.name()));
    CHECK(sockkit::netns_inode(fd) == bound);
    sockkit::NetnsScope scope(fd, ns.name());
    CHECK(current_netns_inode() == bound);
  }
  CHECK(current_netns_inode() == outside);

  SUBCASE("pid:PID enters the namespace that process lives in") {
    int to_child[2];
    REQUIRE(::pipe(to_child) == 0);
    pid_t holder = ::fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
      sockkit::enter_netns(ns.name());
      char byte = 0;
      ::close(to_child[1]);
      (void)::read(to_child[0], &byte, 1);  // until the parent is done
      ::_exit(0);
    }
    ::close(to_child[0]);
    // The holder's switch is not instant: look until its namespace link changes.
    auto link = fmt::format("/proc/{}/ns/net", holder);
    for (int i = 0; i < 200 && inode_of(link.c_str()) != bound; ++i) ::usleep(10'000);
    {
      sockkit::NetnsScope scope(sockkit::parse_netns_spec(fmt::format("pid:{}", holder)));
      CHECK(current_netns_inode() == bound);
    }
    CHECK(current_netns_inode() == outside);
    ::close(to_child[1]);
    int status = 0;
    REQUIRE(::waitpid(holder, &status, 0) == holder);
  }
  SUBCASE("enter_netns stays inside for good") {
    int status = in_child([&] {
      sockkit::enter_netns(ns.name());
      return current_netns_inode() == bound && interface_names().size() == 1 ? 0 : 1;
    });
    CHECK(status == 0);
    CHECK(current_netns_inode() == outside);
  }
  SUBCASE("without CAP_SYS_ADMIN: PermissionError") {
    int status = in_child([&] {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 2;
      try {
        sockkit::NetnsScope scope(sockkit::parse_netns_spec(ns.name()));
      } catch (const sockkit::PermissionError& e) {
        auto expected = fmt::format(
            "entering network namespace \"{}\" needs CAP_SYS_ADMIN (run as root)", ns.name());
        return std::string(e.what()) == expected ? 0 : 3;
      }
      return 4;
    });
    CHECK(status == 0);
  }
  SUBCASE("another user's process without privilege: PermissionError naming it") {
    int status = in_child([&] {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 2;
      try {
        (void)sockkit::open_netns(sockkit::parse_netns_spec("pid:1"));
      } catch (const sockkit::PermissionError& e) {
        return std::string(e.what()) ==
                       "cannot open /proc/1/ns/net: permission denied (needs root, or "
                       "CAP_SYS_PTRACE to read another user's process)"
                   ? 0
                   : 3;
      }
      return 4;
    });
    CHECK(status == 0);
  }
}
