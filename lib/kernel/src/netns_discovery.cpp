#include "sockkit/netns_discovery.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "sockkit/netns.hpp"
#include "sockkit/proc_net.hpp"

namespace sockkit {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// A pid directory name: digits only (skips "self", "net", "sys" ...).
int pid_of(const char* name) {
  int pid = 0;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9' || pid > 100'000'000) return 0;
    pid = pid * 10 + (*c - '0');
  }
  return pid;
}

class Collector {
 public:
  NetnsEntry& entry(std::uint64_t inode) {
    auto [it, added] = index_.try_emplace(inode, found_.namespaces.size());
    if (added) found_.namespaces.emplace_back().inode = inode;
    return found_.namespaces[it->second];
  }
  NetnsDiscovery& result() { return found_; }

 private:
  NetnsDiscovery found_;
  std::unordered_map<std::uint64_t, std::size_t> index_;
};

// A file under a bind directory that is really a network namespace: a stale file left
// by a failed `ip netns add` is an empty regular file and is skipped.
std::uint64_t bound_netns_inode(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || !is_network_namespace(fd)) return 0;
  return netns_inode(fd);
}

void collect_bound(Collector& collector, const std::string& dir, bool short_names) {
  DirHandle handle(::opendir(dir.c_str()));
  if (!handle) return;  // no such runtime here, or not readable: nothing bound there
  while (const dirent* item = ::readdir(handle.get())) {
    std::string_view name = item->d_name;
    if (name == "." || name == "..") continue;
    auto path = fmt::format("{}/{}", dir, name);
    auto inode = bound_netns_inode(path);
    if (inode == 0) continue;
    auto& entry = collector.entry(inode);
    entry.names.push_back(short_names ? std::string(name) : path);
    entry.bound_paths.push_back(std::move(path));
  }
}

// One stat per process, into a path on the stack: the walk allocates nothing per pid.
void collect_processes(Collector& collector, const std::string& root) {
  DirHandle handle(::opendir(root.c_str()));
  if (!handle) return;
  auto& found = collector.result();
  std::array<char, 256> path{};
  while (const dirent* item = ::readdir(handle.get())) {
    int pid = pid_of(item->d_name);
    if (pid == 0) continue;
    std::snprintf(path.data(), path.size(), "%s/%d/ns/net", root.c_str(), pid);
    struct stat st {};
    if (::stat(path.data(), &st) != 0) {
      if (errno == EACCES || errno == EPERM) {
        ++found.unreadable_processes;
      } else {
        ++found.vanished_processes;  // exited, or a kernel thread without a namespace
      }
      continue;
    }
    auto& entry = collector.entry(st.st_ino);
    ++entry.processes;
    if (entry.pid == 0 || pid < entry.pid) entry.pid = pid;
    entry.last_pid = std::max(entry.last_pid, pid);
  }
}

std::string read_comm(const std::string& root, int pid) {
  auto path = fmt::format("{}/{}/comm", root, pid);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  std::array<char, 64> buffer{};
  auto got = ::read(fd.get(), buffer.data(), buffer.size());
  if (got <= 0) return {};
  std::string comm(buffer.data(), static_cast<std::size_t>(got));
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

std::uint64_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

std::string docker_netns_dir() {
  const char* dir = std::getenv("SOCKKIT_DOCKER_NETNS_DIR");
  return (dir != nullptr && dir[0] != '\0') ? dir : "/var/run/docker/netns";
}

NetnsDiscovery discover_netns() {
  Collector collector;
  const auto root = proc_root();
  // The host is pid 1's namespace; when pid 1 is hidden from us (a sandbox, another
  // user namespace), our own, since --all-netns is run from the host.
  auto host = inode_of(root + "/1/ns/net");
  if (host == 0) host = inode_of(root + "/self/ns/net");
  if (host != 0) collector.entry(host).host = true;
  collect_bound(collector, netns_dir(), true);
  collect_bound(collector, docker_netns_dir(), false);
  collect_processes(collector, root);

  auto& found = collector.result();
  for (auto& entry : found.namespaces) {
    if (entry.pid == 0) continue;
    entry.command = read_comm(root, entry.pid);
    if (auto labels = read_container_labels(entry.pid)) entry.labels = std::move(*labels);
  }
  std::sort(found.namespaces.begin(), found.namespaces.end(),
            [](const NetnsEntry& a, const NetnsEntry& b) {
              return a.host != b.host ? a.host : a.inode < b.inode;
            });
  return std::move(found);
}

Fd reopen_netns(const NetnsEntry& entry, bool* refused) {
  if (refused != nullptr) *refused = false;
  auto open_checked = [&](const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd && (errno == EACCES || errno == EPERM) && refused != nullptr) *refused = true;
    if (fd && netns_inode(fd) != entry.inode) fd.reset();
    return fd;
  };
  for (const auto& path : entry.bound_paths) {
    if (Fd fd = open_checked(path)) return fd;
  }
  const auto root = proc_root();
  for (int pid : {entry.pid, entry.last_pid}) {
    if (pid == 0) continue;
    if (Fd fd = open_checked(fmt::format("{}/{}/ns/net", root, pid))) return fd;
  }
  return {};
}

std::string netns_label(const NetnsEntry& entry) {
  const auto& labels = entry.labels;
  if (entry.host) return "host";
  // A pod's containers share its namespace: the pod is what the namespace belongs to.
  if (!labels.pod_uid.empty()) return fmt::format("pod {}", labels.pod_uid.substr(0, 8));
  if (!labels.container_id.empty()) {
    return fmt::format("{} {}", labels.runtime.empty() ? "container" : labels.runtime,
                       labels.container_id.substr(0, 12));
  }
  if (!labels.machine.empty()) return fmt::format("machine {}", labels.machine);
  if (!entry.names.empty()) return entry.names.front();
  return "-";
}

}  // namespace sockkit
