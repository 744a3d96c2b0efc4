// Taking one look at the sockets: a census, groups, or the sockets themselves.
#pragma once

#include <vector>

#include "render.hpp"

namespace sk_states {

[[nodiscard]] Sample take_census(const Query& query, sockkit::GroupCounter* groups);
[[nodiscard]] Sample take_list(const Query& query, std::vector<ListedSocket>& sockets);

// Counts and, for --watch, the difference from the previous sample.
int run_watch(const Query& query, const sockkit::Painter& paint);

}  // namespace sk_states
