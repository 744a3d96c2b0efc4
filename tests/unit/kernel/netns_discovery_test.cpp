#include "sockkit/netns_discovery.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include <doctest/doctest.h>

#include "sockkit/netns.hpp"
#include "sockkit/netns_walk.hpp"
#include "sockkit/proc_net.hpp"

using sockkit::NetnsEntry;

TEST_CASE("netns_discovery: a namespace's label is the first thing an operator knows it by") {
  NetnsEntry entry;
  entry.inode = 4026532301;
  CHECK(sockkit::netns_label(entry) == "-");
  entry.names = {"blue"};
  CHECK(sockkit::netns_label(entry) == "blue");
  entry.labels.machine = "web";
  entry.labels.runtime = "systemd-nspawn";
  CHECK(sockkit::netns_label(entry) == "machine web");
  entry.labels = {};
  entry.labels.runtime = "docker";
  entry.labels.container_id = "3f2a9c4b1d2e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd";
  CHECK(sockkit::netns_label(entry) == "docker 3f2a9c4b1d2e");
  // A pod's containers share its namespace: the pod names it.
  entry.labels.pod_uid = "5c1a2b3d-1111-2222-3333-444455556666";
  CHECK(sockkit::netns_label(entry) == "pod 5c1a2b3d");
  entry.host = true;
  CHECK(sockkit::netns_label(entry) == "host");
}

TEST_CASE("netns_discovery: this process's namespace is found once, with this process in it") {
  auto found = sockkit::discover_netns();
  auto own = sockkit::current_netns_inode();
  auto count = std::count_if(found.namespaces.begin(), found.namespaces.end(),
                             [&](const NetnsEntry& e) { return e.inode == own; });
  CHECK(count == 1);
  auto it = std::find_if(found.namespaces.begin(), found.namespaces.end(),
                         [&](const NetnsEntry& e) { return e.inode == own; });
  REQUIRE(it != found.namespaces.end());
  CHECK(it->processes >= 1);
  CHECK(it->pid > 0);
  CHECK(it->pid <= ::getpid());
  CHECK(!it->command.empty());
  // The host comes first.
  if (it->host) CHECK(found.namespaces.front().inode == own);
  auto fd = sockkit::reopen_netns(*it);
  REQUIRE(fd);
  CHECK(sockkit::netns_inode(fd) == own);
}

TEST_CASE("netns_walk: every namespace is visited once, and a vanished one is counted") {
  auto found = sockkit::discover_netns();
  REQUIRE(!found.namespaces.empty());
  std::vector<NetnsEntry> entries{found.namespaces.front()};
  NetnsEntry gone;
  gone.inode = 1;  // no file and no process leads to it
  entries.push_back(gone);
  std::vector<sockkit::NetnsStatus> statuses(entries.size());
  std::vector<std::atomic<int>> visits(entries.size());
  std::vector<std::string> dirs(entries.size());
  auto tally = sockkit::walk_netns(entries, statuses, {.threads = 2},
                                   [&](std::size_t index, sockkit::NetnsAccess) {
                                     ++visits[index];
                                     dirs[index] = sockkit::proc_net_dir();
                                   });
  CHECK(visits[0] == 1);
  CHECK(visits[1] == 0);
  CHECK(statuses[1] == sockkit::NetnsStatus::vanished);
  CHECK(tally.vanished == 1);
  CHECK(tally.counted + tally.via_proc == 1);
  CHECK(sockkit::netns_status_name(sockkit::NetnsStatus::via_proc) == "via_proc");
}

TEST_CASE("netns_walk: a visit that throws fails its namespace only") {
  auto found = sockkit::discover_netns();
  REQUIRE(!found.namespaces.empty());
  std::vector<NetnsEntry> entries{found.namespaces.front(), found.namespaces.front()};
  std::vector<sockkit::NetnsStatus> statuses(entries.size());
  auto tally = sockkit::walk_netns(entries, statuses, {.threads = 1},
                                   [&](std::size_t index, sockkit::NetnsAccess) {
                                     if (index == 0) throw std::runtime_error("boom");
                                   });
  CHECK(statuses[0] == sockkit::NetnsStatus::failed);
  CHECK(tally.failed == 1);
  CHECK(tally.first_failure.find("boom") != std::string::npos);
  CHECK(tally.counted + tally.via_proc == 1);
}

TEST_CASE("proc_net: the directory override holds for its scope on its thread") {
  auto before = sockkit::proc_net_dir();
  {
    sockkit::ProcNetDirOverride view("/proc/1/net");
    CHECK(sockkit::proc_net_dir() == "/proc/1/net");
  }
  CHECK(sockkit::proc_net_dir() == before);
}
