// Taking one look at the sockets: a census, groups, or the sockets themselves.
#pragma once

#include <vector>

#include "diagnose.hpp"
#include "render.hpp"

namespace sk_states {

[[nodiscard]] Sample take_census(const Query& query, sockkit::GroupCounter* groups);
[[nodiscard]] Sample take_list(const Query& query, std::vector<ListedSocket>& sockets);
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

}  // namespace sk_states
