#pragma once
// Line charts as inline SVG text, for the training report: one or more series of (x, y) points over shared
// axes with "nice" ticks (1, 2 or 5 times a power of ten; whole numbers on the x axis, which counts epochs),
// a legend, and each point's value as a tooltip.
#include <string>
#include <utility>
#include <vector>

namespace minicnn {

struct ChartSeries {
  std::string name, colour;                    // colour: any CSS colour ("#1f77b4")
  std::vector<std::pair<double, double>> points;  // (x, y), in x order; non-finite y values are left out
  bool dashed = false;
};

struct ChartOptions {
  std::string title, x_label, y_label;
  int width = 440, height = 260;
  bool y_from_zero = false;  // start the y axis at 0 (accuracy, learning rate) instead of the lowest value
  bool percent = false;      // y values are fractions, labelled as percentages
};

// An <svg> element. With no points at all it still draws the frame and says "no data yet".
std::string line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& options);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& text);

}  // namespace minicnn
