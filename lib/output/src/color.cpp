#include "sockkit/color.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sockkit {

ColorMode parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  throw InputError(fmt::format("invalid color mode \"{}\": expected auto, always or never", text));
}

bool color_enabled(ColorMode mode, int fd) {
  if (mode == ColorMode::always) return true;
  if (mode == ColorMode::never) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

namespace {

std::string_view sgr_code(Style style) {
  switch (style) {
    case Style::bold: return "1";
    case Style::dim: return "2";
    case Style::red: return "31";
    case Style::yellow: return "33";
    case Style::green: return "32";
    case Style::cyan: return "36";
    case Style::plain: break;
  }
  return "";
}

}  // namespace

std::string Painter::operator()(Style style, std::string_view text) const {
  if (!enabled_ || style == Style::plain || text.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr_code(style), text);
}

}  // namespace sockkit
