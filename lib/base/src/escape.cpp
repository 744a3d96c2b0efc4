#include "sockkit/escape.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

std::string escape_bytes(std::string_view bytes) {
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (u < 0x20 || u >= 0x7f) {
          out += fmt::format("\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t left = bytes.size() - i;
    auto at = [&](std::size_t k) {
      return k < left ? static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + k])) : 0U;
    };
    std::uint32_t group = at(0) << 16 | at(1) << 8 | at(2);
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += left > 1 ? kAlphabet[group >> 6 & 63] : '=';
    out += left > 2 ? kAlphabet[group & 63] : '=';
  }
  return out;
}

std::string unescape(std::string_view text, std::string_view option) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) {
      throw InputError(fmt::format("invalid {} \"{}\": it ends with a lone backslash (write \\\\)",
                                   option, escape_bytes(text)));
    }
    switch (text[i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': {
        int hi = i + 1 < text.size() ? detail::hex_digit(text[i + 1]) : -1;
        int lo = i + 2 < text.size() ? detail::hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          throw InputError(fmt::format("invalid {} \"{}\": \\x needs two hex digits", option,
                                       escape_bytes(text)));
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        throw InputError(fmt::format(
            "invalid {} \"{}\": unknown escape \\{} (use \\r \\n \\t \\0 \\\\ \\\" or \\xHH)",
            option, escape_bytes(text), text[i]));
    }
  }
  return out;
}

}  // namespace sockkit
