#include "sockkit/netns.hpp"

#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

ino_t current_netns_inode() {
  struct stat st {};
  REQUIRE(::stat("/proc/thread-self/ns/net", &st) == 0);
  return st.st_ino;
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

TEST_CASE("netns: a bad name is refused before anything is opened") {
  CHECK_THROWS_WITH_AS(sockkit::NetnsScope("../../proc/1/ns/net"),
                       "invalid network namespace name \"../../proc/1/ns/net\": expected a name "
                       "from `ip netns list`",
                       sockkit::InputError);
}

TEST_CASE("netns: a namespace that does not exist") {
  TempDir dir("netns");
  EnvGuard env("SOCKKIT_NETNS_DIR", dir.path().c_str());
  auto before = current_netns_inode();
  try {
    sockkit::NetnsScope scope("nosuch");
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
    sockkit::NetnsScope scope("plain");
    FAIL("entering a regular file did not throw");
  } catch (const sockkit::InputError& e) {
    CHECK(std::string(e.what()) == dir.path() + "/plain is not a network namespace");
  }
  CHECK(current_netns_inode() == before);
  CHECK_THROWS_AS(sockkit::enter_netns("plain"), sockkit::InputError);
  CHECK(current_netns_inode() == before);
}

TEST_CASE("netns: entering a real namespace and coming back") {
  if (!can_make_netns()) return;
  EnvGuard env("SOCKKIT_NETNS_DIR", nullptr);
  ScratchNetns ns("netns");
  REQUIRE_MESSAGE(ns.created(), "ip netns add ", ns.name(), " failed");

  auto outside = current_netns_inode();
  auto outside_interfaces = interface_names();
  {
    sockkit::NetnsScope scope(ns.name());
    auto inside = current_netns_inode();
    CHECK(inside != outside);
    auto names = interface_names();
    REQUIRE(names.size() == 1);
    CHECK(names[0] == "lo");
  }
  CHECK(current_netns_inode() == outside);
  CHECK(interface_names() == outside_interfaces);

  SUBCASE("enter_netns stays inside for good") {
    int status = in_child([&] {
      sockkit::enter_netns(ns.name());
      return current_netns_inode() != outside && interface_names().size() == 1 ? 0 : 1;
    });
    CHECK(status == 0);
    CHECK(current_netns_inode() == outside);
  }
  SUBCASE("without CAP_SYS_ADMIN: PermissionError") {
    int status = in_child([&] {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 2;
      try {
        sockkit::NetnsScope scope(ns.name());
      } catch (const sockkit::PermissionError& e) {
        auto expected = fmt::format(
            "entering network namespace \"{}\" needs CAP_SYS_ADMIN (run as root)", ns.name());
        return std::string(e.what()) == expected ? 0 : 3;
      }
      return 4;
    });
    CHECK(status == 0);
  }
}
