// Aligned text tables for people: left-aligned words, right-aligned numbers, widths
// measured in characters (not bytes) so colour and UTF-8 do not break alignment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/color.hpp"
#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class Align { left, right };

struct Column {
  std::string header;
  Align align = Align::left;
};

struct Cell {
  Cell(std::string text_in, Style style_in = Style::plain)  // NOLINT: implicit on purpose
      : text(std::move(text_in)), style(style_in) {}
  Cell(const char* text_in) : text(text_in) {}  // NOLINT
  std::string text;
  Style style = Style::plain;
};

class TextTable {
 public:
  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // A row with fewer cells than columns is padded with empty cells; more is an error.
  void add_row(std::vector<Cell> cells);
  [[nodiscard]] std::size_t rows() const noexcept { return rows_.size(); }
  // Header line (unless `show_header` is false) and rows, columns separated by two
  // spaces, no trailing spaces, each line ending in '\n'.
  [[nodiscard]] std::string render(const Painter& paint = Painter(), bool show_header = true) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Display width: UTF-8 code points, escape sequences excluded.
[[nodiscard]] std::size_t display_width(std::string_view text);

// 27900 -> "27,900": counts people read at a glance.
[[nodiscard]] std::string group_thousands(std::uint64_t value);

// Greedy word wrap to `width` columns, each line prefixed by `indent` spaces and
// ending in '\n'. Words longer than the width stay whole on a line of their own.
[[nodiscard]] std::string wrap_text(std::string_view text, std::size_t width,
                                    std::size_t indent = 0);

// Milliseconds with three decimals, the one duration format of text output.
[[nodiscard]] std::string format_ms(double milliseconds);

}  // namespace sockkit

SOCKKIT_API_END
