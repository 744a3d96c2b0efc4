// Everything sk-ping prints: a line (or JSON object) per attempt as it ends, then the
// summary, the notes on what the numbers point at, and the exit status; or one
// Prometheus exposition, or one Nagios status line.
#pragma once

#include <string>
#include <vector>

#include "attempt.hpp"
#include "options.hpp"
#include "sockkit/ping_hints.hpp"
#include "tally.hpp"

namespace sk_ping {

class Report {
 public:
  explicit Report(const Settings& settings) : settings_(settings) {}

  void started(const sockkit::SockAddress& peer, double dns_ms);
  void attempt(const AttemptResult& result);
  // Prints the summary and returns the exit status.
  [[nodiscard]] int finish(const Tally& tally);

 private:
  void emit(std::string_view line);

  const Settings& settings_;
  sockkit::SockAddress peer_;
  std::string line_;  // reused for every attempt's line
};

// One attempt as a text line (without the newline) or a JSON object.
void format_text_line(const Plan& plan, const AttemptResult& r, std::string& out);
void format_json_line(const Plan& plan, const AttemptResult& r, std::string& out);

[[nodiscard]] std::string text_summary(const Plan& plan, const Tally& tally);
[[nodiscard]] std::string json_summary(const Plan& plan, const sockkit::SockAddress& peer,
                                       const Tally& tally);
[[nodiscard]] std::string prom_summary(const Plan& plan, const sockkit::SockAddress& peer,
                                       const Tally& tally);
[[nodiscard]] std::string text_histogram(const sockkit::Summary& times);
// The Nagios line and its code (0 OK, 1 WARNING, 2 CRITICAL).
[[nodiscard]] std::pair<std::string, int> check_line(const Settings& settings, const Tally& tally);

// A failure's reason in a few words ("EADDRNOTAVAIL: no local address"), "" when
// none is known; ", and others" when not every attempt failed for it.
[[nodiscard]] std::string cause_text(const FailureCause& cause);

// The counts the knowledge base chooses its notes by (sockkit/ping_hints.hpp).
[[nodiscard]] sockkit::PingCounts ping_counts(const Plan& plan, const Tally& tally);
// What the numbers point at, a sentence each, with where to look next.
[[nodiscard]] std::vector<std::string> hints(const Plan& plan, const Tally& tally);

}  // namespace sk_ping
