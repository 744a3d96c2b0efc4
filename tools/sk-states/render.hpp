// Renderers for sk-states: gathered data in, finished text out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "query.hpp"
#include "sockkit/census.hpp"
#include "sockkit/color.hpp"
#include "sockkit/diagnosis.hpp"
#include "sockkit/json.hpp"
#include "sockkit/netns_walk.hpp"
#include "sockkit/socket_reader.hpp"

namespace sk_states {

using PromLabels = std::vector<std::pair<std::string, std::string>>;

// --all-netns: how the walk went, for every format's header.
struct WalkSummary {
  std::size_t found = 0;
  sockkit::WalkTally tally;
};

struct Sample {
  sockkit::Census census;
  sockkit::ReadReport report;
  double duration_ms = 0;
  std::optional<sockkit::Diagnosis> diagnosis;    // when the rules ran
  std::optional<sockkit::KernelReadings> kernel;  // what they read from the kernel
  std::optional<WalkSummary> walk;                // --all-netns: the sums' walk
};

// What a renderer would otherwise ask the system for: whether to colour, how wide the
// terminal is, the kernel's page size. run() fills it once, so every renderer is a
// function of its arguments and a test can fix them.
struct RenderContext {
  sockkit::Painter paint;
  std::size_t width = 80;           // columns the findings' prose is wrapped to
  std::uint64_t page_bytes = 4096;  // sysconf(_SC_PAGESIZE): tcp_mem counts pages
};

// A socket kept for --list: the record without its attribute spans.
struct ListedSocket {
  sockkit::SocketRecord record;
  std::optional<sockkit::TcpInfoSummary> info;  // none for listeners: they have no connection
  bool rtt_sampled = false;                     // Linux reports an RTT of 0 until the first sample
  std::uint64_t netns = 0;                      // --all-netns: the namespace's inode
};

[[nodiscard]] std::string render_counts(const Query& query, const Sample& sample,
                                        const RenderContext& context);
// `owners`: the process map of -p (or --by process), nullptr without it.
[[nodiscard]] std::string render_groups(const Query& query, const Sample& sample,
                                        const std::vector<sockkit::GroupCounter::Row>& rows,
                                        const sockkit::ProcessMap* owners,
                                        const RenderContext& context);
[[nodiscard]] std::string render_list(const Query& query, const Sample& sample,
                                      const std::vector<ListedSocket>& sockets,
                                      const sockkit::ProcessMap* owners,
                                      const RenderContext& context);

// The findings: a text section, JSON, Prometheus families, and the --check line.
// `brief`: titles and evidence only, without why/next (the --watch screen).
[[nodiscard]] std::string findings_text(const sockkit::Diagnosis& diagnosis,
                                        const RenderContext& context, bool brief = false);
[[nodiscard]] sockkit::Json findings_json(const sockkit::Diagnosis& diagnosis);
[[nodiscard]] sockkit::Json kernel_json(const sockkit::KernelReadings& kernel);
// Drops the counters no output shows (a few hundred, each with two names), keeping what
// kernel_json and findings_prom print: --all-netns keeps one set per namespace.
void keep_shown_counters(sockkit::KernelReadings& kernel);
// `labels`: put first on every sample (netns="INODE" under --all-netns); `host_wide`:
// also the host-wide pools (orphans, TCP memory), which only the host's namespace shows.
[[nodiscard]] std::string findings_prom(const sockkit::Diagnosis& diagnosis,
                                        const sockkit::KernelReadings& kernel,
                                        std::uint64_t page_bytes, const PromLabels& labels = {},
                                        bool host_wide = true);
// The per-state families of one census.
[[nodiscard]] std::string counts_prom(const Query& query, const Sample& sample,
                                      const PromLabels& labels = {});
struct CheckResult {
  std::string line;
  int code = 0;
};
[[nodiscard]] CheckResult check_result(const Query& query, const Sample& sample);

// Unix seconds with microseconds, the timestamp_s every streamed line of sockkit carries.
[[nodiscard]] double unix_seconds(std::chrono::system_clock::time_point at);
// "2024-05-01T12:00:00Z": when a sample was taken, as --watch's text shows it.
[[nodiscard]] std::string utc_text(std::chrono::system_clock::time_point at);

// Pieces shared by the renderers and the watch mode.
[[nodiscard]] std::string upper(std::string_view text);
// "10.0.0.1:80" or "[::1]:80"; v4-mapped addresses shown as IPv4.
[[nodiscard]] std::string endpoint_text(const sockkit::IpAddress& ip, std::uint16_t port);
[[nodiscard]] sockkit::Json filters_json(const Query& query);
// source, netns, duration_ms and filters: the fields every JSON document starts with.
[[nodiscard]] sockkit::Json header_json(const Query& query, const Sample& sample);
[[nodiscard]] sockkit::Json counts_json(const sockkit::StateCounts& counts,
                                        sockkit::Transport transport);
[[nodiscard]] sockkit::Json census_json(const Query& query, const sockkit::Census& census);
// The states a transport's table shows, in kernel order (TCP: the 11; UDP: 2).
[[nodiscard]] std::vector<sockkit::TcpState> shown_states(sockkit::Transport transport);

}  // namespace sk_states
