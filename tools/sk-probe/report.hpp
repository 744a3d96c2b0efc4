// Output of a scan. Machine formats (JSON lines, CSV, grep) stream each result as it
// is known, in batches that end on a line; text keeps the results and prints one
// sorted table and a summary at the end.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "probe.hpp"
#include "result_lines.hpp"
#include "sockkit/color.hpp"
#include "sockkit/console.hpp"

namespace sk_probe {

struct ReportOptions {
  OutputFormat format = OutputFormat::text;
  bool all = false;    // text: every result, not only the open ones
  bool quiet = false;  // nothing on stdout
  sockkit::Painter paint;
  std::size_t top_ports = 0;  // the ports were the first N of the built-in list (0: not)
};

class Report {
 public:
  Report(const ScanPlan& plan, ReportOptions options);

  // A name that did not resolve: a warning on stderr (JSON: an "error" object).
  void unresolved(const sockkit::ProbeHost& host);
  // A sink for one thread: it builds its lines itself, and writes them in batches.
  [[nodiscard]] std::unique_ptr<ResultSink> sink();
  void finish(const ScanTotals& totals);

  [[nodiscard]] std::size_t unresolved_count() const noexcept { return unresolved_; }

 private:
  friend class ReportSink;

  [[nodiscard]] bool keeps(const Result& r) const;
  [[nodiscard]] std::string host_label(const Result& r) const;
  [[nodiscard]] std::size_t host_count() const;
  [[nodiscard]] std::string text_table() const;
  [[nodiscard]] std::string summary_line(const ScanTotals& totals) const;
  void emit(const std::string& text) const;
  // Whole lines straight to standard output, one write(2) where it fits; any thread.
  void write_lines(std::string_view lines);
  void keep(std::vector<Result>& results);

  const ScanPlan& plan_;
  ReportOptions options_;
  ResultLines lines_;
  std::mutex output_mutex_;  // write_lines and keep, from every scan thread
  std::vector<Result> kept_;
  std::size_t unresolved_ = 0;
  bool show_all_;
};

}  // namespace sk_probe
