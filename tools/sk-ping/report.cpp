#include "report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "sockkit/console.hpp"
#include "sockkit/stats_render.hpp"

namespace sk_ping {

namespace {

std::string what_is_timed(const Plan& plan) {
  if (plan.udp) return fmt::format("UDP echo, {} bytes", plan.size);
  std::string what = "TCP handshake";
  if (plan.send || plan.expect) what += ", request";
  if (plan.close) what += ", close";
  return what;
}

std::string times_line(std::string_view name, const sockkit::Summary& s) {
  return fmt::format("{} {}\n", name, sockkit::stats_text(s));
}

std::string failures_text(const Tally& t) {
  std::string out;
  for (auto outcome : kFailures) {
    if (t.count(outcome) == 0) continue;
    auto why = cause_text(t.cause(outcome));
    fmt::format_to(std::back_inserter(out), "{}{} {}{}", out.empty() ? "" : ", ", t.count(outcome),
                   outcome == Outcome::in_flight ? "unanswered at the end" : outcome_name(outcome),
                   why.empty() ? "" : fmt::format(" ({})", why));
  }
  return out;
}

}  // namespace

void Report::emit(std::string_view line) {
  if (settings_.timestamp && settings_.format == Format::text) {
    sockkit::cli::write_out(fmt::format("[{:.6f}] ", wall_clock_s()));
  }
  sockkit::cli::write_out(line);
  sockkit::cli::flush_out();
}

void Report::started(const sockkit::SockAddress& peer, double dns_ms) {
  peer_ = peer;
  if (settings_.format != Format::text || settings_.check) return;
  emit(fmt::format("SK-PING {} ({}): {}, DNS {:.3f} ms\n", settings_.plan.target, peer,
                   what_is_timed(settings_.plan), dns_ms));
}

void Report::attempt(const AttemptResult& r) {
  if (settings_.quiet || settings_.check || settings_.format == Format::prom) return;
  if (r.outcome == Outcome::in_flight) return;
  line_.clear();
  if (settings_.format == Format::json) {
    format_json_line(settings_.plan, r, line_);
  } else {
    format_text_line(settings_.plan, r, line_);
  }
  line_ += '\n';
  emit(line_);
}

int Report::finish(const Tally& tally) {
  if (settings_.check) {
    auto [line, code] = check_line(settings_, tally);
    sockkit::cli::write_out(line);
    return code;
  }
  switch (settings_.format) {
    case Format::json: sockkit::cli::write_out(json_summary(settings_.plan, peer_, tally)); break;
    case Format::prom: sockkit::cli::write_out(prom_summary(settings_.plan, peer_, tally)); break;
    case Format::csv:
    case Format::grep:  // not offered: resolved_format refuses them
    case Format::text:
      sockkit::cli::write_out(text_summary(settings_.plan, tally));
      if (settings_.histogram) sockkit::cli::write_out(text_histogram(tally.rtt));
      break;
  }
  sockkit::cli::flush_out();
  return tally.answered() > 0 ? sockkit::cli::exit_ok : sockkit::cli::exit_negative;
}

std::string text_summary(const Plan& plan, const Tally& t) {
  std::string out = fmt::format("\n--- {} sk-ping statistics{} ---\n", plan.target,
                                t.interrupted ? " (interrupted)" : "");
  auto it = std::back_inserter(out);
  auto failures = failures_text(t);
  fmt::format_to(it, "{} sent, {} {}, {} failed{}, {:.1f}% loss, time {:.0f} ms\n", t.sent,
                 t.answered(), plan.udp ? "received" : "connected", t.failed(),
                 failures.empty() ? "" : fmt::format(" ({})", failures), t.loss_pct(),
                 t.duration_s * 1000);
  if (t.rtt.count() > 0) out += times_line(plan.udp ? "rtt" : "handshake", t.rtt);
  if (t.ttfb.count() > 0) out += times_line("first byte", t.ttfb);
  if (t.close.count() > 0) out += times_line("close", t.close);
  auto close_timeouts = t.close_ends[static_cast<std::size_t>(CloseEnd::timeout)];
  auto close_resets = t.close_ends[static_cast<std::size_t>(CloseEnd::reset)];
  if (close_timeouts + close_resets > 0) {
    fmt::format_to(it, "close: {} without the peer's FIN in time, {} reset by the peer\n",
                   close_timeouts, close_resets);
  }
  if (!plan.udp && t.syn_sent > 0) {
    fmt::format_to(it,
                   "SYNs: {} sent, {} unanswered ({:.1f}%), {} attempt{} needed a retransmission\n",
                   t.syn_sent, t.syn_retrans + t.count(Outcome::timeout), t.syn_loss_pct(),
                   t.retransmitted_attempts, t.retransmitted_attempts == 1 ? "" : "s");
  }
  if (plan.udp) {
    fmt::format_to(it, "datagrams: {} duplicated, {} reordered, {} late\n", t.duplicates,
                   t.reordered, t.late);
  }
  if (t.dns.count() > 1) {
    out += times_line("dns", t.dns);
  } else if (t.dns.count() == 1) {
    fmt::format_to(it, "dns {:.3f} ms\n", t.dns.min());
  }
  for (const auto& hint : hints(plan, t)) fmt::format_to(it, "note: {}\n", hint);
  return out;
}

std::string text_histogram(const sockkit::Summary& times) {
  if (times.count() == 0) return "";
  // The histogram's 64 slices per power of two, merged sixteen at a time: four bins
  // per doubling, fine enough to show a second mode, coarse enough to fit a screen.
  constexpr std::size_t kMerge = 16;
  struct Bin {
    double low, high;
    std::uint64_t count;
  };
  std::vector<Bin> bins;
  for (const auto& b : times.histogram().non_empty_buckets()) {
    auto index = sockkit::LogHistogram::bucket_index(b.low);
    auto first = index == 0 ? 0 : 1 + (index - 1) / kMerge * kMerge;
    auto low = sockkit::LogHistogram::bucket_bounds(first).low;
    if (!bins.empty() && bins.back().low == low) {
      bins.back().count += b.count;
    } else {
      bins.push_back({low, sockkit::LogHistogram::bucket_bounds(first + kMerge - 1).high, b.count});
    }
  }
  std::uint64_t most = 0;
  for (const auto& b : bins) most = std::max(most, b.count);
  std::string out = "\n";
  for (const auto& b : bins) {
    auto width = static_cast<std::size_t>(
        std::lround(40.0 * static_cast<double>(b.count) / static_cast<double>(most)));
    fmt::format_to(std::back_inserter(out), "{:>10.3f} - {:<10.3f} ms |{:<40}| {}\n", b.low, b.high,
                   std::string(std::max<std::size_t>(width, 1), '#'), b.count);
  }
  return out;
}

}  // namespace sk_ping
