// Prometheus text exposition format 0.0.4, as node_exporter's textfile collector
// reads it: HELP and TYPE once per family, then its samples, base units, escaped
// label values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class MetricType { counter, gauge, summary, untyped };

struct Label {
  std::string_view name;
  std::string_view value;
};

class PromWriter {
 public:
  PromWriter() = default;
  // Labels put first on every sample: the same families written once per network
  // namespace, each with its netns="INODE", then merged by PromFamilyMerger.
  explicit PromWriter(std::vector<std::pair<std::string, std::string>> common_labels);

  // Starts a family; names are checked ([a-zA-Z_:][a-zA-Z0-9_:]*) and a bad one is a
  // programming error (std::invalid_argument).
  void family(std::string_view name, MetricType type, std::string_view help);
  // A sample of the current family; `suffix` is for _total, _bucket and friends.
  void sample(std::initializer_list<Label> labels, double value, std::string_view suffix = "");
  void sample(const std::vector<Label>& labels, double value, std::string_view suffix = "");

  [[nodiscard]] const std::string& text() const noexcept { return out_; }

 private:
  std::string out_;
  std::string family_;
  std::string common_;  // rendered `name="value",...` of the common labels
};

// Several expositions of the same families (each as PromWriter wrote it) as one: each
// family's HELP and TYPE once, then its samples from every text in order, because the
// format wants a family's samples together. Texts are taken one at a time, so that a
// caller with a thousand of them never holds more than one besides the result.
class PromFamilyMerger {
 public:
  void add(std::string_view exposition);
  [[nodiscard]] std::string take();

 private:
  struct Family {
    std::string name;
    std::string header;  // its HELP and TYPE lines
    std::string samples;
  };
  std::vector<Family> families_;
};

// Label values: backslash, double quote and newline escaped.
[[nodiscard]] std::string prom_escape_label(std::string_view value);
// HELP text: backslash and newline escaped.
[[nodiscard]] std::string prom_escape_help(std::string_view text);
// Integers without a decimal point, +Inf/-Inf/NaN spelled as Prometheus wants.
[[nodiscard]] std::string prom_value(double value);
[[nodiscard]] bool is_valid_metric_name(std::string_view name);
[[nodiscard]] bool is_valid_label_name(std::string_view name);

}  // namespace sockkit

SOCKKIT_API_END
