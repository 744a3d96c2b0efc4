// /proc/net/netstat and /proc/net/snmp: parse_counter_file.
//   Errors are std::runtime_error naming a line. Every counter has a section and a
//   name without blanks, colons in the section or line breaks, get() finds a value for
//   it, and the set written back one header and value line per counter parses to the
//   same counters in the same order.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "fuzz.hpp"
#include "sockkit/kernel_counters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  sockkit::CounterSet set;
  try {
    set = sockkit::parse_counter_file(text);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("line "));
    return 0;
  }
  std::string written;
  for (const auto& counter : set) {
    FUZZ_CHECK(!counter.section.empty() && !counter.name.empty());
    FUZZ_CHECK(counter.section.find_first_of(":\n") == std::string::npos);
    FUZZ_CHECK(counter.name.find_first_of(" \t\n") == std::string::npos);
    FUZZ_CHECK(set.get(counter.section, counter.name).has_value());
    written += fmt::format("{}: {}\n{}: {}\n", counter.section, counter.name, counter.section,
                           counter.value);
  }
  sockkit::CounterSet again;
  try {
    again = sockkit::parse_counter_file(written);
  } catch (const std::runtime_error&) {
    fuzz::fail("counters written back do not parse", __FILE__, __LINE__);
  }
  FUZZ_CHECK(again.size() == set.size());
  auto it = again.begin();
  for (const auto& counter : set) {
    FUZZ_CHECK(it->section == counter.section && it->name == counter.name &&
               it->value == counter.value);
    ++it;
  }
  return 0;
}
