#include "sockkit/ports.hpp"

#include <algorithm>

#include "sockkit/error.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

namespace {

constexpr std::uint64_t kMaxPort = 65535;

// The reason a single port is bad, without the surrounding context; empty if good.
std::string port_problem(std::string_view text, bool allow_zero) {
  if (text.empty()) return "a port is missing";
  if (!detail::all_digits(text)) return fmt::format("\"{}\" is not a number 1-65535", text);
  auto value = detail::parse_decimal(text, UINT64_MAX);
  std::uint64_t low = allow_zero ? 0 : 1;
  if (!value || *value < low || *value > kMaxPort) {
    return fmt::format("port {} is out of range {}-65535", text, low);
  }
  return {};
}

std::uint16_t port_value(std::string_view text) {
  return static_cast<std::uint16_t>(*detail::parse_decimal(text, kMaxPort));
}

PortRange parse_range(std::string_view spec, std::string_view entry) {
  auto dash = entry.find('-');
  if (dash == std::string_view::npos) {
    if (auto problem = port_problem(entry, false); !problem.empty()) {
      throw InputError(fmt::format("invalid port list \"{}\": {}", spec, problem));
    }
    auto port = port_value(entry);
    return {port, port};
  }
  auto first_text = entry.substr(0, dash);
  auto last_text = entry.substr(dash + 1);
  // "-1024" and "1024-" are open-ended, as nmap reads them.
  if (first_text.empty()) first_text = "1";
  if (last_text.empty()) last_text = "65535";
  auto problem = port_problem(first_text, false);
  if (problem.empty()) problem = port_problem(last_text, false);
  if (!problem.empty()) {
    throw InputError(fmt::format("invalid port range \"{}\": ports are 1-65535", entry));
  }
  PortRange range{port_value(first_text), port_value(last_text)};
  if (range.first > range.last) {
    throw InputError(fmt::format("invalid port range \"{}\": {} is greater than {}", entry,
                                 range.first, range.last));
  }
  return range;
}

}  // namespace

std::uint16_t parse_port(std::string_view text, bool allow_zero) {
  if (auto problem = port_problem(text, allow_zero); !problem.empty()) {
    if (text.empty() || !detail::all_digits(text)) {
      throw InputError(
          fmt::format("invalid port \"{}\": expected a number {}-65535", text, allow_zero ? 0 : 1));
    }
    throw InputError(problem);
  }
  return port_value(text);
}

PortSet PortSet::all() {
  PortSet set;
  set.add({1, 65535});
  return set;
}

PortSet PortSet::parse(std::string_view spec) {
  if (spec.empty())
    throw InputError("invalid port list \"\": expected ports such as 22,80,8000-8100");
  if (spec == "-") return all();
  PortSet set;
  detail::for_each_item(spec, [&](std::string_view entry) {
    if (entry.empty()) {
      throw InputError(fmt::format("invalid port list \"{}\": an entry is empty", spec));
    }
    if (entry == "-") {
      throw InputError(
          fmt::format("invalid port list \"{}\": \"-\" means all ports and stands alone", spec));
    }
    set.add(parse_range(spec, entry));
  });
  return set;
}

void PortSet::add(PortRange range) {
  // Merge in place with the neighbours the new range touches, so building a set of
  // thousands of separate ports stays cheap (no rebuild per insertion).
  auto first = std::lower_bound(
      ranges_.begin(), ranges_.end(), range,
      [](const PortRange& a, const PortRange& b) { return std::size_t{a.last} + 1U < b.first; });
  auto last = first;
  while (last != ranges_.end() && last->first <= std::size_t{range.last} + 1U) {
    range.first = std::min(range.first, last->first);
    range.last = std::max(range.last, last->last);
    ++last;
  }
  auto at = ranges_.erase(first, last);
  ranges_.insert(at, range);
}

std::size_t PortSet::count() const noexcept {
  std::size_t total = 0;
  for (const auto& r : ranges_) total += r.count();
  return total;
}

bool PortSet::contains(std::uint16_t port) const noexcept {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), port,
                             [](std::uint16_t p, const PortRange& r) { return p < r.first; });
  return it != ranges_.begin() && port <= std::prev(it)->last;
}

std::string PortSet::to_string() const {
  std::string out;
  for (const auto& r : ranges_) {
    if (!out.empty()) out += ',';
    out += r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}-{}", r.first, r.last);
  }
  return out;
}

}  // namespace sockkit
