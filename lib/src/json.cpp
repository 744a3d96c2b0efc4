#include "sockkit/json.hpp"

namespace sockkit {

std::string to_json_text(const Json& value, JsonLayout layout) {
  int indent = layout == JsonLayout::document ? 2 : -1;
  auto text = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace sockkit
