// Which container a process runs in, from nothing but its cgroup path: every runtime
// names the cgroup it creates after the container (docker-ID.scope, /docker/ID,
// cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope, machine-NAME.scope) and the
// kubelet names a pod's cgroup after its UID, so the host can label a network namespace
// without asking any runtime's API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// The innermost container a cgroup path names (a pod's container inside a kind node's
// Docker container is the pod's), and the Kubernetes pod around it.
struct ContainerLabels {
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", "systemd-nspawn", "" unknown
  std::string
      container_id;     // full id as in the cgroup path (64 hex for docker/containerd/cri-o/podman)
  std::string pod_uid;  // Kubernetes pod UID with dashes (8-4-4-4-12), "" when none
  std::string machine;  // systemd-nspawn machine name (machine-NAME.scope), "" when none
  [[nodiscard]] bool empty() const noexcept;

  friend bool operator==(const ContainerLabels&, const ContainerLabels&) = default;
};

// Parses the text of /proc/PID/cgroup (v1 lines "ID:controllers:/path", v2 "0::/path").
// The name=systemd line decides when it names a container or pod, else the first line
// that does. Any bytes are accepted; what is not recognised gives empty labels.
[[nodiscard]] ContainerLabels parse_cgroup_labels(std::string_view proc_pid_cgroup);

// Reads proc_root()/PID/cgroup; nullopt when it cannot be read (gone, not allowed).
[[nodiscard]] std::optional<ContainerLabels> read_container_labels(int pid);

}  // namespace sockkit

SOCKKIT_API_END
