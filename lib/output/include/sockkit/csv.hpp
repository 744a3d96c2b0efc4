// CSV for spreadsheets: RFC 4180 quoting, one header row, lines ending in LF as
// Unix tools expect (RFC 4180 parsers accept it).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Quoted only when needed: a comma, a double quote, CR or LF, or leading/trailing
// space; inner quotes doubled.
[[nodiscard]] std::string csv_field(std::string_view text);

// Fields joined by commas, ending in '\n'.
[[nodiscard]] std::string csv_row(std::span<const std::string> fields);
[[nodiscard]] std::string csv_row(std::initializer_list<std::string_view> fields);

}  // namespace sockkit

SOCKKIT_API_END
