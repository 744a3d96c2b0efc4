#include "sockkit/json.hpp"

#include <array>
#include <cstdint>

namespace sockkit {

std::string to_json_text(const Json& value, JsonLayout layout) {
  int indent = layout == JsonLayout::document ? 2 : -1;
  auto text = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return text;
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 when it
// is not one (a stray continuation byte, an overlong form, a surrogate, beyond
// U+10FFFF, or cut short): the ranges of Unicode's table 3-7.
std::size_t utf8_sequence(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    std::size_t taken = 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (auto length = utf8_sequence(text); length > 0) {
          out.append(text.substr(0, length));
          taken = length;
        } else {
          out += "\xef\xbf\xbd";  // U+FFFD for each byte that is not UTF-8
        }
    }
    text.remove_prefix(taken);
  }
  out += '"';
}

}  // namespace sockkit
