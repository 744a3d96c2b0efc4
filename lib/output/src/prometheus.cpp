#include "sockkit/prometheus.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace sockkit {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::summary: return "summary";
    case MetricType::untyped: break;
  }
  return "untyped";
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(is_alpha(c) || is_digit(c) || c == ':')) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!(is_alpha(c) || is_digit(c))) return false;
  }
  return true;
}

std::string prom_escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string prom_escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string prom_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{}", value);
}

PromWriter::PromWriter(std::vector<std::pair<std::string, std::string>> common_labels) {
  for (const auto& [name, value] : common_labels) {
    if (!is_valid_label_name(name)) {
      throw std::invalid_argument(fmt::format("invalid label name \"{}\"", name));
    }
    if (!common_.empty()) common_ += ',';
    common_ += fmt::format("{}=\"{}\"", name, prom_escape_label(value));
  }
}

void PromWriter::family(std::string_view name, MetricType type, std::string_view help) {
  if (!is_valid_metric_name(name)) {
    throw std::invalid_argument(fmt::format("invalid metric name \"{}\"", name));
  }
  family_ = std::string(name);
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, prom_escape_help(help), name,
                      type_name(type));
}

void PromWriter::sample(std::initializer_list<Label> labels, double value,
                        std::string_view suffix) {
  sample(std::vector<Label>(labels), value, suffix);
}

void PromWriter::sample(const std::vector<Label>& labels, double value, std::string_view suffix) {
  if (family_.empty()) throw std::logic_error("PromWriter::sample before family");
  for (const auto& label : labels) {
    if (!is_valid_label_name(label.name)) {
      throw std::invalid_argument(fmt::format("invalid label name \"{}\"", label.name));
    }
  }
  out_ += family_;
  out_ += suffix;
  if (!labels.empty() || !common_.empty()) {
    out_ += '{';
    out_ += common_;
    bool first = common_.empty();
    for (const auto& label : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += fmt::format("{}=\"{}\"", label.name, prom_escape_label(label.value));
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += prom_value(value);
  out_ += '\n';
}

namespace {

// The family a "# HELP NAME ..." or "# TYPE NAME ..." line names.
std::string_view family_of(std::string_view line) {
  auto rest = line.substr(7);
  return rest.substr(0, rest.find(' '));
}

}  // namespace

void PromFamilyMerger::add(std::string_view exposition) {
  std::size_t current = families_.size();  // none yet in this text
  bool fresh = false;                      // the current family first appeared in this text
  std::string_view rest = exposition;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    auto line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
    rest.remove_prefix(line.size());
    if (!line.starts_with("# HELP ") && !line.starts_with("# TYPE ")) {
      if (current < families_.size()) families_[current].samples += line;
      continue;
    }
    auto name = family_of(line);
    if (current >= families_.size() || families_[current].name != name) {
      auto it = std::find_if(families_.begin(), families_.end(),
                             [&](const Family& f) { return f.name == name; });
      fresh = it == families_.end();
      if (fresh) families_.push_back({std::string(name), {}, {}});
      current = fresh ? families_.size() - 1 : static_cast<std::size_t>(it - families_.begin());
    }
    if (fresh) families_[current].header += line;
  }
}

std::string PromFamilyMerger::take() {
  std::size_t size = 0;
  for (const auto& family : families_) size += family.header.size() + family.samples.size();
  std::string out;
  out.reserve(size);
  for (auto& family : families_) {
    out += family.header;
    out += family.samples;
    family = {};  // each family's memory goes as soon as it is copied out
  }
  families_.clear();
  return out;
}

}  // namespace sockkit
