#include "inspect/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace minicnn {
namespace {

// Tick positions covering [low, high]: about `count` steps of 1, 2 or 5 times a power of ten, at least
// min_step apart.
std::vector<double> nice_ticks(double low, double high, int count, double min_step = 0.0) {
  const double raw = std::max((high - low) / count, min_step);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string number(double v, bool percent) {
  char text[32];
  if (percent) std::snprintf(text, sizeof text, "%g%%", std::round(v * 1000) / 10);
  else std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low, y_low = x_low, y_high = -x_low;
  for (const ChartSeries& s : series)
    for (const auto& [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y))
        x_low = std::min(x_low, x), x_high = std::max(x_high, x), y_low = std::min(y_low, y), y_high = std::max(y_high, y);
  const bool empty = !std::isfinite(x_low);
  if (empty) x_low = 0, x_high = 1, y_low = 0, y_high = 1;
  if (options.y_from_zero) y_low = std::min(0.0, y_low);
  if (options.percent) y_high = std::max(y_high, std::min(1.0, y_high + 0.01));
  if (x_high - x_low < 1) x_high = x_low + 1;  // epochs: at least one unit wide
  if (y_high - y_low <= std::fabs(y_high) * 1e-9 + 1e-12) y_high = y_low + std::max(std::fabs(y_low) * 0.1, 1e-6);
  const std::vector<double> y_ticks = nice_ticks(y_low, y_high, 5), x_ticks = nice_ticks(x_low, x_high, 6, 1.0);
  y_low = std::min(y_low, y_ticks.front()), y_high = std::max(y_high, y_ticks.back());

  // The plot area, inside margins for the title, tick labels and legend.
  const double left = 56, right = options.width - 12.0, top = 28, bottom = options.height - 58.0;
  auto px = [&](double x) { return left + (x - x_low) / (x_high - x_low) * (right - left); };
  auto py = [&](double y) { return bottom - (y - y_low) / (y_high - y_low) * (bottom - top); };
  char buffer[512];
  std::string svg;
  std::snprintf(buffer, sizeof buffer,
                "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "role=\"img\" aria-label=\"%s\">\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
                "<text x=\"%g\" y=\"18\" class=\"title\">%s</text>\n",
                options.width, options.height, options.width, options.height, html_escape(options.title).c_str(),
                options.width, options.height, left, html_escape(options.title).c_str());
  svg += buffer;
  for (const double t : y_ticks) {
    std::snprintf(buffer, sizeof buffer,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                  left, py(t), right, py(t), left - 6, py(t) + 4, number(t, options.percent).c_str());
    svg += buffer;
  }
  for (const double t : x_ticks) {
    std::snprintf(buffer, sizeof buffer,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>\n",
                  px(t), top, px(t), bottom, px(t), bottom + 16, number(t, false).c_str());
    svg += buffer;
  }
  std::snprintf(buffer, sizeof buffer,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>\n"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\">%s</text>\n"
                "<text x=\"14\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>\n",
                left, top, right - left, bottom - top, (left + right) / 2, bottom + 32,
                html_escape(options.x_label).c_str(), (top + bottom) / 2, (top + bottom) / 2,
                html_escape(options.y_label).c_str());
  svg += buffer;
  if (empty) {
    std::snprintf(buffer, sizeof buffer, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">no data yet</text>\n",
                  (left + right) / 2, (top + bottom) / 2);
    svg += buffer;
  }
  double legend_x = left;
  for (const ChartSeries& s : series) {
    const std::string stroke = "stroke=\"" + html_escape(s.colour) + "\"" + (s.dashed ? " stroke-dasharray=\"5 3\"" : "");
    std::string points;
    std::string dots;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      std::snprintf(buffer, sizeof buffer, "%.1f,%.1f ", px(x), py(y));
      points += buffer;
      char value[32];
      if (options.percent) std::snprintf(value, sizeof value, "%.2f%%", 100 * y);
      else std::snprintf(value, sizeof value, "%.5g", y);
      std::snprintf(buffer, sizeof buffer,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s, %s %g: %s</title></circle>",
                    px(x), py(y), html_escape(s.colour).c_str(), html_escape(s.name).c_str(),
                    html_escape(options.x_label).c_str(), x, value);
      dots += buffer;
    }
    if (!points.empty()) svg += "<polyline fill=\"none\" stroke-width=\"2\" " + stroke + " points=\"" + points + "\"/>" + dots + "\n";
    std::snprintf(buffer, sizeof buffer,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"2\" %s/>"
                  "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n",
                  legend_x, options.height - 10.0, legend_x + 18, options.height - 10.0, stroke.c_str(), legend_x + 22,
                  options.height - 6.0, html_escape(s.name).c_str());
    svg += buffer;
    legend_x += 30 + 7.0 * static_cast<double>(s.name.size());
  }
  return svg + "</svg>\n";
}

}  // namespace minicnn
