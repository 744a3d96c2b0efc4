#include "sockkit/table.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace sockkit {

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
      // Skip a CSI sequence up to its final byte.
      i += 2;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) < 0x40 ||
                                 static_cast<unsigned char>(text[i]) > 0x7e)) {
        ++i;
      }
      continue;
    }
    if ((c & 0xc0U) != 0x80U) ++width;  // continuation bytes add nothing
  }
  return width;
}

void TextTable::add_row(std::vector<Cell> cells) {
  if (cells.size() > columns_.size()) throw std::invalid_argument("table row has too many cells");
  while (cells.size() < columns_.size()) cells.emplace_back(std::string());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(const Painter& paint, bool show_header) const {
  std::vector<std::size_t> widths(columns_.size(), 0);
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (show_header) widths[c] = display_width(columns_[c].header);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c].text));
  }
  std::string out;
  auto emit_line = [&](auto cell_text, auto cell_style) {
    std::string line;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      std::string_view text = cell_text(c);
      std::size_t pad = widths[c] - display_width(text);
      if (c > 0) line += "  ";
      if (columns_[c].align == Align::right) line.append(pad, ' ');
      line += paint(cell_style(c), text);
      if (columns_[c].align == Align::left) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  if (show_header) {
    emit_line([&](std::size_t c) -> std::string_view { return columns_[c].header; },
              [](std::size_t) { return Style::bold; });
  }
  for (const auto& row : rows_) {
    emit_line([&](std::size_t c) -> std::string_view { return row[c].text; },
              [&](std::size_t c) { return row[c].style; });
  }
  return out;
}

std::string group_thousands(std::uint64_t value) {
  auto digits = fmt::format("{}", value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string wrap_text(std::string_view text, std::size_t width, std::size_t indent) {
  std::string out;
  std::string line;
  std::size_t line_width = 0;
  auto flush = [&] {
    out.append(indent, ' ');
    out += line;
    out += '\n';
    line.clear();
    line_width = 0;
  };
  std::size_t limit = width > indent ? width - indent : 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ' || text[pos] == '\n') {
      ++pos;
      continue;
    }
    auto end = text.find_first_of(" \n", pos);
    auto word = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    auto word_width = display_width(word);
    if (line_width > 0 && line_width + 1 + word_width > limit) flush();
    if (line_width > 0) {
      line += ' ';
      ++line_width;
    }
    line += word;
    line_width += word_width;
    pos += word.size();
  }
  if (line_width > 0) flush();
  return out;
}

std::string format_ms(double milliseconds) {
  return fmt::format("{:.3f}", milliseconds);
}

}  // namespace sockkit
