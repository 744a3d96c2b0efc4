// --watch over every network namespace of the host.
#pragma once

#include "netns_sampling.hpp"
#include "render.hpp"

namespace sk_states {

int run_watch_netns(const Query& query, NetnsSampler& sampler, const RenderContext& context);

}  // namespace sk_states
