// minicnn explain: the numbers of the conv2d walk-through agree with the direct loops and the Conv2d layer for
// every option; the printed worked sums add up to the printed results; the text fits its width with the shapes
// in every heading; and the Toeplitz matrix times x is the convolution, its transpose the correlation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "teach/explain_conv2d.hpp"
#include "teach/explain_toeplitz.hpp"

using namespace minicnn;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

ExplainConv2dOptions options_for(const test::ConvCase& c, bool random_values) {
  const ConvGeometry& g = c.geometry;
  ExplainConv2dOptions o;
  o.input = Shape{g.channels, g.height, g.width};
  o.kernel = Shape{c.out_channels, g.channels, g.kernel_h, g.kernel_w};
  o.stride_h = g.stride_h, o.stride_w = g.stride_w, o.pad_h = g.pad_h, o.pad_w = g.pad_w;
  o.dilation_h = g.dilation_h, o.dilation_w = g.dilation_w;
  o.random_values = random_values;
  o.backward = true;
  return o;
}

// Evaluates "a + b*c + (d)*e + ..." as printed in a worked sum: terms joined by " + ", each a product of
// numbers, negative numbers in parentheses.
double evaluate_sum(const std::string& expression) {
  double sum = 0;
  size_t at = 0;
  while (true) {
    const size_t end = expression.find(" + ", at);
    const std::string term = expression.substr(at, end == std::string::npos ? std::string::npos : end - at);
    double product = 1;
    size_t f = 0;
    while (true) {
      const size_t star = term.find('*', f);
      std::string factor = term.substr(f, star == std::string::npos ? std::string::npos : star - f);
      if (factor.front() == '(') factor = factor.substr(1, factor.size() - 2);
      product *= std::stod(factor);
      if (star == std::string::npos) break;
      f = star + 1;
    }
    sum += product;
    if (end == std::string::npos) return sum;
    at = end + 3;
  }
}

bool is_continuation(const std::string& line) {
  const size_t first = line.find_first_not_of(' ');
  return first != std::string::npos && line.compare(first, 2, "+ ") == 0;
}

// A worked sum printed from line k on: the expression after the first "= " of line k, continued on lines
// starting with "+ ", then the line "= RESULT". Returns {the expression's value, RESULT}; k moves past it.
std::pair<double, double> worked_sum(const std::vector<std::string>& lines, size_t& k) {
  std::string expression = lines[k].substr(lines[k].find("= ") + 2);
  for (++k; k < lines.size() && is_continuation(lines[k]); ++k)
    expression.append(" ").append(lines[k], lines[k].find_first_not_of(' '));
  REQUIRE(k < lines.size());
  const std::string& result = lines[k++];
  return {evaluate_sum(expression), std::stod(result.substr(result.find("= ") + 2))};
}

size_t line_with(const std::vector<std::string>& lines, const std::string& start, const std::string& part) {
  for (size_t k = 0; k < lines.size(); ++k)
    if (lines[k].rfind(start, 0) == 0 && lines[k].find(part) != std::string::npos) return k;
  FAIL("no line starts with " << start << " and holds " << part);
  return 0;
}

}  // namespace

TEST_CASE("explain conv2d: the im2col view, the direct loops and the Conv2d layer agree for 72 shapes") {
  for (const test::ConvCase& c : test::conv_cases(72, 81, 3)) {
    INFO(test::describe(c));
    const Conv2dExplanation e = explain_conv2d(options_for(c, true));
    for (double difference : {e.y_vs_loops, e.dx_vs_loops, e.dw_vs_loops, e.db_vs_loops, e.dx_full_vs_loops,
                              e.y_vs_layer, e.dx_vs_layer, e.dw_vs_layer, e.db_vs_layer})
      CHECK(difference < 1e-12);
    // The explanation's own results are right, not just mutually consistent: y against an independent sum.
    const ConvGeometry& g = c.geometry;
    for (int o = 0; o < c.out_channels; ++o) {
      double y000 = e.b[o];
      for (int ch = 0; ch < g.channels; ++ch)
        for (int u = 0; u < g.kernel_h; ++u)
          for (int v = 0; v < g.kernel_w; ++v) {
            const int h = u * g.dilation_h - g.pad_h, w = v * g.dilation_w - g.pad_w;
            if (h >= 0 && h < g.height && w >= 0 && w < g.width)
              y000 += e.w.at(o, ch, u, v) * e.x[(ch * g.height + h) * g.width + w];
          }
      CHECK(e.y[o * g.out_h() * g.out_w()] == doctest::Approx(y000).epsilon(1e-12));
    }
  }
}

TEST_CASE("explain conv2d with small integers: exact agreement, and the worked sums add up to what is printed") {
  for (const test::ConvCase& c : test::conv_cases(36, 82, 2)) {
    INFO(test::describe(c));
    const Conv2dExplanation e = explain_conv2d(options_for(c, false));
    for (const Tensor<double>* t : {&e.x, &e.w, &e.b, &e.dy, &e.y, &e.dx, &e.dw, &e.db})
      for (double v : *t) CHECK(v == std::round(v));
    for (double difference : {e.y_vs_loops, e.dx_vs_loops, e.dw_vs_loops, e.db_vs_loops, e.dx_full_vs_loops,
                              e.y_vs_layer, e.dx_vs_layer, e.dw_vs_layer, e.db_vs_layer})
      CHECK(difference == 0.0);
    const std::string text = format_explanation(e);
    CHECK(text.find("e-") == std::string::npos);  // every difference printed is an exact 0
    const std::vector<std::string> lines = lines_of(text);
    size_t k = line_with(lines, "  y[0,0,0] = ", "");
    const auto [y_sum, y_printed] = worked_sum(lines, k);
    CHECK(y_sum == y_printed);
    CHECK(y_printed == e.y[0]);
    // The col2im example: after the dcols entries it names, their values, which add up to the printed dx.
    if (text.find("No kernel tap reads a pixel of x") != std::string::npos) {
      for (double v : e.dx) CHECK(v == 0.0);
      continue;
    }
    k = line_with(lines, "  dx[", "] = dcols[");
    for (++k; is_continuation(lines[k]); ++k) {
    }
    const auto [dx_sum, dx_printed] = worked_sum(lines, k);
    CHECK(dx_sum == dx_printed);
  }
}

TEST_CASE("explain conv2d prints plain ASCII within its width, with the shapes in every heading") {
  for (int width : {80, 100, 120}) {
    for (const test::ConvCase& c : test::conv_cases(36, 83, 2)) {
      ExplainConv2dOptions o = options_for(c, true);
      o.width = width;
      const std::string text = format_explanation(explain_conv2d(o));
      for (const std::string& line : lines_of(text)) {
        INFO(test::describe(c) << "\n" << line);
        CHECK(static_cast<int>(line.size()) <= width);
        CHECK(std::all_of(line.begin(), line.end(), [](char ch) { return ch >= 32 && ch < 127; }));
        if (line.rfind("Step", 0) == 0 || line.rfind("GEMM", 0) == 0 || line.rfind("Input", 0) == 0 ||
            line.rfind("Output", 0) == 0 || line.rfind("Weight", 0) == 0)
          CHECK(line.find('[') != std::string::npos);
      }
      CHECK(text.find("M = OC = ") != std::string::npos);
      CHECK(text.find("GEMM 3, the column gradient") != std::string::npos);
    }
  }
}

TEST_CASE("explain conv2d names the GEMM sizes M, N, K of the forward and of the three backward GEMMs") {
  ExplainConv2dOptions o;
  o.input = Shape{2, 5, 6};
  o.kernel = Shape{3, 2, 3, 2};
  o.pad_h = 1;
  o.backward = true;
  const Conv2dExplanation e = explain_conv2d(o);
  // OH = 5 + 2 - 3 + 1 = 5, OW = 6 - 2 + 1 = 5: N = 25 output pixels, K = 2·3·2 = 12 taps, M = 3 filters.
  const std::string text = format_explanation(e);
  CHECK(text.find("M = OC = 3 filters, N = OH*OW = 25 output pixels, K = C*KH*KW = 12 taps") != std::string::npos);
  CHECK(text.find("M = OC = 3, N = C*KH*KW = 12, K = OH*OW = 25\n") != std::string::npos);
  CHECK(text.find("M = OC = 3, N = 1, K = OH*OW = 25\n") != std::string::npos);
  CHECK(text.find("M = C*KH*KW = 12, N = OH*OW = 25, K = OC = 3\n") != std::string::npos);
  o.backward = false;
  CHECK(format_explanation(explain_conv2d(o)).find("GEMM 1") == std::string::npos);
}

TEST_CASE("explain conv2d refuses shapes that do not fit or are too large to print") {
  ExplainConv2dOptions o;
  o.kernel = Shape{1, 2, 3, 3};
  CHECK(test::error_of([&] { explain_conv2d(o); }) ==
        "--kernel 1x2x3x3 has 2 input channels but --input 1x4x4 has 1");
  o.kernel = Shape{1, 1, 5, 5};
  CHECK(test::error_of([&] { explain_conv2d(o); }).find("does not fit input 4x4") != std::string::npos);
  o.input = Shape{1, 40, 40};
  o.kernel = Shape{1, 1, 3, 3};
  CHECK(test::error_of([&] { explain_conv2d(o); }).find("at most 2500 entries") != std::string::npos);
  o.input = Shape{1, 100000, 2};
  CHECK(test::error_of([&] { explain_conv2d(o); }).find("64x64 pixels") != std::string::npos);
  CHECK(parse_shape_text("2x5x4", "--input") == Shape{2, 5, 4});
  CHECK(parse_shape_text("0", "--padding", 0) == Shape{0});
  CHECK(test::error_of([&] { parse_shape_text("2x", "--input"); }) ==
        "--input: expected sizes separated by x (like 1x4x4), got \"2x\"");
  CHECK(test::error_of([&] { parse_shape_text("0x3", "--stride"); }) ==
        "--stride: sizes must be at least 1, got \"0x3\"");
  CHECK(test::error_of([&] { parse_shape_text("1x2x3x4x5", "--kernel"); }).find("expected sizes") != std::string::npos);
}

TEST_CASE("explain toeplitz: C·x is the convolution and Cᵀ·dout the correlation, for every mode and size") {
  for (Mode mode : {Mode::Full, Mode::Same, Mode::Valid})
    for (int n = 1; n <= 7; ++n)
      for (int m = 1; m <= 5; ++m) {
        CAPTURE(to_string(mode));
        CAPTURE(n);
        CAPTURE(m);
        for (bool random : {false, true}) {
          const ToeplitzExplanation e =
              explain_toeplitz({.signal = n, .kernel = m, .mode = mode, .random_values = random});
          CHECK(e.product_vs_direct < 1e-12);
          CHECK(e.adjoint_vs_correlation < 1e-12);
          if (!random) CHECK(e.product_vs_direct == 0.0);
          // Toeplitz: constant along every diagonal.
          const int64_t rows = e.matrix.dim(0);
          for (int64_t r = 1; r < rows; ++r)
            for (int64_t k = 1; k < n; ++k) CHECK(e.matrix[r * n + k] == e.matrix[(r - 1) * n + k - 1]);
          for (const std::string& line : lines_of(format_explanation(e))) CHECK(line.size() <= 80u);
        }
      }
  CHECK(test::error_of([] { explain_toeplitz({.signal = 33}); }).find("1 to 32 samples") != std::string::npos);
}
