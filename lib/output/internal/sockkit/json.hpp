// JSON through nlohmann-json, with the two layouts the commands use: one indented
// document, or one compact object per line for streaming modes.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sockkit {

using Json = nlohmann::ordered_json;  // keys stay in the order the schema documents

enum class JsonLayout { document, line };

// Never throws on invalid UTF-8 (a banner read from the network may hold any bytes):
// bad sequences become U+FFFD. Ends with '\n'.
[[nodiscard]] std::string to_json_text(const Json& value, JsonLayout layout = JsonLayout::document);

// Appends `text` as a JSON string, quotes included, escaped as to_json_text escapes
// it (\" \\ \b \f \n \r \t, \u00XX for other control bytes, UTF-8 as it is, U+FFFD
// for each byte that is not part of well-formed UTF-8), without building a Json value:
// for streaming output that writes thousands of lines.
void append_json_string(std::string& out, std::string_view text);

}  // namespace sockkit
