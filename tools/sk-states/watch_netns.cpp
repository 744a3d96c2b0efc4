// --watch --all-netns: every namespace, sampled again and again. Namespaces come and go
// between samples (containers start and stop), and each output says which did.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "render_netns.hpp"
#include "sampling.hpp"
#include "watch_netns.hpp"

namespace sk_states {

using sockkit::Json;

namespace {

struct Seen {
  sockkit::NetnsEntry entry;
  sockkit::Census census;
};
using SeenMap = std::map<std::uint64_t, Seen>;

SeenMap seen_of(const NetnsRun& run) {
  SeenMap out;
  for (std::size_t i = 0; i < run.samples.size(); ++i) {
    if (run.seen(i))
      out.emplace(run.discovery.namespaces[i].inode,
                  Seen{run.discovery.namespaces[i], run.samples[i].census});
  }
  return out;
}

struct Changes {
  std::vector<const Seen*> arrived;
  std::vector<const Seen*> gone;
};

// `found`: every namespace this sample's walk found, read or not: one that could not be
// read this time (a failure, a privilege) has not gone.
Changes changes(const SeenMap& now, const SeenMap* before, const NetnsRun& found) {
  Changes out;
  if (before == nullptr) return out;
  for (const auto& [inode, seen] : now) {
    if (before->count(inode) == 0) out.arrived.push_back(&seen);
  }
  for (const auto& [inode, seen] : *before) {
    bool still_there =
        std::any_of(found.discovery.namespaces.begin(), found.discovery.namespaces.end(),
                    [&](const sockkit::NetnsEntry& e) { return e.inode == inode; });
    if (now.count(inode) == 0 && !still_there) out.gone.push_back(&seen);
  }
  return out;
}

std::string change_lines(const Changes& c) {
  std::string out;
  for (const auto* s : c.arrived)
    out += fmt::format("new:  netns {} {}\n", s->entry.inode, netns_where(s->entry));
  for (const auto* s : c.gone)
    out += fmt::format("gone: netns {} {}\n", s->entry.inode, netns_where(s->entry));
  return out;
}

std::string redraw(const Query& query, const NetnsRun& run, const Changes& c,
                   const RenderContext& context, std::string_view sample_time) {
  std::string out = "\x1b[H\x1b[2J";
  out += context.paint(sockkit::Style::bold,
                       fmt::format("sk-states --all-netns every {}s, {} (Ctrl-C stops)",
                                   query.watch_seconds.value_or(2), sample_time));
  out += "\n\n" + render_netns_counts(query, run, context);
  auto lines = change_lines(c);
  if (!lines.empty()) out += "\n" + lines;
  return out;
}

// A log line per namespace per sample, and one per namespace that came or went.
std::string text_lines(const Query& query, const NetnsRun& run, const Changes& c,
                       std::string_view sample_time) {
  std::string out;
  auto transport = query.read.tcp ? sockkit::Transport::tcp : sockkit::Transport::udp;
  for (auto i : netns_rows(query, run)) {
    const auto& entry = run.discovery.namespaces[i];
    const auto& counts =
        (query.read.tcp ? run.samples[i].census.tcp : run.samples[i].census.udp).both();
    out += fmt::format("{} netns={} label=\"{}\" total={}", sample_time, entry.inode,
                       sockkit::netns_label(entry), counts.total());
    for (auto state : shown_states(transport)) {
      if (counts[state] != 0 || query.show_zero)
        out += fmt::format(" {}={}", sockkit::tcp_state_info(state).key, counts[state]);
    }
    out += "\n";
  }
  for (const auto* s : c.arrived)
    out += fmt::format("{} netns={} new\n", sample_time, s->entry.inode);
  for (const auto* s : c.gone)
    out += fmt::format("{} netns={} gone\n", sample_time, s->entry.inode);
  return out;
}

std::string json_line(const Query& query, const NetnsRun& run, const Changes& c, double timestamp_s,
                      bool first) {
  Json line = netns_counts_json(query, run);
  line["type"] = "sample";
  line["timestamp_s"] = timestamp_s;
  if (!first) {
    Json arrived = Json::array(), gone = Json::array();
    for (const auto* s : c.arrived) arrived.push_back(netns_json(s->entry));
    for (const auto* s : c.gone) gone.push_back(netns_json(s->entry));
    line["netns_new"] = arrived;
    line["netns_gone"] = gone;
  }
  return sockkit::to_json_text(line, sockkit::JsonLayout::line);
}

}  // namespace

int run_watch_netns(const Query& query, NetnsSampler& sampler, const RenderContext& context) {
  bool terminal = query.format == sockkit::cli::Format::text && ::isatty(STDOUT_FILENO) == 1;
  std::optional<SeenMap> previous;
  return repeat_samples(query, [&](std::uint64_t index) {
    auto run = sampler.take_counts(query);
    auto now = seen_of(run);
    auto c = changes(now, previous ? &*previous : nullptr, run);
    if (index == 0) warn_about_walk(run);
    if (!query.quiet) {
      auto taken = std::chrono::system_clock::now();
      if (terminal)
        sockkit::cli::write_out(redraw(query, run, c, context, utc_text(taken)));
      else if (query.format == sockkit::cli::Format::json)
        sockkit::cli::write_out(json_line(query, run, c, unix_seconds(taken), !previous));
      else
        sockkit::cli::write_out(text_lines(query, run, c, utc_text(taken)));
      sockkit::cli::flush_out();
    }
    previous = std::move(now);
  });
}

}  // namespace sk_states
