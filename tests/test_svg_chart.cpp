// inspect/svg_chart.hpp: a chart holds one polyline per series with one point per finite value, tick labels
// on nice numbers (percentages when asked, whole epochs), a legend, escaped text; an empty chart says so.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "inspect/svg_chart.hpp"

using namespace minicnn;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("one polyline per series, one point per finite value, ticks on nice numbers") {
  const std::vector<ChartSeries> series{
      {"train", "#1f77b4", {{1, 0.5}, {2, 0.75}, {3, 0.9}}, false},
      {"test <&>", "#ff7f0e", {{1, 0.6}, {2, std::nan("")}, {3, 0.8}}, true},
  };
  const std::string svg = line_chart_svg(series, {"Accuracy", "epoch", "accuracy", 400, 240, false, true});
  CHECK(svg.rfind("<svg ", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(count(svg, "<polyline") == 2);
  CHECK(count(svg, "<circle") == 5);  // the NaN is left out
  CHECK(svg.find("stroke-dasharray") != std::string::npos);
  CHECK(svg.find("test &lt;&amp;&gt;") != std::string::npos);
  CHECK(svg.find("test <&>") == std::string::npos);
  CHECK(svg.find(">90%<") != std::string::npos);  // y ticks: 50%, 60%, ..., as percentages
  CHECK(svg.find(">60%<") != std::string::npos);
  CHECK(svg.find(">2<") != std::string::npos);    // x ticks: whole epochs only
  CHECK(svg.find(">1.5<") == std::string::npos);
  CHECK(svg.find("train, epoch 2: 75.00%") != std::string::npos);  // the tooltip of a point
}

TEST_CASE("an empty chart draws its frame and says there is no data yet") {
  const std::string svg = line_chart_svg({{"train", "#000", {}, false}}, {"Loss", "epoch", "loss"});
  CHECK(svg.find("no data yet") != std::string::npos);
  CHECK(count(svg, "<polyline") == 0);
}

TEST_CASE("html_escape escapes what could end text or an attribute") {
  CHECK(html_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(html_escape("plain") == "plain");
}
