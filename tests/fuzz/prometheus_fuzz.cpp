// Prometheus text exposition: prom_escape_label, prom_escape_help, prom_value and a
// PromWriter sample carrying the input as a label value and as HELP text. The input's
// first 8 bytes are the sample's value (a double), the rest its text.
//   An escaped label value has no raw line break and no unescaped double quote, and
//   reading its escapes back gives the text; the same for HELP text (which escapes only
//   backslash and line break). A value is NaN, +Inf, -Inf or a number that reads back
//   exactly. The writer's output is exactly three lines: HELP, TYPE, the sample.
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz.hpp"
#include "sockkit/prometheus.hpp"

namespace {

// The exposition format's reading of an escaped value; nullopt for a raw line break, a
// raw double quote (in a label value) or an escape it does not know.
std::optional<std::string> unescape(std::string_view text, bool label) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || (label && c == '"')) return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case '"':
        if (!label) return std::nullopt;
        out += '"';
        break;
      default: return std::nullopt;
    }
  }
  return out;
}

void check_value(double value) {
  auto text = sockkit::prom_value(value);
  if (std::isnan(value)) {
    FUZZ_CHECK(text == "NaN");
    return;
  }
  if (std::isinf(value)) {
    FUZZ_CHECK(text == (value > 0 ? "+Inf" : "-Inf"));
    return;
  }
  FUZZ_CHECK(!text.empty() && text.find_first_not_of("0123456789+-.e") == std::string::npos);
  char* end = nullptr;
  double back = std::strtod(text.c_str(), &end);
  FUZZ_CHECK(end == text.c_str() + text.size() && back == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader input(data, size);
  auto value = input.take<double>();
  auto text = input.rest();
  check_value(value);

  auto label = sockkit::prom_escape_label(text);
  FUZZ_CHECK(label.find('\n') == std::string::npos);
  FUZZ_CHECK(unescape(label, true) == std::string(text));
  auto help = sockkit::prom_escape_help(text);
  FUZZ_CHECK(help.find('\n') == std::string::npos);
  FUZZ_CHECK(unescape(help, false) == std::string(text));

  sockkit::PromWriter writer;
  writer.family("sockkit_fuzz", sockkit::MetricType::gauge, text);
  writer.sample({{"target", text}}, value, "_seconds");
  const auto& out = writer.text();
  std::string expected = "# HELP sockkit_fuzz " + help + "\n# TYPE sockkit_fuzz gauge\n" +
                         "sockkit_fuzz_seconds{target=\"" + label + "\"} " +
                         sockkit::prom_value(value) + "\n";
  FUZZ_CHECK(out == expected);
  return 0;
}
