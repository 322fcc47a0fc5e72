#include "teach/text_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace minicnn {
namespace {

std::string pad(const std::string& text, size_t width, bool right) {
  const std::string fill(width > text.size() ? width - text.size() : 0, ' ');
  return right ? fill + text : text + fill;
}

std::string trim_right(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::string format_table(const std::vector<std::vector<std::string>>& rows, const std::string& align, int indent) {
  std::vector<size_t> widths(align.size(), 0);
  for (const auto& row : rows)
    for (size_t k = 0; k < row.size() && k < widths.size(); ++k) widths[k] = std::max(widths[k], row[k].size());
  std::string text;
  for (const auto& row : rows) {
    std::string line(indent, ' ');
    for (size_t k = 0; k < row.size() && k < widths.size(); ++k)
      line += (k > 0 ? "  " : "") + pad(row[k], widths[k], align[k] == 'r');
    text += trim_right(line) + "\n";
  }
  return text;
}

std::string format_matrix(const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                          const std::vector<std::string>& cells, int indent, int width) {
  const size_t rows = row_labels.size(), cols = col_labels.size();
  size_t label_width = 0, cell_width = 0;
  for (const std::string& label : row_labels) label_width = std::max(label_width, label.size());
  for (const std::string& label : col_labels) cell_width = std::max(cell_width, label.size());
  for (const std::string& cell : cells) cell_width = std::max(cell_width, cell.size());
  // indent + label + per column (1 space + cell) must fit in width.
  const int room = width - indent - static_cast<int>(label_width);
  const size_t per_block = std::max<size_t>(1, room / static_cast<int>(cell_width + 1));
  std::string text;
  for (size_t first = 0; first < cols; first += per_block) {
    const size_t last = std::min(cols, first + per_block);
    if (per_block < cols)
      text += std::string(indent, ' ') + "columns " + std::to_string(first) + "-" + std::to_string(last - 1) +
              " of " + std::to_string(cols) + ":\n";
    std::string header = std::string(indent, ' ') + std::string(label_width, ' ');
    for (size_t c = first; c < last; ++c) {
      header += ' ';
      header += pad(col_labels[c], cell_width, true);
    }
    text += trim_right(header) + "\n";
    for (size_t r = 0; r < rows; ++r) {
      std::string line = std::string(indent, ' ') + pad(row_labels[r], label_width, false);
      for (size_t c = first; c < last; ++c) {
        line += ' ';
        line += pad(cells[r * cols + c], cell_width, true);
      }
      text += trim_right(line) + "\n";
    }
  }
  return text;
}

std::string number_text(double value, int decimals) {
  if (value == std::round(value) && std::abs(value) < 1e15) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value == 0 ? 0.0 : value);
    return text;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();  // 0.2500 -> 0.25: the digits that carry information
  if (text.back() == '.') text.pop_back();     // 2.99999 -> 3
  return text == "-0" ? "0" : text;
}

std::string difference_text(double difference) {
  if (difference == 0) return "0";
  char text[32];
  std::snprintf(text, sizeof text, "%.1e", difference);
  return text;
}

}  // namespace minicnn
