#include "sockkit/nagios.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace sockkit::nagios {

namespace {

int decimals(Unit unit) {
  switch (unit) {
    case Unit::none: return 6;
    case Unit::seconds: return 9;
    case Unit::milliseconds: return 6;
    case Unit::percent: return 1;
    case Unit::bytes: return 0;
    case Unit::counter: return 0;
  }
  return 6;
}

void append_field(std::string& out, const std::optional<double>& value, Unit unit) {
  out += ';';
  if (value) out += perf_number(*value, unit);
}

}  // namespace

std::string_view unit_suffix(Unit unit) {
  switch (unit) {
    case Unit::none: return "";
    case Unit::seconds: return "s";
    case Unit::milliseconds: return "ms";
    case Unit::percent: return "%";
    case Unit::bytes: return "B";
    case Unit::counter: return "c";
  }
  return "";
}

std::string_view status_name(NagiosCode code) {
  switch (code) {
    case cli::nagios_ok: return "OK";
    case cli::nagios_warning: return "WARNING";
    case cli::nagios_critical: return "CRITICAL";
    case cli::nagios_unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string perf_number(double value, Unit unit) {
  int places = decimals(unit);
  // Rounding half away from zero before printing, so 6.25% is 6.3% as a person rounds it
  // (fmt alone would print the nearest binary value's digits).
  double scale = std::pow(10.0, places);
  double rounded = std::round(value * scale) / scale;
  if (rounded == 0) rounded = 0;  // no "-0"
  auto text = fmt::format("{:.{}f}", rounded, places);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string perf_label(std::string_view label) {
  if (label.find_first_of(" ='") == std::string_view::npos) return std::string(label);
  std::string out = "'";
  for (char c : label) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string perf_item(const PerfItem& item) {
  std::string out = perf_label(item.label);
  out += '=';
  if (item.value) {
    out += perf_number(*item.value, item.unit);
    out += unit_suffix(item.unit);
  } else {
    out += 'U';
  }
  const std::optional<double>* fields[] = {&item.warn, &item.crit, &item.min, &item.max};
  auto last = std::find_if(std::rbegin(fields), std::rend(fields),
                           [](const auto* field) { return field->has_value(); });
  auto used = static_cast<std::size_t>(std::rend(fields) - last);
  for (std::size_t i = 0; i < used; ++i) append_field(out, *fields[i], item.unit);
  return out;
}

std::string status_line(std::string_view label, NagiosCode code, std::string_view text,
                        const std::vector<PerfItem>& perf) {
  std::string line = fmt::format("{} {} - ", label, status_name(code));
  for (char c : text) line += c == '|' ? '/' : (c == '\n' || c == '\r') ? ' ' : c;
  if (!perf.empty()) {
    line += " |";
    for (const auto& item : perf) {
      line += ' ';
      line += perf_item(item);
    }
  }
  line += '\n';
  return line;
}

NagiosCode grade(std::optional<double> measure, std::optional<double> warn,
                 std::optional<double> crit) {
  if (!measure) return cli::nagios_ok;
  if (crit && *measure >= *crit) return cli::nagios_critical;
  if (warn && *measure >= *warn) return cli::nagios_warning;
  return cli::nagios_ok;
}

}  // namespace sockkit::nagios
