#include "inspect/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/base64.hpp"
#include "inspect/svg_chart.hpp"

namespace minicnn {
namespace {

const char* kStyle = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; background: #f6f6f4;
       margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 2px; }
h2 { font-size: 18px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
.status { color: #555; margin: 0; }
.headline { display: flex; gap: 28px; flex-wrap: wrap; margin: 10px 0 0; }
.headline div { font-size: 13px; color: #555; }
.headline b { display: block; font-size: 20px; color: #222; }
.note { color: #666; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart .title { font-weight: 600; font-size: 13px; }
.chart .tick, .chart .legend { font-size: 11px; fill: #444; }
.chart .label { font-size: 12px; fill: #444; }
.chart .grid { stroke: #eee; }
.chart .frame { fill: none; stroke: #999; }
.slider { display: flex; align-items: center; gap: 12px; margin: 6px 0 10px; }
.slider input { width: 320px; }
.frames figure { display: flex; gap: 24px; flex-wrap: wrap; margin: 0; }
.frames figure[hidden] { display: none; }
.frames figure div { text-align: center; font-size: 13px; color: #555; }
img.pixels { image-rendering: pixelated; image-rendering: crisp-edges; display: block; margin: 4px auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 7px; }
table.kernels td, table.kernels th, table.summary td, table.summary th { border-bottom: 1px solid #eee; text-align: left; }
table.summary td.n, table.summary th.n { text-align: right; font-variant-numeric: tabular-nums; }
table.confusion td { width: 44px; height: 30px; text-align: center; border: 1px solid #fff;
                     font-variant-numeric: tabular-nums; }
table.confusion th { font-weight: normal; text-align: right; white-space: nowrap; }
table.confusion th.col { text-align: center; }
.mistakes { display: flex; flex-wrap: wrap; gap: 14px; }
.mistakes figure { margin: 0; width: 120px; text-align: center; font-size: 12px; }
.mistakes b { color: #b00; }
)";

// An <img> of PNG bytes, drawn `scale` times its size, pixels kept square.
std::string png_img(const std::string& png, const std::string& alt, int width, int height, double scale) {
  char size[64];
  std::snprintf(size, sizeof size, " width=\"%d\" height=\"%d\"", static_cast<int>(std::lround(width * scale)),
                static_cast<int>(std::lround(height * scale)));
  return "<img class=\"pixels\" alt=\"" + html_escape(alt) + "\"" + size + " src=\"data:image/png;base64," +
         base64_encode(png) + "\">";
}

// The width and height stored in a PNG's IHDR chunk (bytes 16-23, big-endian).
std::pair<int, int> png_size(const std::string& png) {
  auto at = [&](size_t i) {
    return static_cast<int>(static_cast<uint8_t>(png[i]) << 24 | static_cast<uint8_t>(png[i + 1]) << 16 |
                            static_cast<uint8_t>(png[i + 2]) << 8 | static_cast<uint8_t>(png[i + 3]));
  };
  return png.size() >= 24 ? std::pair{at(16), at(20)} : std::pair{0, 0};
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * fraction);
  return text;
}

std::string headline(const Report& r) {
  std::string html = "<div class=\"headline\">";
  auto item = [&](const std::string& label, const std::string& value) {
    html += "<div><b>" + html_escape(value) + "</b>" + html_escape(label) + "</div>";
  };
  item("epochs done", std::to_string(r.epochs.size()));
  if (!r.epochs.empty()) {
    const EpochReport& last = r.epochs.back();
    item("test accuracy, last epoch", percent(last.test.accuracy));
    const auto best = std::max_element(r.epochs.begin(), r.epochs.end(),
                                       [](const EpochReport& a, const EpochReport& b) { return a.test.accuracy < b.test.accuracy; });
    item("best test accuracy (epoch " + std::to_string(best->epoch) + ")", percent(best->test.accuracy));
    char loss[32];
    std::snprintf(loss, sizeof loss, "%.4f", last.test.loss);
    item("test loss, last epoch", loss);
  }
  int64_t params = 0;
  for (const LayerSummary& layer : r.layers) params += layer.params;
  item("parameters", with_commas(params));
  return html + "</div>\n";
}

std::string curves(const Report& r) {
  const bool validation = std::any_of(r.epochs.begin(), r.epochs.end(), [](const EpochReport& e) { return e.validation.images > 0; });
  auto series = [&](const std::string& name, const std::string& colour, bool dashed, auto value) {
    ChartSeries s{name, colour, {}, dashed};
    for (const EpochReport& e : r.epochs) s.points.emplace_back(e.epoch, value(e));
    return s;
  };
  std::vector<ChartSeries> loss{series("train", "#1f77b4", false, [](const EpochReport& e) { return e.train.loss; })};
  std::vector<ChartSeries> accuracy{series("train", "#1f77b4", false, [](const EpochReport& e) { return e.train.accuracy; })};
  if (validation) {
    loss.push_back(series("validation", "#2ca02c", true, [](const EpochReport& e) { return e.validation.loss; }));
    accuracy.push_back(series("validation", "#2ca02c", true, [](const EpochReport& e) { return e.validation.accuracy; }));
  }
  loss.push_back(series("test", "#ff7f0e", false, [](const EpochReport& e) { return e.test.loss; }));
  accuracy.push_back(series("test", "#ff7f0e", false, [](const EpochReport& e) { return e.test.accuracy; }));
  const std::vector<ChartSeries> rate{series("learning rate", "#7f7f7f", false, [](const EpochReport& e) { return e.learning_rate; })};
  std::string html = "<section id=\"curves\"><h2>Loss, accuracy and learning rate</h2>\n<div class=\"charts\">\n";
  html += line_chart_svg(loss, {"Loss (cross-entropy)", "epoch", "loss", 370, 260, false, false});
  html += line_chart_svg(accuracy, {"Accuracy", "epoch", "accuracy", 370, 260, false, true});
  html += line_chart_svg(rate, {"Learning rate", "epoch", "learning rate", 290, 260, true, false});
  html += "</div>\n<p class=\"note\">Training loss and accuracy are averaged over each epoch while the weights "
          "changed; test (and validation) are measured after it. Hover a point for its value.</p></section>\n";
  return html;
}

std::string filters(const Report& r) {
  std::string html = "<section id=\"filters\"><h2>First-layer filters";
  if (!r.filter_layer.empty()) html += " (" + html_escape(r.filter_layer) + ")";
  html += "</h2>\n";
  if (r.frames.empty()) {
    html += "<p class=\"note\">No filter pictures: the network has no convolution, or the run records none "
            "(inspect.filters_every is 0).</p></section>\n";
    return html;
  }
  char scale[160];
  std::snprintf(scale, sizeof scale, "mid-gray is 0, white +%.4g, black -%.4g", r.filter_scale, r.filter_scale);
  html += "<p class=\"note\">Each cell is one kernel, one square per weight. Every epoch is drawn with the same scale ("
          + std::string(scale) + "), so the pictures compare. Beside it, the gradient of the loss for these weights "
          "over a fixed batch of training images (each epoch with its own scale): where learning pushes them.</p>\n";
  const size_t last = r.frames.size() - 1;
  html += "<div class=\"slider\"><label for=\"epoch-slider\">epoch</label><input type=\"range\" id=\"epoch-slider\" min=\"0\" "
          "max=\"" + std::to_string(last) + "\" value=\"" + std::to_string(last) + "\" step=\"1\">"
          "<output id=\"epoch-label\"></output></div>\n<div class=\"frames\">\n";
  for (size_t k = 0; k < r.frames.size(); ++k) {
    const ReportFrame& f = r.frames[k];
    const std::string label = f.epoch == 0 ? "epoch 0 (as initialized)" : "after epoch " + std::to_string(f.epoch);
    html += "<figure class=\"epoch-frame\" data-label=\"" + label + "\"" + (k == last ? "" : " hidden") + ">";
    auto [w, h] = png_size(f.weights_png);
    const double zoom = std::clamp(320.0 / std::max(w, 1), 1.0, 3.0);  // small grids drawn larger
    html += "<div>weights" + png_img(f.weights_png, r.filter_layer + " weights, " + label, w, h, zoom) + "</div>";
    if (!f.gradient_png.empty()) {
      std::tie(w, h) = png_size(f.gradient_png);
      html += "<div>gradient dL/dW" + png_img(f.gradient_png, r.filter_layer + " gradient, " + label, w, h, zoom) + "</div>";
    }
    html += "</figure>\n";
  }
  html += "</div>\n";
  if (!r.kernels.empty()) {
    html += "<h2 style=\"margin-top:14px\">Nearest classical kernels</h2>\n<p class=\"note\">For each filter of the latest "
            "epoch (left to right, top to bottom), the classical kernel it is most like: |cosine similarity|, with the "
            "filter's mean removed for the zero-sum kernels (Sobel, Laplacian). 1 is the same kernel up to scale and "
            "sign; below about 0.5 nothing classical is close.</p>\n<table class=\"kernels\"><tr><th>filter</th>"
            "<th>nearest classical kernel</th><th>similarity</th></tr>\n";
    for (size_t i = 0; i < r.kernels.size(); ++i) {
      const KernelMatch& m = r.kernels[i];
      char similarity[16];
      std::snprintf(similarity, sizeof similarity, "%.2f", m.similarity);
      html += "<tr><td>" + std::to_string(i) + "</td><td>" +
              (m.name.empty() ? "-" : html_escape(m.name) + (m.negated ? " (negated)" : "")) + "</td><td>" + similarity +
              "</td></tr>\n";
    }
    html += "</table>\n";
  }
  return html + "</section>\n";
}

std::string confusion(const Report& r) {
  std::string html = "<section id=\"confusion\"><h2>Confusion matrix</h2>\n";
  if (r.tested_epoch == 0) return html + "<p class=\"note\">After the first epoch.</p></section>\n";
  html += "<p class=\"note\">Test set after epoch " + std::to_string(r.tested_epoch) +
          ". Rows: the true class; columns: the predicted class. A cell's colour is its share of the row: blue on the "
          "diagonal (right), red off it (wrong; a square-root scale, so that small confusions show).</p>\n"
          "<table class=\"confusion\"><tr><th>true \\ predicted</th>";
  const size_t classes = r.confusion.size();
  for (size_t p = 0; p < classes; ++p)
    html += "<th class=\"col\" title=\"" + html_escape(r.class_names[p]) + "\">" + std::to_string(p) + "</th>";
  html += "<th>accuracy</th></tr>\n";
  for (size_t t = 0; t < classes; ++t) {
    int64_t total = 0;
    for (const int64_t n : r.confusion[t]) total += n;
    // "3 Dress"; digit-named classes ("3") once.
    const std::string name = r.class_names[t] == std::to_string(t) ? "" : " " + html_escape(r.class_names[t]);
    html += "<tr><th>" + std::to_string(t) + name + "</th>";
    for (size_t p = 0; p < classes; ++p) {
      const double share = total > 0 ? static_cast<double>(r.confusion[t][p]) / total : 0.0;
      const double alpha = t == p ? share : std::sqrt(share);
      char cell[256];
      std::snprintf(cell, sizeof cell, "<td style=\"background:rgba(%s,%.3f);color:%s\" title=\"", t == p ? "31,119,180" : "214,39,40",
                    alpha, alpha > 0.55 ? "#fff" : "#222");
      html += cell + html_escape(r.class_names[t] + " predicted as " + r.class_names[p] + ": " +
                                 std::to_string(r.confusion[t][p]) + " (" + percent(share) + " of the row)") +
              "\">" + std::to_string(r.confusion[t][p]) + "</td>";
    }
    html += "<td>" + (total > 0 ? percent(static_cast<double>(r.confusion[t][t]) / total) : "no images") + "</td></tr>\n";
  }
  return html + "</table></section>\n";
}

std::string mistakes(const Report& r) {
  std::string html = "<section id=\"mistakes\"><h2>Most confidently misclassified test images</h2>\n";
  if (r.tested_epoch == 0) return html + "<p class=\"note\">After the first epoch.</p></section>\n";
  if (r.mistakes.empty()) return html + "<p class=\"note\">None: every test image is classified right.</p></section>\n";
  html += "<p class=\"note\">After epoch " + std::to_string(r.tested_epoch) +
          ", the wrong answers the network was surest of (the softmax probability of its wrong class), as it saw "
          "the images. Some are mislabeled; most show two classes it mixes up.</p>\n<div class=\"mistakes\">\n";
  for (const ReportMistake& m : r.mistakes) {
    auto [w, h] = png_size(m.png);
    const double zoom = std::max(1.0, std::floor(96.0 / std::max(w, 1)));
    char confidence[32];
    std::snprintf(confidence, sizeof confidence, " (%.1f%%)", 100 * m.confidence);
    html += "<figure>" + png_img(m.png, "test image " + std::to_string(m.index), w, h, zoom) + "<figcaption>true " +
            html_escape(m.label) + "<br>predicted <b>" + html_escape(m.predicted) + "</b>" + confidence +
            "<br><span class=\"note\">test image " + std::to_string(m.index) + "</span></figcaption></figure>\n";
  }
  return html + "</div></section>\n";
}

std::string model(const Report& r) {
  std::string html = "<section id=\"model\"><h2>Model</h2>\n<table class=\"summary\"><tr><th>layer</th><th>type</th>"
                     "<th>output</th><th class=\"n\">parameters</th><th class=\"n\">multiply-adds</th>"
                     "<th class=\"n\">receptive field</th></tr>\n<tr><td>input</td><td></td><td>" +
                     r.input.str() + "</td><td></td><td></td><td class=\"n\">1x1</td></tr>\n";
  int64_t params = 0, multiply_adds = 0;
  for (const LayerSummary& layer : r.layers) {
    const std::string field = layer.field_h == 0 ? "all" : std::to_string(layer.field_h) + "x" + std::to_string(layer.field_w);
    html += "<tr><td>" + html_escape(layer.name) + "</td><td>" + html_escape(layer.kind) + "</td><td>" + layer.output.str() +
            "</td><td class=\"n\">" + with_commas(layer.params) + "</td><td class=\"n\">" + with_commas(layer.multiply_adds) +
            "</td><td class=\"n\">" + field + "</td></tr>\n";
    params += layer.params;
    multiply_adds += layer.multiply_adds;
  }
  html += "<tr><th colspan=\"3\">total (per image)</th><th class=\"n\">" + with_commas(params) + "</th><th class=\"n\">" +
          with_commas(multiply_adds) + "</th><th></th></tr>\n</table></section>\n";
  return html;
}

// The epoch slider, and the marks the browser test reads.
const char* kScript = R"(<script>
(function () {
  var slider = document.getElementById('epoch-slider');
  if (slider) {
    var frames = document.querySelectorAll('figure.epoch-frame'), label = document.getElementById('epoch-label');
    var show = function () {
      for (var k = 0; k < frames.length; ++k) frames[k].hidden = k !== +slider.value;
      label.textContent = frames[+slider.value].getAttribute('data-label');
    };
    slider.addEventListener('input', show);
    show();
  }
  window.addEventListener('load', function () {
    var root = document.documentElement, broken = 0;
    for (var i = 0; i < document.images.length; ++i)
      if (!(document.images[i].complete && document.images[i].naturalWidth > 0)) ++broken;
    if (broken) root.setAttribute('data-error', (root.getAttribute('data-error') || '') + broken + ' image(s) did not decode; ');
    root.setAttribute('data-images', String(document.images.length));
    root.setAttribute('data-ready', '1');
  });
})();
</script>
)";

}  // namespace

std::string render_report(const Report& r) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  if (r.refresh_seconds > 0) html += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(r.refresh_seconds) + "\">\n";
  html += "<title>minicnn report: " + html_escape(r.run_dir) + "</title>\n"
          // Before anything else: any error on the page, from a script or an image, is recorded.
          "<script>window.addEventListener('error', function (e) { var root = document.documentElement; "
          "root.setAttribute('data-error', (root.getAttribute('data-error') || '') + (e.message || ('cannot load ' + "
          "(e.target && e.target.tagName ? e.target.tagName.toLowerCase() : 'something'))) + '; '); }, true);</script>\n<style>" +
          std::string(kStyle) + "</style>\n</head>\n<body>\n";
  html += "<h1>minicnn report: " + html_escape(r.run_dir) + "</h1>\n<p class=\"status\">" + html_escape(r.description) +
          "</p>\n<p class=\"status\"><b>" + html_escape(r.status) + "</b></p>\n" + headline(r);
  html += curves(r) + filters(r) + confusion(r) + mistakes(r) + model(r);
  html += "<p class=\"note\">Written by minicnn into the run directory after every epoch: config.json, metrics.csv, "
          "checkpoint.bin, filters.png and filters/ hold the same numbers.</p>\n";
  return html + kScript + "</body>\n</html>\n";
}

}  // namespace minicnn
