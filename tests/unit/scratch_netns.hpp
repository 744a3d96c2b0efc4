// Test support: network namespaces of a test's own. Inside one a test can bind fixed
// ports, count every socket a dump returns and read per-namespace counters from zero,
// without meeting the sockets of the host or of other tests running at the same time.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sockkit/netns.hpp"

namespace sockkit::test {

// Making a namespace needs root (CAP_SYS_ADMIN). Without it a test calls this first and
// returns, so an unprivileged run still passes but says what it left out.
inline bool can_make_netns() {
  if (::geteuid() == 0) return true;
  MESSAGE("skipped: needs root to create a network namespace");
  return false;
}

// A namespace made with `ip netns add`, so the library finds it by name the way a user's
// --netns does, and always deleted again. Its loopback is brought up, since a new
// namespace starts with lo down and no socket could bind 127.0.0.1 or ::1. The name
// carries a tag and the pid, so concurrent tests and test runs never share one.
class ScratchNetns {
 public:
  explicit ScratchNetns(const char* tag) : name_(fmt::format("sockkit-ut-{}-{}", tag, ::getpid())) {
    auto add = fmt::format("ip netns add {}", name_);
    created_ = std::system(add.c_str()) == 0;
    auto up = fmt::format("ip -n {} link set lo up", name_);
    up_ = created_ && std::system(up.c_str()) == 0;
  }
  ~ScratchNetns() {
    if (!created_) return;
    auto command = fmt::format("ip netns delete {}", name_);
    (void)std::system(command.c_str());
  }
  ScratchNetns(const ScratchNetns&) = delete;
  ScratchNetns& operator=(const ScratchNetns&) = delete;

  // The namespace exists (lo may still be down).
  [[nodiscard]] bool created() const { return created_; }
  // The namespace exists and its loopback is up: ready for sockets.
  [[nodiscard]] bool ready() const { return created_ && up_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool created_ = false;
  bool up_ = false;
};

// A scratch namespace the calling thread is inside until the scope ends. The test stops
// if the namespace could not be made. Members go in reverse, so the thread is back in
// its own namespace before the scratch one is deleted.
class ScratchNetnsScope {
 public:
  explicit ScratchNetnsScope(const char* tag) : ns_(tag) {
    REQUIRE_MESSAGE(ns_.ready(), "ip netns add / link set lo up failed for ", ns_.name());
    scope_.emplace(sockkit::parse_netns_spec(ns_.name()));
  }
  ScratchNetnsScope(const ScratchNetnsScope&) = delete;
  ScratchNetnsScope& operator=(const ScratchNetnsScope&) = delete;

  [[nodiscard]] const std::string& name() const { return ns_.name(); }

 private:
  ScratchNetns ns_;
  std::optional<sockkit::NetnsScope> scope_;
};

}  // namespace sockkit::test
