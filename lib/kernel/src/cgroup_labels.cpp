#include "sockkit/cgroup_labels.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>

#include <fmt/format.h>

#include "sockkit/fd.hpp"
#include "sockkit/proc_net.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

bool ContainerLabels::empty() const noexcept {
  return runtime.empty() && container_id.empty() && pod_uid.empty() && machine.empty();
}

namespace {

enum class Runtime : std::uint8_t { none, docker, containerd, crio, podman, nspawn };

std::string_view runtime_name(Runtime runtime) {
  switch (runtime) {
    case Runtime::docker: return "docker";
    case Runtime::containerd: return "containerd";
    case Runtime::crio: return "cri-o";
    case Runtime::podman: return "podman";
    case Runtime::nspawn: return "systemd-nspawn";
    case Runtime::none: break;
  }
  return "";
}

bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!is_lower_hex(c)) return false;
  }
  return true;
}

// Docker, containerd, CRI-O and podman all name containers by 64 hex digits.
bool is_container_id(std::string_view text) {
  return text.size() == 64 && is_lower_hex(text);
}

std::string_view without_suffix(std::string_view text, std::string_view suffix) {
  if (text.ends_with(suffix)) text.remove_suffix(suffix.size());
  return text;
}

// A pod UID as the kubelet writes it in a cgroup name: 8-4-4-4-12 lowercase hex with
// `dash` between the groups (systemd slice names cannot hold '-' inside a component,
// so the kubelet writes '_' there), or 32 hex for a static pod (a hash of its manifest).
bool is_pod_uid(std::string_view text, char dash) {
  if (text.size() == 32) return is_lower_hex(text);
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool separator = i == 8 || i == 13 || i == 18 || i == 23;
    if (separator ? text[i] != dash : !is_lower_hex(text[i])) return false;
  }
  return true;
}

struct ContainerRef {
  Runtime runtime = Runtime::none;
  std::string_view id;  // the container id, or the escaped machine name for nspawn
};

struct PodRef {
  std::string_view uid;  // as written in the path
  char dash = '-';
  [[nodiscard]] bool found() const noexcept { return !uid.empty(); }
};

// The systemd-driver scopes (and podman's and CRI-O's cgroupfs names, without .scope).
// The conmon monitors sit beside their container under the same id.
struct PrefixedLayout {
  std::string_view prefix;
  Runtime runtime;
};
constexpr std::array<PrefixedLayout, 6> kPrefixedLayouts{{
    {"docker-", Runtime::docker},
    {"cri-containerd-", Runtime::containerd},
    {"crio-conmon-", Runtime::crio},
    {"crio-", Runtime::crio},
    {"libpod-conmon-", Runtime::podman},
    {"libpod-", Runtime::podman},
}};

// What one path component says about a container; `parent` is the component above it.
ContainerRef container_in(std::string_view name, std::string_view parent, bool parent_is_pod) {
  for (const auto& layout : kPrefixedLayouts) {
    if (!name.starts_with(layout.prefix)) continue;
    auto id = without_suffix(name.substr(layout.prefix.size()), ".scope");
    if (is_container_id(id)) return {layout.runtime, id};
  }
  if (is_container_id(name)) {
    // cgroupfs drivers: Docker's /docker/ID, the kubelet's /kubepods/.../podUID/ID.
    if (parent == "docker") return {Runtime::docker, name};
    if (parent_is_pod) return {Runtime::containerd, name};
  }
  constexpr std::string_view kMachine = "machine-";
  constexpr std::string_view kScope = ".scope";
  if (name.starts_with(kMachine) && name.ends_with(kScope) &&
      name.size() > kMachine.size() + kScope.size()) {
    return {Runtime::nspawn,
            name.substr(kMachine.size(), name.size() - kMachine.size() - kScope.size())};
  }
  return {};
}

// kubepods-pod<UID>.slice, kubepods-<qos>-pod<UID>.slice (systemd driver, any prefix
// that names kubepods), or pod<UID> anywhere below a kubepods component (cgroupfs).
PodRef pod_in(std::string_view name, bool under_kubepods) {
  constexpr std::string_view kSlice = ".slice";
  if (name.ends_with(kSlice)) {
    auto stem = name.substr(0, name.size() - kSlice.size());
    auto at = stem.rfind("-pod");
    if (at == std::string_view::npos ||
        stem.substr(0, at).find("kubepods") == std::string_view::npos) {
      return {};
    }
    auto uid = stem.substr(at + 4);
    return is_pod_uid(uid, '_') ? PodRef{uid, '_'} : PodRef{};
  }
  if (under_kubepods && name.starts_with("pod") && is_pod_uid(name.substr(3), '-')) {
    return {name.substr(3), '-'};
  }
  return {};
}

struct Found {
  ContainerRef container;
  PodRef pod;
  [[nodiscard]] bool empty() const noexcept {
    return container.runtime == Runtime::none && !pod.found();
  }
};

// The innermost container of the path, and the pod above it; when a pod's cgroup is
// deeper than any container's (a process in a pod but in none of its containers), the
// pod alone.
Found labels_of_path(std::string_view path) {
  Found innermost;
  PodRef pod;  // the innermost pod so far
  std::size_t container_depth = 0;
  std::size_t pod_depth = 0;
  std::size_t depth = 0;
  bool under_kubepods = false;
  std::string_view parent;
  bool parent_is_pod = false;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto name = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    start = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
    if (name.empty()) continue;
    ++depth;
    auto container = container_in(name, parent, parent_is_pod);
    auto here = pod_in(name, under_kubepods);
    if (container.runtime != Runtime::none) {
      innermost = {container, pod};
      container_depth = depth;
    } else if (here.found()) {
      pod = here;
      pod_depth = depth;
    }
    under_kubepods = under_kubepods || name.starts_with("kubepods");
    parent = name;
    parent_is_pod = here.found();
  }
  if (pod.found() && pod_depth > container_depth) return {{}, pod};
  return innermost;
}

bool names_systemd_hierarchy(std::string_view controllers) {
  bool systemd = false;
  detail::for_each_item(
      controllers, [&](std::string_view item) { systemd = systemd || item == "name=systemd"; });
  return systemd;
}

// systemd's unit name escaping: "\x2d" for '-', and the like for any other byte.
std::string unescape_unit_name(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      int high = detail::hex_digit(text[i + 2]);
      int low = detail::hex_digit(text[i + 3]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

ContainerLabels to_labels(const Found& found) {
  ContainerLabels labels;
  labels.runtime = runtime_name(found.container.runtime);
  if (found.container.runtime == Runtime::nspawn) {
    labels.machine = unescape_unit_name(found.container.id);
  } else {
    labels.container_id = found.container.id;
  }
  labels.pod_uid = found.pod.uid;
  for (char& c : labels.pod_uid) {
    if (c == found.pod.dash) c = '-';
  }
  return labels;
}

}  // namespace

ContainerLabels parse_cgroup_labels(std::string_view proc_pid_cgroup) {
  Found first;
  std::size_t start = 0;
  while (start < proc_pid_cgroup.size()) {
    auto nl = proc_pid_cgroup.find('\n', start);
    auto line = proc_pid_cgroup.substr(
        start, nl == std::string_view::npos ? proc_pid_cgroup.npos : nl - start);
    start = nl == std::string_view::npos ? proc_pid_cgroup.size() : nl + 1;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto second = line.find(':', colon + 1);
    if (second == std::string_view::npos) continue;
    auto found = labels_of_path(line.substr(second + 1));
    if (found.empty()) continue;
    if (names_systemd_hierarchy(line.substr(colon + 1, second - colon - 1)))
      return to_labels(found);
    if (first.empty()) first = found;
  }
  return to_labels(first);
}

std::optional<ContainerLabels> read_container_labels(int pid) {
  if (pid <= 0) return std::nullopt;
  auto path = fmt::format("{}/{}/cgroup", proc_root(), pid);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  // One read is the whole file for nearly every process; a deeper hierarchy spills
  // into a string, up to a size no real cgroup file reaches.
  constexpr std::size_t kMaxSize = std::size_t{1} << 20U;
  std::array<char, 4096> buffer;
  std::size_t used = 0;
  std::string spill;
  while (true) {
    char* into = spill.empty() ? buffer.data() + used : buffer.data();
    std::size_t room = spill.empty() ? buffer.size() - used : buffer.size();
    ssize_t got = ::read(fd.get(), into, room);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::nullopt;
    if (got == 0) break;
    auto n = static_cast<std::size_t>(got);
    if (spill.empty() && used + n < buffer.size()) {
      used += n;
      continue;
    }
    if (spill.empty()) {
      spill.assign(buffer.data(), used + n);
    } else {
      spill.append(buffer.data(), n);
    }
    if (spill.size() >= kMaxSize) break;
  }
  return parse_cgroup_labels(spill.empty() ? std::string_view(buffer.data(), used) : spill);
}

}  // namespace sockkit
