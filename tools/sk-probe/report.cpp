#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"
#include "sockkit/json.hpp"
#include "sockkit/table.hpp"
#include "sockkit/top_ports.hpp"

namespace sk_probe {

namespace {

// Up to this many probes, text shows every result, as a one-port check should.
constexpr std::uint64_t kShowEveryResultUpTo = 25;
// A scan thread writes its lines when this much has gathered, or at its next 10 ms tick.
constexpr std::size_t kBatchBytes = 64 * 1024;

sockkit::Style style_of(State state) {
  switch (state) {
    case State::open: return sockkit::Style::green;
    case State::closed: return sockkit::Style::dim;
    case State::filtered:
    case State::open_filtered: return sockkit::Style::yellow;
    case State::unreachable:
    case State::error: return sockkit::Style::red;
  }
  return sockkit::Style::plain;
}

// A table cell for a banner or a reply: the start of it, so a long one cannot push
// the table off the screen (CSV carries it whole, JSON the bytes themselves).
std::string shorten(std::string text) {
  constexpr std::size_t kCell = 60;
  if (text.size() <= kCell) return text;
  text.resize(kCell - 3);
  // Never end inside an escape: a cut "\x0" would read as something else.
  auto slash = text.rfind('\\');
  if (slash != std::string::npos && slash + 4 > text.size()) text.resize(slash);
  return text + "...";
}

std::string rtt_text(double rtt_ms) {
  return rtt_ms < 0 ? std::string("-") : sockkit::format_ms(rtt_ms) + " ms";
}

}  // namespace

// One scan thread's share of the report: lines built here without a lock, handed to
// the report a batch at a time.
class ReportSink : public ResultSink {
 public:
  explicit ReportSink(Report& report) : report_(report) {
    if (report.options_.format != OutputFormat::text) lines_.reserve(kBatchBytes + 4096);
  }
  void add(const Result& r) override {
    if (report_.options_.quiet) return;
    if (report_.options_.format == OutputFormat::text) {
      if (report_.keeps(r)) kept_.push_back(r);
      return;
    }
    report_.lines_.append(lines_, r);
    if (lines_.size() >= kBatchBytes) flush();
  }
  void flush() override {
    if (!kept_.empty()) report_.keep(kept_);
    if (lines_.empty()) return;
    report_.write_lines(lines_);
    lines_.clear();
  }

 private:
  Report& report_;
  std::string lines_;
  std::vector<Result> kept_;
};

Report::Report(const ScanPlan& plan, ReportOptions options)
    : plan_(plan),
      options_(options),
      lines_(plan, options.format),
      show_all_(options.all || plan.probe_count() <= kShowEveryResultUpTo) {
  if (options_.format == OutputFormat::csv && !options_.quiet) emit(ResultLines::csv_header());
}

std::unique_ptr<ResultSink> Report::sink() {
  return std::make_unique<ReportSink>(*this);
}

bool Report::keeps(const Result& r) const {
  return show_all_ || r.state == State::open;
}

void Report::keep(std::vector<Result>& results) {
  std::lock_guard lock(output_mutex_);
  std::move(results.begin(), results.end(), std::back_inserter(kept_));
  results.clear();
}

void Report::write_lines(std::string_view lines) {
  std::lock_guard lock(output_mutex_);
  sockkit::cli::write_out_now(lines);
}

void Report::emit(const std::string& text) const {
  if (options_.quiet) return;
  sockkit::cli::write_out(text);
  sockkit::cli::flush_out();
}

void Report::unresolved(const sockkit::ProbeHost& host) {
  ++unresolved_;
  if (options_.format == OutputFormat::json) {
    sockkit::Json j = {{"type", "error"}, {"host", host.name}, {"message", host.error}};
    emit(sockkit::to_json_text(j, sockkit::JsonLayout::line));
    return;
  }
  std::fprintf(stderr, "sk-probe: warning: %s\n", host.error.c_str());
}

// Addresses, not targets: db:5432 and db:6379 are one host.
std::size_t Report::host_count() const {
  std::vector<sockkit::IpAddress> addresses;
  addresses.reserve(plan_.hosts.size());
  for (const auto& host : plan_.hosts) addresses.push_back(host.address.ip());
  auto less = [](const sockkit::IpAddress& a, const sockkit::IpAddress& b) {
    auto x = a.bytes(), y = b.bytes();
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  };
  std::sort(addresses.begin(), addresses.end(), less);
  return static_cast<std::size_t>(std::unique(addresses.begin(), addresses.end()) -
                                  addresses.begin());
}

std::string Report::host_label(const Result& r) const {
  const auto& host = plan_.hosts[r.host];
  auto addr = host.address.ip().to_string();
  return host.name == addr ? addr : fmt::format("{} ({})", host.name, addr);
}

std::string Report::text_table() const {
  std::vector<sockkit::Column> columns = {
      {"HOST"},    {"PORT", sockkit::Align::right}, {"PROTO"}, {"STATE"},
      {"SERVICE"}, {"RTT", sockkit::Align::right},  {"REASON"}};
  bool replies = plan_.banner || std::any_of(kept_.begin(), kept_.end(), [](const Result& r) {
                   return r.udp && r.state == State::open && !r.banner.empty();
                 });
  if (replies) columns.push_back({plan_.udp ? "REPLY" : "BANNER"});
  sockkit::TextTable table(std::move(columns));
  for (const auto& r : kept_) {
    std::vector<sockkit::Cell> row = {host_label(r),
                                      std::to_string(r.port),
                                      plan_.udp ? "udp" : "tcp",
                                      {std::string(state_name(r.state)), style_of(r.state)},
                                      std::string(sockkit::service_name(r.port, plan_.udp)),
                                      rtt_text(r.rtt_ms),
                                      reason_of(r)};
    if (replies) row.emplace_back(shorten(sockkit::escape_bytes(r.banner)));
    table.add_row(std::move(row));
  }
  return table.render(options_.paint);
}

std::string Report::summary_line(const ScanTotals& t) const {
  std::string counts;
  for (std::size_t s = 0; s < kStateCount; ++s) {
    if (t.states[s] == 0) continue;
    if (!counts.empty()) counts += ", ";
    counts += fmt::format("{} {}", sockkit::group_thousands(t.states[s]),
                          state_name(static_cast<State>(s)));
  }
  if (unresolved_ > 0) {
    counts += fmt::format("{}{} unresolved", counts.empty() ? "" : ", ", unresolved_);
  }
  auto hosts = host_count();
  auto elapsed = t.elapsed_s >= 1 ? fmt::format("{:.3f} s", t.elapsed_s)
                                  : sockkit::format_ms(t.elapsed_s * 1000) + " ms";
  auto list = options_.top_ports == 0
                  ? std::string()
                  : fmt::format(" (the built-in top {} ports)", options_.top_ports);
  return fmt::format("{} host{}, {} {} probe{}{} in {}: {}{}\n", hosts, hosts == 1 ? "" : "s",
                     sockkit::group_thousands(t.probes), plan_.udp ? "udp" : "tcp",
                     t.probes == 1 ? "" : "s", list, elapsed, counts.empty() ? "nothing" : counts,
                     t.interrupted ? " (interrupted)" : "");
}

void Report::finish(const ScanTotals& totals) {
  if (options_.quiet) return;
  if (options_.format == OutputFormat::json) {
    sockkit::Json states = sockkit::Json::object();
    for (std::size_t s = 0; s < kStateCount; ++s) {
      states[std::string(state_name(static_cast<State>(s)))] = totals.states[s];
    }
    sockkit::Json j = {{"type", "summary"},
                       {"hosts", host_count()},
                       {"unresolved", unresolved_},
                       {"probes", totals.probes},
                       {"protocol", plan_.udp ? "udp" : "tcp"},
                       {"states", states},
                       {"top_ports", options_.top_ports == 0 ? sockkit::Json(nullptr)
                                                             : sockkit::Json(options_.top_ports)},
                       {"duration_s", totals.elapsed_s},
                       {"interrupted", totals.interrupted}};
    emit(sockkit::to_json_text(j, sockkit::JsonLayout::line));
    return;
  }
  if (options_.format != OutputFormat::text) return;
  // A target given with its own port and a port list is two hosts of the plan with
  // one name and address: their rows are sorted together.
  std::unordered_map<std::string, std::uint32_t> first;
  std::vector<std::uint32_t> group(plan_.hosts.size());
  for (std::uint32_t i = 0; i < plan_.hosts.size(); ++i) {
    const auto& host = plan_.hosts[i];
    group[i] = first.try_emplace(host.name + ' ' + host.address.ip().to_string(), i).first->second;
  }
  std::sort(kept_.begin(), kept_.end(), [&](const Result& a, const Result& b) {
    return group[a.host] != group[b.host] ? group[a.host] < group[b.host] : a.port < b.port;
  });
  std::string out;
  if (!kept_.empty()) out += text_table();
  out += summary_line(totals);
  emit(out);
}

}  // namespace sk_probe
