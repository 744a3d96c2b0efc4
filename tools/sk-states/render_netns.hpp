// Renderers for --all-netns: a walk's samples in, finished text out.
#pragma once

#include <string>
#include <vector>

#include "netns_sampling.hpp"
#include "render.hpp"

namespace sk_states {

// The counts mode: a row per namespace (text), a `namespaces` array (JSON), the families
// with a netns label and sockkit_netns_info (Prometheus), or rows per namespace (CSV).
[[nodiscard]] std::string render_netns_counts(const Query& query, const NetnsRun& run,
                                              const RenderContext& context);

// The JSON document of the counts mode (also each --watch line's body).
[[nodiscard]] sockkit::Json netns_counts_json(const Query& query, const NetnsRun& run);

// The namespaces seen, in the order they are shown: largest first by --sort's key,
// at most --top of them.
[[nodiscard]] std::vector<std::size_t> netns_rows(const Query& query, const NetnsRun& run);

// "docker 3f2a9c4b1d2e (pid 4121 java)": where a finding is, for a person.
[[nodiscard]] std::string netns_where(const sockkit::NetnsEntry& entry);
[[nodiscard]] sockkit::Json netns_json(const sockkit::NetnsEntry& entry);

// --check over every namespace: the worst decides, each problem says where it is.
[[nodiscard]] CheckResult check_netns(const Query& query, const NetnsRun& run);

}  // namespace sk_states
