// Output of a scan. Machine formats (JSON lines, CSV, grep) stream each result as it
// is known; text keeps the results and prints one sorted table and a summary at the end.
#pragma once

#include <string>
#include <vector>

#include "probe.hpp"
#include "sockkit/color.hpp"
#include "sockkit/console.hpp"

namespace sk_probe {

enum class OutputFormat { text, json, csv, grep };

struct ReportOptions {
  OutputFormat format = OutputFormat::text;
  bool all = false;    // text: every result, not only the open ones
  bool quiet = false;  // nothing on stdout
  sockkit::Painter paint;
};

class Report {
 public:
  Report(const ScanPlan& plan, ReportOptions options);

  // A name that did not resolve: a warning on stderr (JSON: an "error" object).
  void unresolved(const sockkit::ProbeHost& host);
  void add(const Result& result);
  void finish(const ScanTotals& totals);

  [[nodiscard]] std::size_t unresolved_count() const noexcept { return unresolved_; }

 private:
  [[nodiscard]] std::string host_label(const Result& r) const;
  [[nodiscard]] bool shows_banner(const Result& r) const;
  [[nodiscard]] std::size_t host_count() const;
  [[nodiscard]] std::string text_table() const;
  [[nodiscard]] std::string summary_line(const ScanTotals& totals) const;
  void emit(const std::string& text) const;

  const ScanPlan& plan_;
  ReportOptions options_;
  std::vector<Result> kept_;
  std::size_t unresolved_ = 0;
  bool show_all_;
};

}  // namespace sk_probe
