#include "sockkit/csv.hpp"

namespace sockkit {

std::string csv_field(std::string_view text) {
  bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

template <typename Range>
std::string join_row(const Range& fields) {
  std::string out;
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out += ',';
    first = false;
    out += csv_field(field);
  }
  out += '\n';
  return out;
}

}  // namespace

std::string csv_row(std::span<const std::string> fields) {
  return join_row(fields);
}
std::string csv_row(std::initializer_list<std::string_view> fields) {
  return join_row(fields);
}

}  // namespace sockkit
