// Every network namespace of the host, found from what the host itself shows: the files
// namespaces are bound to (/run/netns, Docker's /var/run/docker/netns) and the
// namespaces of the processes (/proc/PID/ns/net), one entry per namespace inode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sockkit/cgroup_labels.hpp"
#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

struct NetnsEntry {
  std::uint64_t inode = 0;               // what `ls -Li /proc/PID/ns/net` and lsns show
  bool host = false;                     // pid 1's namespace (ours when pid 1 cannot be read)
  std::vector<std::string> names;        // "blue" for /run/netns/blue, else the full path
  std::vector<std::string> bound_paths;  // the files the namespace is bound to
  std::uint32_t processes = 0;           // processes whose /proc/PID/ns/net is this inode
  int pid = 0;                           // the lowest of them, 0 when none
  int last_pid = 0;                      // the highest: a second way in if `pid` is gone
  std::string command;                   // the lowest process's comm
  ContainerLabels labels;                // from the lowest process's cgroup
};

struct NetnsDiscovery {
  std::vector<NetnsEntry> namespaces;    // host first, then by inode
  std::size_t unreadable_processes = 0;  // /proc/PID/ns/net refused (other users' processes)
  std::size_t vanished_processes = 0;    // exited between the listing and the look
};

// Where Docker binds its containers' namespaces; SOCKKIT_DOCKER_NETNS_DIR overrides it.
[[nodiscard]] std::string docker_netns_dir();

// Walks the bound files and every process once. Allocates per namespace, never per
// process, so a host with thousands of processes in a few namespaces costs a stat each.
[[nodiscard]] NetnsDiscovery discover_netns();

// Opens the namespace again for a look inside: a bound file first, then the processes
// that held it. Each candidate is checked to still be this inode (a pid may have been
// reused by a process elsewhere). An empty Fd means the namespace has gone, or, when
// `refused` is set, that a way in exists but we may not open it.
[[nodiscard]] Fd reopen_netns(const NetnsEntry& entry, bool* refused = nullptr);

// The one name an operator recognises first: "host", "docker 3f2a9c4b1d2e",
// "pod 5c1a2b3d", "machine web", a bound name, or "-".
[[nodiscard]] std::string netns_label(const NetnsEntry& entry);

}  // namespace sockkit

SOCKKIT_API_END
