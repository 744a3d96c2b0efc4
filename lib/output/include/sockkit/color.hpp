// The colour policy every command follows: colour only on a terminal, never when
// NO_COLOR is set (https://no-color.org), and --color=always|never overrides both.
#pragma once

#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class ColorMode { automatic, always, never };

// "auto", "always", "never"; throws InputError naming the allowed values.
[[nodiscard]] ColorMode parse_color_mode(std::string_view text);

// Whether output written to `fd` should carry ANSI colour under `mode`, looking at
// isatty(fd), NO_COLOR and TERM=dumb.
[[nodiscard]] bool color_enabled(ColorMode mode, int fd);

enum class Style { plain, bold, dim, red, yellow, green, cyan };

// Wraps text in ANSI escapes when enabled; a no-op otherwise, so renderers call it
// unconditionally.
class Painter {
 public:
  explicit Painter(bool enabled = false) : enabled_(enabled) {}
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  [[nodiscard]] std::string operator()(Style style, std::string_view text) const;

 private:
  bool enabled_;
};

}  // namespace sockkit

SOCKKIT_API_END
