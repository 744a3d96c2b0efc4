// JSON through nlohmann-json, with the two layouts the commands use: one indented
// document, or one compact object per line for streaming modes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sockkit {

using Json = nlohmann::ordered_json;  // keys stay in the order the schema documents

enum class JsonLayout { document, line };

// Never throws on invalid UTF-8 (a banner read from the network may hold any bytes):
// bad sequences become U+FFFD. Ends with '\n'.
[[nodiscard]] std::string to_json_text(const Json& value, JsonLayout layout = JsonLayout::document);

}  // namespace sockkit
