// --watch: sample again and again; redraw on a terminal, one record per sample
// otherwise, so the same command serves an incident and a log file.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <functional>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "sampling.hpp"
#include "sockkit/signal_watch.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

using sockkit::Json;
using sockkit::Transport;

double unix_seconds(std::chrono::system_clock::time_point at) {
  return std::round(std::chrono::duration<double>(at.time_since_epoch()).count() * 1e6) / 1e6;
}

std::string utc_text(std::chrono::system_clock::time_point at) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(at)));
}

namespace {

struct Previous {
  sockkit::Census census;
  std::chrono::steady_clock::time_point at;
};

std::string signed_count(std::int64_t delta) {
  if (delta == 0) return "0";
  return fmt::format(
      "{}{}", delta > 0 ? "+" : "-",
      sockkit::group_thousands(static_cast<std::uint64_t>(delta > 0 ? delta : -delta)));
}

std::int64_t difference(std::uint64_t now, std::uint64_t before) {
  return static_cast<std::int64_t>(now) - static_cast<std::int64_t>(before);
}

// "+1.5": the change per second, as the RATE/S column and the piped lines show it.
std::string rate_text(std::int64_t delta, double seconds) {
  return fmt::format("{:+.1f}", static_cast<double>(delta) / seconds);
}

// `sample_time`: when the sample was taken, "2024-05-01T12:00:00Z".
std::string redraw(const Query& query, const Sample& sample, const Previous* previous,
                   double seconds, const RenderContext& context, std::string_view sample_time) {
  const auto& paint = context.paint;
  std::string out = "\x1b[H\x1b[2J";
  out += paint(sockkit::Style::bold, fmt::format("sk-states every {}s, {} (Ctrl-C stops)",
                                                 query.watch_seconds.value_or(2), sample_time));
  out += "\n\n";
  auto table_for = [&](Transport transport, const sockkit::FamilyCounts& now,
                       const sockkit::FamilyCounts* before) {
    sockkit::TextTable table({{"STATE"},
                              {"COUNT", sockkit::Align::right},
                              {"CHANGE", sockkit::Align::right},
                              {"RATE/S", sockkit::Align::right}});
    for (auto state : shown_states(transport)) {
      auto n = now.both()[state];
      auto d = before ? difference(n, before->both()[state]) : 0;
      if (!query.show_zero && n == 0 && d == 0) continue;
      auto style = d > 0 ? sockkit::Style::yellow : sockkit::Style::plain;
      table.add_row({std::string(sockkit::tcp_state_name(state)), sockkit::group_thousands(n),
                     sockkit::Cell(before ? signed_count(d) : "", style),
                     before && seconds > 0 ? rate_text(d, seconds) : ""});
    }
    auto total_d = before ? difference(now.both().total(), before->both().total()) : 0;
    table.add_row({"TOTAL", sockkit::group_thousands(now.both().total()),
                   before ? signed_count(total_d) : "",
                   before && seconds > 0 ? rate_text(total_d, seconds) : ""});
    return table.render(paint);
  };
  if (query.read.tcp)
    out += table_for(Transport::tcp, sample.census.tcp, previous ? &previous->census.tcp : nullptr);
  if (query.read.udp)
    out += "\n" +
           table_for(Transport::udp, sample.census.udp, previous ? &previous->census.udp : nullptr);
  // Only titles and evidence: the explanations would push the counts off the screen.
  if (sample.diagnosis) out += "\n" + findings_text(*sample.diagnosis, context, true);
  return out;
}

// One line per sample for a log: the counts, each followed from the second sample on
// by its rate per second ("time_wait=1777 time_wait/s=+3.5"), the rows the terminal
// would show, so that a log and a screen tell the same story.
std::string text_line(const Query& query, const Sample& sample, const Previous* previous,
                      double seconds, std::string_view sample_time) {
  std::string line(sample_time);
  bool rates = previous != nullptr && seconds > 0;
  auto add = [&](const char* name, const sockkit::FamilyCounts& counts,
                 const sockkit::FamilyCounts* before, Transport transport) {
    auto put = [&](std::string_view key, std::uint64_t n, std::uint64_t was) {
      line += fmt::format(" {}={}", key, n);
      if (rates) line += fmt::format(" {}/s={}", key, rate_text(difference(n, was), seconds));
    };
    line += fmt::format(" {}", name);
    put("total", counts.both().total(), rates ? before->both().total() : 0);
    for (auto state : shown_states(transport)) {
      auto n = counts.both()[state];
      auto was = rates ? before->both()[state] : n;
      if (n != 0 || was != 0 || query.show_zero) put(sockkit::tcp_state_info(state).key, n, was);
    }
  };
  if (query.read.tcp)
    add("tcp", sample.census.tcp, previous ? &previous->census.tcp : nullptr, Transport::tcp);
  if (query.read.udp)
    add("udp", sample.census.udp, previous ? &previous->census.udp : nullptr, Transport::udp);
  if (sample.diagnosis) {
    // rule:severity pairs keep the line greppable: `grep close_wait:critical`.
    std::string fired;
    for (const auto& f : sample.diagnosis->findings) {
      fired += fmt::format("{}{}:{}", fired.empty() ? "" : ",", sockkit::rule_info(f.rule).key,
                           sockkit::severity_name(f.severity));
    }
    line += fmt::format(" findings={}", fired.empty() ? "none" : fired);
  }
  return line + "\n";
}

Json delta_json(const Query& query, const sockkit::Census& now, const sockkit::Census& before) {
  Json out = Json::object();
  auto add = [&](const char* name, const sockkit::FamilyCounts& a, const sockkit::FamilyCounts& b,
                 Transport t) {
    Json states = Json::object();
    for (auto state : shown_states(t)) {
      states[std::string(sockkit::tcp_state_info(state).key)] =
          difference(a.both()[state], b.both()[state]);
    }
    out[name] = states;
  };
  if (query.read.tcp) add("tcp", now.tcp, before.tcp, Transport::tcp);
  if (query.read.udp) add("udp", now.udp, before.udp, Transport::udp);
  return out;
}

std::string json_line(const Query& query, const Sample& sample, const Previous* previous,
                      double seconds, double timestamp_s) {
  Json line{{"type", "sample"}, {"timestamp_s", timestamp_s}};
  // Named, not iterated as temporaries: items() does not keep its object alive.
  const Json header = header_json(query, sample);
  const Json counts = census_json(query, sample.census);
  for (const auto& item : header.items()) line[item.key()] = item.value();
  for (const auto& item : counts.items()) line[item.key()] = item.value();
  if (previous != nullptr) {
    line["interval_s"] = seconds;
    line["change"] = delta_json(query, sample.census, previous->census);
  }
  if (sample.diagnosis) line["findings"] = findings_json(*sample.diagnosis);
  return sockkit::to_json_text(line, sockkit::JsonLayout::line);
}

}  // namespace

int repeat_samples(const Query& query, const std::function<void(std::uint64_t)>& sample) {
  // A stop signal that arrives while a sample is taken waits for the pause after it.
  sockkit::block_stop_signals();
  std::uint64_t samples = 0;
  for (;;) {
    sample(samples);
    if (++samples == query.watch_count) break;
    auto pause = std::chrono::duration<double>(*query.watch_seconds);
    if (sockkit::wait_for_stop_signal(
            std::chrono::duration_cast<std::chrono::nanoseconds>(pause)) != 0)
      break;
  }
  if (query.format == sockkit::cli::Format::json && !query.quiet) {
    sockkit::cli::write_out(sockkit::to_json_text(Json{{"type", "summary"}, {"samples", samples}},
                                                  sockkit::JsonLayout::line));
  }
  return sockkit::cli::exit_ok;
}

int run_watch(const Query& query, std::optional<Diagnoser>& diagnoser,
              const RenderContext& context) {
  bool terminal = query.format == sockkit::cli::Format::text && ::isatty(STDOUT_FILENO) == 1;
  std::optional<Previous> previous;
  return repeat_samples(query, [&](std::uint64_t) {
    auto sample = diagnoser ? diagnoser->take(query) : take_census(query, nullptr);
    auto now = std::chrono::steady_clock::now();
    double seconds = previous ? std::chrono::duration<double>(now - previous->at).count() : 0;
    const Previous* before = previous ? &*previous : nullptr;
    if (!query.quiet) {
      // One reading of the wall clock per sample, in the form this output shows it.
      auto taken = std::chrono::system_clock::now();
      if (terminal)
        sockkit::cli::write_out(redraw(query, sample, before, seconds, context, utc_text(taken)));
      else if (query.format == sockkit::cli::Format::json)
        sockkit::cli::write_out(json_line(query, sample, before, seconds, unix_seconds(taken)));
      else
        sockkit::cli::write_out(text_line(query, sample, before, seconds, utc_text(taken)));
      sockkit::cli::flush_out();
    }
    previous = Previous{sample.census, now};
  });
}

}  // namespace sk_states
