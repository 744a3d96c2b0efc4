#include "sockkit/cgroup_labels.hpp"

#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "env_guard.hpp"
#include "test_files.hpp"

using sockkit::ContainerLabels;
using sockkit::parse_cgroup_labels;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

constexpr std::string_view kDockerId =
    "d548c5b83fa61d8e3bd86ad42a7ffea9b7c86e3f9d8095c1577d3e1270bb9420";
constexpr std::string_view kContainerId =
    "5424626b932a2ff9d191f0982447a979fddd8b4be251e924370cb66900df018e";
constexpr std::string_view kNodeId =
    "545ea538461003efdc8c81c244531b003f6f26cfccf6c0073b3239fdedf49446";
constexpr std::string_view kPodUid = "fa215d88-bd4e-5759-92ab-89ddaf983762";
constexpr std::string_view kPodUidSystemd = "fa215d88_bd4e_5759_92ab_89ddaf983762";

// /proc/PID/cgroup on a cgroup v1 host with the unified hierarchy beside it (as Debian 11
// and this machine mount them): every controller in the same place, the v2 line at "/".
std::string v1_file(std::string_view path) {
  return fmt::format(
      "12:rdma:/\n11:pids:{0}\n10:hugetlb:{0}\n9:net_cls,net_prio:{0}\n8:perf_event:{0}\n"
      "7:memory:{0}\n6:freezer:{0}\n5:devices:{0}\n4:cpuset:{0}\n3:blkio:{0}\n"
      "2:cpu,cpuacct:{0}\n1:name=systemd:{0}\n0::/\n",
      path);
}

// /proc/PID/cgroup on a cgroup v2 host: one line.
std::string v2_file(std::string_view path) {
  return fmt::format("0::{}\n", path);
}

ContainerLabels labels(std::string_view runtime, std::string_view id, std::string_view pod = "",
                       std::string_view machine = "") {
  return {std::string(runtime), std::string(id), std::string(pod), std::string(machine)};
}

void check_both(std::string_view path, const ContainerLabels& want) {
  INFO("path: ", path);
  auto v1 = parse_cgroup_labels(v1_file(path));
  CHECK(v1.runtime == want.runtime);
  CHECK(v1.container_id == want.container_id);
  CHECK(v1.pod_uid == want.pod_uid);
  CHECK(v1.machine == want.machine);
  CHECK(parse_cgroup_labels(v2_file(path)) == want);
}

}  // namespace

TEST_CASE("cgroup_labels: Docker under its cgroupfs and its systemd driver") {
  check_both(fmt::format("/docker/{}", kDockerId), labels("docker", kDockerId));
  check_both(fmt::format("/system.slice/docker-{}.scope", kDockerId), labels("docker", kDockerId));
  // systemd running inside the container makes cgroups of its own below the scope.
  check_both(fmt::format("/system.slice/docker-{}.scope/init.scope", kDockerId),
             labels("docker", kDockerId));
  check_both(fmt::format("/docker/{}/system.slice/cron.service", kDockerId),
             labels("docker", kDockerId));
}

TEST_CASE("cgroup_labels: containerd (CRI) and the pod around it") {
  check_both(fmt::format("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{}.slice/"
                         "cri-containerd-{}.scope",
                         kPodUidSystemd, kContainerId),
             labels("containerd", kContainerId, kPodUid));
  check_both(
      fmt::format("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{}.slice/"
                  "cri-containerd-{}.scope",
                  kPodUidSystemd, kContainerId),
      labels("containerd", kContainerId, kPodUid));
  // Guaranteed QoS: no QoS slice between kubepods and the pod.
  check_both(fmt::format("/kubepods.slice/kubepods-pod{}.slice/cri-containerd-{}.scope",
                         kPodUidSystemd, kContainerId),
             labels("containerd", kContainerId, kPodUid));
  check_both(fmt::format("/kubepods/burstable/pod{}/{}", kPodUid, kContainerId),
             labels("containerd", kContainerId, kPodUid));
  check_both(fmt::format("/kubepods/besteffort/pod{}/{}", kPodUid, kContainerId),
             labels("containerd", kContainerId, kPodUid));
  check_both(fmt::format("/kubepods/pod{}/{}", kPodUid, kContainerId),
             labels("containerd", kContainerId, kPodUid));
}

TEST_CASE("cgroup_labels: CRI-O and its monitor") {
  auto pod = fmt::format("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{}.slice",
                         kPodUidSystemd);
  check_both(fmt::format("{}/crio-{}.scope", pod, kContainerId),
             labels("cri-o", kContainerId, kPodUid));
  check_both(fmt::format("{}/crio-{}.scope/container", pod, kContainerId),
             labels("cri-o", kContainerId, kPodUid));
  // conmon watches the container from a scope of its own, named after the same id.
  check_both(fmt::format("{}/crio-conmon-{}.scope", pod, kContainerId),
             labels("cri-o", kContainerId, kPodUid));
  check_both(fmt::format("/kubepods/burstable/pod{}/crio-{}", kPodUid, kContainerId),
             labels("cri-o", kContainerId, kPodUid));
}

TEST_CASE("cgroup_labels: podman rootful and rootless and under cgroupfs") {
  check_both(fmt::format("/machine.slice/libpod-{}.scope", kContainerId),
             labels("podman", kContainerId));
  check_both(fmt::format("/machine.slice/libpod-{}.scope/container", kContainerId),
             labels("podman", kContainerId));
  check_both(fmt::format("/machine.slice/libpod-conmon-{}.scope", kContainerId),
             labels("podman", kContainerId));
  check_both(fmt::format("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{}.scope",
                         kContainerId),
             labels("podman", kContainerId));
  check_both(fmt::format("/libpod_parent/libpod-{}", kContainerId), labels("podman", kContainerId));
  // A podman pod's slice is not a container; the container in it is.
  check_both(fmt::format("/machine.slice/machine-libpod_pod_{}.slice/libpod-{}.scope", kNodeId,
                         kContainerId),
             labels("podman", kContainerId));
}

TEST_CASE("cgroup_labels: systemd-nspawn machines with systemd's escaping undone") {
  check_both("/machine.slice/machine-web.scope/payload", labels("systemd-nspawn", "", "", "web"));
  check_both("/machine.slice/machine-web\\x2d1.scope/payload",
             labels("systemd-nspawn", "", "", "web-1"));
  check_both("/machine.slice/machine-web\\x2d1.scope/init.scope",
             labels("systemd-nspawn", "", "", "web-1"));
  // An escape cut short is kept as written.
  check_both("/machine.slice/machine-a\\x2.scope", labels("systemd-nspawn", "", "", "a\\x2"));
}

TEST_CASE("cgroup_labels: a process in a pod's cgroup but in none of its containers") {
  check_both(fmt::format("/kubepods/burstable/pod{}", kPodUid), labels("", "", kPodUid));
  check_both(fmt::format("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{}.slice",
                         kPodUidSystemd),
             labels("", "", kPodUid));
  // A static pod's UID is a hash of its manifest, 32 hex digits.
  check_both("/kubepods/burstable/poda81259cef8e959c624df1d456e5d3297",
             labels("", "", "a81259cef8e959c624df1d456e5d3297"));
}

TEST_CASE("cgroup_labels: nested runtimes: the innermost container wins") {
  // kind: a Kubernetes node in a Docker container, its pods' containers inside.
  check_both(fmt::format("/docker/{}/kubepods/burstable/pod{}/{}", kNodeId, kPodUid, kContainerId),
             labels("containerd", kContainerId, kPodUid));
  check_both(
      fmt::format("/system.slice/docker-{}.scope/kubelet.slice/kubelet-kubepods.slice/"
                  "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod{}.slice/"
                  "cri-containerd-{}.scope",
                  kNodeId, kPodUidSystemd, kContainerId),
      labels("containerd", kContainerId, kPodUid));
  // The node's own services are the node's container.
  check_both(fmt::format("/system.slice/docker-{}.scope/kubelet.service", kNodeId),
             labels("docker", kNodeId));
  check_both(fmt::format("/docker/{}/docker/{}", kNodeId, kDockerId), labels("docker", kDockerId));
  check_both(fmt::format("/machine.slice/machine-web.scope/payload/system.slice/docker-{}.scope",
                         kDockerId),
             labels("docker", kDockerId));
  // A pod's cgroup deeper than any container: the pod, not the node around it.
  check_both(fmt::format("/docker/{}/kubepods/besteffort/pod{}", kNodeId, kPodUid),
             labels("", "", kPodUid));
}

TEST_CASE("cgroup_labels: the name=systemd line decides and else the first line that names one") {
  auto other = fmt::format("/docker/{}", kNodeId);
  auto mine = fmt::format("/docker/{}", kDockerId);
  CHECK(parse_cgroup_labels(fmt::format("4:memory:{}\n1:name=systemd:{}\n0::{}\n", other, mine,
                                        other)) == labels("docker", kDockerId));
  CHECK(parse_cgroup_labels(fmt::format("4:memory:{}\n1:name=systemd:/user.slice\n0::{}\n", other,
                                        mine)) == labels("docker", kNodeId));
  CHECK(parse_cgroup_labels(fmt::format("1:name=systemd:/init.scope\n0::{}\n", mine)) ==
        labels("docker", kDockerId));
}

TEST_CASE("cgroup_labels: what names no container gives empty labels") {
  std::vector<std::string> inputs = {
      "",
      "\n\n",
      "0::/\n",
      "0::/init.scope\n",
      "0::/system.slice/ssh.service\n",
      "0::/user.slice/user-0.slice/session-3.scope\n",
      // This machine's own processes.
      "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/4bcc13043d3f3752db0a3f46a6a82cdf\n0::/\n",
      // Not quite an id: 63 and 65 digits, upper case, a stray letter.
      fmt::format("0::/docker/{}\n", kDockerId.substr(1)),
      fmt::format("0::/docker/{}0\n", kDockerId),
      fmt::format("0::/system.slice/docker-{}.scope\n",
                  "D548C5B83FA61D8E3BD86AD42A7FFEA9B7C86E3F9D8"
                  "095C1577D3E1270BB9420"),
      fmt::format("0::/docker/{}g\n", kDockerId.substr(1)),
      // A bare id needs a parent that says whose it is.
      fmt::format("0::/lxc/{}\n", kDockerId),
      fmt::format("0::/{}\n", kDockerId),
      // pod<UID> counts only below kubepods; a slice only when it names kubepods.
      fmt::format("0::/burstable/pod{}\n", kPodUid),
      fmt::format("0::/system.slice/other-pod{}.slice\n", kPodUidSystemd),
      // A UID with the wrong separators, or cut short.
      fmt::format("0::/kubepods/pod{}\n", kPodUidSystemd),
      fmt::format("0::/kubepods.slice/kubepods-pod{}.slice\n", kPodUid),
      fmt::format("0::/kubepods/pod{}\n", kPodUid.substr(0, 35)),
      "0::/machine.slice/machine-.scope\n",
      "0::/machine.slice/machine-web.slice\n",
      // No path field: the id is in a controller name, or the line has one colon.
      fmt::format("1:docker-{}.scope\n", kDockerId),
      fmt::format("/docker/{}\n", kDockerId),
      std::string("\0\xff::/\x01\n:::\n", 11),
  };
  for (const auto& input : inputs) {
    INFO("input: ", input);
    CHECK(parse_cgroup_labels(input).empty());
  }
}

TEST_CASE("cgroup_labels: truncated files") {
  auto whole = v1_file(fmt::format("/docker/{}", kDockerId));
  // Cut inside the first line with a path: no complete id anywhere.
  auto cut = whole.find(kDockerId) + 20;
  CHECK(parse_cgroup_labels(std::string_view(whole).substr(0, cut)).empty());
  // Cut inside a later line: the lines before it still name the container.
  auto later = whole.rfind(kDockerId) + 10;
  CHECK(parse_cgroup_labels(std::string_view(whole).substr(0, later)) ==
        labels("docker", kDockerId));
  // No final newline.
  CHECK(parse_cgroup_labels(fmt::format("0::/docker/{}", kDockerId)) ==
        labels("docker", kDockerId));
}

TEST_CASE("cgroup_labels: empty() is true only with every label empty") {
  CHECK(ContainerLabels{}.empty());
  CHECK_FALSE(labels("docker", kDockerId).empty());
  CHECK_FALSE(labels("", "", kPodUid).empty());
  CHECK_FALSE(labels("systemd-nspawn", "", "", "web").empty());
}

TEST_CASE("cgroup_labels: read_container_labels reads <proc root>/PID/cgroup") {
  TempDir root("cgroup");
  EnvGuard proc("SOCKKIT_PROC_ROOT", root.path().c_str());
  root.write("4121/cgroup", v2_file(fmt::format("/system.slice/docker-{}.scope", kDockerId)));
  root.write("4122/cgroup", "0::/init.scope\n");
  root.write("4123/cgroup", "");
  CHECK(sockkit::read_container_labels(4121) == labels("docker", kDockerId));
  auto plain = sockkit::read_container_labels(4122);
  REQUIRE(plain.has_value());
  CHECK(plain->empty());
  CHECK(sockkit::read_container_labels(4123) == ContainerLabels{});
  CHECK_FALSE(sockkit::read_container_labels(4124).has_value());
  CHECK_FALSE(sockkit::read_container_labels(0).has_value());
  CHECK_FALSE(sockkit::read_container_labels(-1).has_value());
}

TEST_CASE("cgroup_labels: read_container_labels reads a long file in full") {
  TempDir root("cgroup");
  EnvGuard proc("SOCKKIT_PROC_ROOT", root.path().c_str());
  std::string padding;
  for (int i = 0; padding.size() < 3 * 4096; ++i) {
    padding += fmt::format("{}:name=h{}:/a/rather/deep/path/that/names/nothing\n", 100 + i, i);
  }
  auto line = v2_file(fmt::format("/docker/{}", kDockerId));
  root.write("7/cgroup", padding + line);
  CHECK(sockkit::read_container_labels(7) == labels("docker", kDockerId));
  // Ending exactly where the first read's buffer does, and one byte past it.
  for (std::size_t size : {std::size_t{4096}, std::size_t{4097}}) {
    std::string text(size - line.size(), '\n');
    root.write("8/cgroup", text + line);
    CHECK(sockkit::read_container_labels(8) == labels("docker", kDockerId));
  }
}

TEST_CASE("cgroup_labels: read_container_labels of this process") {
  EnvGuard proc("SOCKKIT_PROC_ROOT", nullptr);
  CHECK(sockkit::read_container_labels(static_cast<int>(::getpid())).has_value());
}
