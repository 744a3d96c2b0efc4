// Taking one look at the sockets: a census, groups, or the sockets themselves.
#pragma once

#include <functional>
#include <vector>

#include "diagnose.hpp"
#include "render.hpp"

namespace sk_states {

// `netns`: the inode of the namespace being read, for the netns key and --list's column.
[[nodiscard]] Sample take_census(const Query& query, sockkit::GroupCounter* groups,
                                 std::uint64_t netns = 0);
[[nodiscard]] Sample take_list(const Query& query, std::vector<ListedSocket>& sockets,
                               std::uint64_t netns = 0);
// The matching sockets without their attributes, for groups whose owners are looked up
// once every inode is known.
[[nodiscard]] Sample take_records(const Query& query, std::vector<sockkit::SocketRecord>& records);
// --by with the process key: groups every socket under its owner's pid.
[[nodiscard]] Sample take_groups_by_owner(const Query& query, sockkit::GroupCounter& groups,
                                          sockkit::ProcessMap& owners);
// The holders of these sockets (-p); warns about processes it could not read.
// Holders::lowest when only owner() is read (groups), Holders::every for --list's owners().
[[nodiscard]] sockkit::ProcessMap scan_owners(std::span<const std::uint32_t> inodes,
                                              sockkit::Holders holders = sockkit::Holders::every);

// Counts and, for --watch, the difference from the previous sample.
// With a diagnoser, each sample also carries its findings (and their rates).
int run_watch(const Query& query, std::optional<Diagnoser>& diagnoser,
              const RenderContext& context);

// --watch's rhythm: `sample(index)` every interval until --count samples or a stop
// signal, then the JSON summary line; the exit status.
int repeat_samples(const Query& query, const std::function<void(std::uint64_t)>& sample);

}  // namespace sk_states
