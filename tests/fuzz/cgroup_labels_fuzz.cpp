// /proc/PID/cgroup: parse_cgroup_labels on the input, and read_container_labels on the
// same text as a file under a temporary SOCKKIT_PROC_ROOT.
//   The labels are consistent: a runtime is one of the five names; docker, containerd,
//   cri-o and podman come with a 64-hex container id and no machine, systemd-nspawn with
//   a machine name and no id, no runtime with neither; a pod UID is 8-4-4-4-12 or 32
//   lowercase hex. The id is a substring of the input, and so is the pod UID as written
//   (dashes, or underscores in a systemd slice name). A line with no colon in front
//   changes nothing. read_container_labels, with its buffer and its spill for long
//   files, gives the same labels as parsing the text (up to its 1 MiB limit).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz.hpp"
#include "scratch_proc_root.hpp"
#include "sockkit/cgroup_labels.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kPid = 4121;
// read_container_labels stops there: no real cgroup file comes near it.
constexpr std::size_t kReadLimit = std::size_t{1} << 20U;

// <tmp>/4121/cgroup holds the input.
struct ProcRoot {
  fuzz::ScratchProcRoot scratch;
  fs::path file;
  ProcRoot() {
    fs::create_directory(scratch.root() / std::to_string(kPid));
    file = scratch.root() / std::to_string(kPid) / "cgroup";
  }
};

bool lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool pod_uid_shape(std::string_view uid) {
  if (uid.size() == 32) return lower_hex(uid);
  if (uid.size() != 36) return false;
  for (std::size_t i = 0; i < uid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uid[i] != '-' : !lower_hex(uid.substr(i, 1))) return false;
  }
  return true;
}

void check_labels(const sockkit::ContainerLabels& labels, std::string_view input) {
  const auto& runtime = labels.runtime;
  bool by_id =
      runtime == "docker" || runtime == "containerd" || runtime == "cri-o" || runtime == "podman";
  FUZZ_CHECK(by_id || runtime == "systemd-nspawn" || runtime.empty());
  if (by_id) {
    FUZZ_CHECK(labels.container_id.size() == 64 && lower_hex(labels.container_id));
    FUZZ_CHECK(input.find(labels.container_id) != std::string_view::npos);
  } else {
    FUZZ_CHECK(labels.container_id.empty());
  }
  FUZZ_CHECK((runtime == "systemd-nspawn") == !labels.machine.empty());
  if (!labels.pod_uid.empty()) {
    FUZZ_CHECK(pod_uid_shape(labels.pod_uid));
    std::string systemd = labels.pod_uid;
    std::replace(systemd.begin(), systemd.end(), '-', '_');
    FUZZ_CHECK(input.find(labels.pod_uid) != std::string_view::npos ||
               input.find(systemd) != std::string_view::npos);
  }
  FUZZ_CHECK(labels.empty() == (runtime.empty() && labels.pod_uid.empty()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ProcRoot proc;
  auto text = fuzz::text(data, size);
  auto labels = sockkit::parse_cgroup_labels(text);
  check_labels(labels, text);
  FUZZ_CHECK(sockkit::parse_cgroup_labels("no colon here\n" + std::string(text)) == labels);
  fuzz::write_input(proc.file, text);
  auto read = sockkit::read_container_labels(kPid);
  FUZZ_CHECK(read.has_value());
  if (size <= kReadLimit) FUZZ_CHECK(*read == labels);
  return 0;
}
