// im2col and col2im: im2col matches the receptive-field formula entry by entry, and col2im is its adjoint,
// <im2col(x), c> == <x, col2im(c)>, over strides 1-3, paddings 0-2, dilations 1-2 and non-square shapes.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/im2col.hpp"
#include "helpers.hpp"

using namespace minicnn;
using minicnn::test::conv_cases;

namespace {

// The number of kernel positions along one axis, counted one by one: position i fits when its last tap,
// i·stride + dilation·(kernel - 1), is inside the padded input of size + 2·pad.
int count_positions(int size, int kernel, int stride, int pad, int dilation) {
  int positions = 0;
  while (positions * stride + dilation * (kernel - 1) <= size + 2 * pad - 1) ++positions;
  return positions;
}

// Σ a_i·b_i and Σ |a_i·b_i|, the latter to bound the rounding error of the former.
struct Dot {
  double value = 0, magnitude = 0;
};
Dot dot(const std::vector<double>& a, const std::vector<double>& b) {
  Dot d;
  for (size_t i = 0; i < a.size(); ++i) {
    d.value += a[i] * b[i];
    d.magnitude += std::abs(a[i] * b[i]);
  }
  return d;
}

TEST_CASE("the output size counts the kernel positions that fit") {
  for (const test::ConvCase& c : conv_cases(72, 11)) {
    const ConvGeometry& g = c.geometry;
    INFO(test::describe(c));
    CHECK(g.out_h() == count_positions(g.height, g.kernel_h, g.stride_h, g.pad_h, g.dilation_h));
    CHECK(g.out_w() == count_positions(g.width, g.kernel_w, g.stride_w, g.pad_w, g.dilation_w));
  }
}

// Checks im2col of a random image entry by entry against the formula, with rows row_stride apart (a
// row_stride wider than OH·OW puts the matrix among others side by side: the entries between must stay as
// they were).
void check_im2col(const ConvGeometry& g, int64_t row_stride, Rng& rng) {
  const Tensor<float> image = test::random_tensor<float>(Shape{g.channels, g.height, g.width}, rng);
  const float untouched = -99.0f;  // every entry of the matrix must be written, and nothing else
  std::vector<float> cols(g.col_rows() * row_stride, untouched);
  im2col(g, image.data(), cols.data(), row_stride);
  const int OH = g.out_h(), OW = g.out_w();
  for (int ch = 0; ch < g.channels; ++ch)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v) {
        const int row = (ch * g.kernel_h + u) * g.kernel_w + v;
        for (int i = 0; i < OH; ++i)
          for (int j = 0; j < OW; ++j) {
            const int y = i * g.stride_h + u * g.dilation_h - g.pad_h;
            const int x = j * g.stride_w + v * g.dilation_w - g.pad_w;
            const bool inside = y >= 0 && y < g.height && x >= 0 && x < g.width;
            const float expected = inside ? image[(ch * g.height + y) * g.width + x] : 0.0f;
            CHECK(cols[row * row_stride + i * OW + j] == expected);
          }
        for (int64_t col = OH * OW; col < row_stride; ++col) CHECK(cols[row * row_stride + col] == untouched);
      }
}

}  // namespace

TEST_CASE("im2col copies x[c, i·sh + u·dh - ph, j·sw + v·dw - pw] to row (c·KH + u)·KW + v, column i·OW + j") {
  Rng rng(5);
  for (const test::ConvCase& c : conv_cases(72, 12)) {
    INFO(test::describe(c));
    check_im2col(c.geometry, c.geometry.col_cols(), rng);
    check_im2col(c.geometry, c.geometry.col_cols() + 7, rng);
  }
}

// Stride 1 and an output as wide as the input: im2col copies each tap's rows in one piece, then zeroes the
// entries that wrapped around the image's left and right edges.
TEST_CASE("im2col of 'same' convolutions (stride 1, output as wide as the input), square or not, dilated or not") {
  Rng rng(7);
  int same = 0;
  for (const int kernel : {1, 2, 3, 5})
    for (const int dilation : {1, 2})
      for (const int height : {1, 4, 9}) {
        const int extent = dilation * (kernel - 1);  // the padding that keeps the width: extent/2 on each side
        if (extent % 2 != 0) continue;
        ConvGeometry g{.channels = 2, .height = height, .width = 6, .kernel_h = kernel, .kernel_w = kernel,
                       .pad_h = extent / 2, .pad_w = extent / 2, .dilation_h = dilation, .dilation_w = dilation};
        INFO("kernel " << kernel << " dilation " << dilation << " height " << height);
        REQUIRE(g.out_w() == g.width);
        check_im2col(g, g.col_cols(), rng);
        check_im2col(g, g.col_cols() + 3, rng);
        ++same;
      }
  CHECK(same == 21);
}

TEST_CASE("col2im is the adjoint of im2col: <im2col(x), c> == <x, col2im(c)>") {
  Rng rng(6);
  for (const test::ConvCase& c : conv_cases(72, 13)) {
    const ConvGeometry& g = c.geometry;
    INFO(test::describe(c));
    const Tensor<double> x = test::random_tensor<double>(Shape{g.channels, g.height, g.width}, rng);
    const Tensor<double> cols = test::random_tensor<double>(Shape{g.col_rows(), g.col_cols()}, rng);

    std::vector<double> x_cols(cols.numel());
    im2col(g, x.data(), x_cols.data());
    std::vector<double> image(x.numel(), 0.0);
    col2im(g, cols.data(), image.data());

    const Dot lhs = dot(x_cols, std::vector<double>(cols.begin(), cols.end()));
    const Dot rhs = dot(std::vector<double>(x.begin(), x.end()), image);
    // Both sides are sums of the same products x·c, grouped differently: each is within n·ε·Σ|x·c| of the
    // exact value (n terms at most), so they agree to 2·n·ε·Σ|x·c|.
    const double n = static_cast<double>(x_cols.size());
    CHECK(std::abs(lhs.value - rhs.value) <= 2 * n * std::numeric_limits<double>::epsilon() * lhs.magnitude);
  }
}

TEST_CASE("col2im adds into the image instead of overwriting it") {
  const ConvGeometry g{.channels = 1, .height = 3, .width = 3, .kernel_h = 2, .kernel_w = 2};
  std::vector<double> cols(g.col_rows() * g.col_cols(), 1.0);
  std::vector<double> image(9, 10.0);
  col2im(g, cols.data(), image.data());
  // A 2x2 kernel over a 3x3 image covers the corners once, the edge centres twice and the middle four times.
  const std::vector<double> expected{11, 12, 11, 12, 14, 12, 11, 12, 11};
  CHECK(image == expected);
}
