// The Nagios plugin output of every --check mode: one status line, "LABEL STATUS - text
// | perfdata", and the exit code that says the same (NagiosCode). Performance data follow
// the plugin guidelines, 'label'=value[UOM];[warn];[crit];[min];[max], with one rule for
// numbers in every command, so a graphing add-on reads sk-states and sk-ping alike.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/console.hpp"
#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit::nagios {

using cli::NagiosCode;

// The unit of measure and, with it, the resolution a number is rounded to: a count (no
// unit) to 1e-6, seconds to 1e-9, milliseconds to 1e-6, percent to 0.1, bytes to 1,
// a continuous counter ("c") to 1.
enum class Unit { none, seconds, milliseconds, percent, bytes, counter };

[[nodiscard]] std::string_view unit_suffix(Unit unit);

// One performance data item. An unset value is written "U", the guidelines' word for a
// value the plugin could not determine, without a unit; unset levels and bounds are left
// empty, and empty fields at the end are dropped ("established=13", "time=U;;;0").
// Every member has a default, so a designated initializer names only what it sets.
struct PerfItem {
  std::string label{};
  std::optional<double> value{};
  Unit unit = Unit::none;
  std::optional<double> warn{};
  std::optional<double> crit{};
  std::optional<double> min{};
  std::optional<double> max{};
};

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
[[nodiscard]] std::string_view status_name(NagiosCode code);

// A plain decimal rounded to the unit's resolution, without exponent or trailing zeros:
// 0.000191, 12.5, 100, never 1.91e-04 or 100.0.
[[nodiscard]] std::string perf_number(double value, Unit unit);

// A label as the guidelines quote it: in single quotes when it holds a space, '=' or a
// quote (doubled inside), as it is otherwise.
[[nodiscard]] std::string perf_label(std::string_view label);

// "label=value[UOM];warn;crit;min;max".
[[nodiscard]] std::string perf_item(const PerfItem& item);

// The status line with its newline: "SK-PING OK - text | a=1 b=2s\n", or without " |"
// when there are no items. A '|' in the text would start the performance data early, and
// a line break would end the status line, so they become '/' and ' '.
[[nodiscard]] std::string status_line(std::string_view label, NagiosCode code,
                                      std::string_view text,
                                      const std::vector<PerfItem>& perf = {});

// The status a measure gives against its levels: CRITICAL at or above `crit`, WARNING at
// or above `warn`, OK otherwise (and OK for an unknown measure).
[[nodiscard]] NagiosCode grade(std::optional<double> measure, std::optional<double> warn,
                               std::optional<double> crit);

}  // namespace sockkit::nagios

SOCKKIT_API_END
