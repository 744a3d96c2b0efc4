// The streaming formats (JSON lines, CSV, grep): one result as one line, appended to a
// buffer the caller reuses. What is the same for every result of a host (its name and
// address, escaped) is prepared once, so a line costs only its own formatting and can
// be built on any scan thread.
#pragma once

#include <string>
#include <vector>

#include "probe.hpp"
#include "sockkit/console.hpp"

namespace sk_probe {

// The library's format choice; sk-probe offers text, json, csv and grep.
using OutputFormat = sockkit::cli::Format;

class ResultLines {
 public:
  ResultLines(const ScanPlan& plan, OutputFormat format);

  // Appends the line for `result`, '\n' included; nothing for text. Thread-safe.
  void append(std::string& out, const Result& result) const;

  // The CSV header line.
  [[nodiscard]] static std::string csv_header();

 private:
  void append_json(std::string& out, const Result& r) const;
  void append_csv(std::string& out, const Result& r) const;
  void append_grep(std::string& out, const Result& r) const;

  const ScanPlan& plan_;
  OutputFormat format_;
  std::vector<std::string> host_;  // per host, escaped for the format
  std::vector<std::string> addr_;
};

// --banner, or a UDP reply: whether a result carries the bytes it read.
[[nodiscard]] bool shows_banner(const ScanPlan& plan, const Result& r);

}  // namespace sk_probe
