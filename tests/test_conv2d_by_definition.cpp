// The convolution written as its definition (teach/conv2d_by_definition.hpp) against minicnn's Conv2d layer
// (im2col + GEMM), for every option: the forward sum, the three gradients gathered by the chain rule, and dx
// as a full convolution of the stride-dilated dy with the dilation-dilated kernel, cropped by the padding.
// These are the checks that docs/backprop-through-convolution.md links to for its index algebra.
#include <doctest/doctest.h>

#include "helpers.hpp"
#include "layers/conv2d.hpp"
#include "teach/conv2d_by_definition.hpp"

using namespace minicnn;
using minicnn::test::ConvCase;

namespace {

// One image of the case through the Conv2d layer, with random weights, bias and dy.
struct LayerRun {
  Tensor<double> x, w, b, dy;    // one image's x [C,H,W] and dy [OC,OH,OW]
  Tensor<double> y, dx, dw, db;  // what the layer computed
};

LayerRun run_layer(const ConvCase& c, Rng& rng) {
  const ConvGeometry& g = c.geometry;
  Conv2d<double> conv(Conv2dOptions{.out_channels = c.out_channels, .kernel_h = g.kernel_h, .kernel_w = g.kernel_w,
                                    .stride_h = g.stride_h, .stride_w = g.stride_w, .pad_h = g.pad_h,
                                    .pad_w = g.pad_w, .dilation_h = g.dilation_h, .dilation_w = g.dilation_w,
                                    .bias = c.bias});
  conv.name = "conv1";
  const Shape out = conv.setup(Shape{g.channels, g.height, g.width});
  LayerRun r;
  r.x = test::random_tensor<double>(Shape{g.channels, g.height, g.width}, rng);
  r.w = conv.weight().value = test::random_tensor<double>(conv.weight().value.shape(), rng);
  r.b = Tensor<double>(Shape{c.out_channels});
  if (c.bias) r.b = conv.bias().value = test::random_tensor<double>(r.b.shape(), rng);
  r.dy = test::random_tensor<double>(out, rng);
  const Tensor<double> x_batch = r.x.view(r.x.shape().with_batch(1)), dy_batch = r.dy.view(out.with_batch(1));
  Tensor<double> y;
  conv.forward(x_batch, y, Context{});
  Tensor<double> dx(x_batch.shape());
  conv.backward(x_batch, y, dy_batch, dx);
  r.y = y.view(out);
  r.dx = dx.view(r.x.shape());
  r.dw = conv.weight().grad;
  r.db = c.bias ? conv.bias().grad : Tensor<double>(Shape{c.out_channels});
  return r;
}

void check_equal(const Tensor<double>& expected, const Tensor<double>& actual, const char* what) {
  REQUIRE(expected.shape() == actual.shape());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    INFO(what << " element " << i << ": " << expected[i] << " vs " << actual[i]);
    CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(1e-12).scale(1.0));
  }
}

}  // namespace

TEST_CASE("the definition's sum y = b + Σ W·x equals the conv2d layer for 72 shapes and options") {
  Rng rng(71);
  for (const ConvCase& c : test::conv_cases(72, 72)) {
    INFO(test::describe(c));
    const LayerRun r = run_layer(c, rng);
    check_equal(r.y, conv2d_forward_by_definition(c.geometry, r.x, r.w, r.b), "y");
  }
}

TEST_CASE("the chain rule's dW, db and dx, gathered entry by entry, equal the conv2d layer's backward") {
  Rng rng(73);
  for (const ConvCase& c : test::conv_cases(72, 74)) {
    INFO(test::describe(c));
    const LayerRun r = run_layer(c, rng);
    const Conv2dGradients g = conv2d_backward_by_definition(c.geometry, r.x, r.w, r.dy);
    check_equal(r.dx, g.dx, "dx");
    check_equal(r.dw, g.dw, "dW");
    if (c.bias) check_equal(r.db, g.db, "db");
  }
}

TEST_CASE("dx is the full convolution of the stride-dilated dy with the dilated kernel, cropped by the padding") {
  Rng rng(75);
  int strided = 0, dilated = 0, padded = 0;
  for (const ConvCase& c : test::conv_cases(72, 76)) {
    INFO(test::describe(c));
    const LayerRun r = run_layer(c, rng);
    check_equal(r.dx, input_gradient_by_full_convolution(c.geometry, r.w, r.dy), "dx");
    strided += c.geometry.stride_h > 1 || c.geometry.stride_w > 1;
    dilated += c.geometry.dilation_h > 1 || c.geometry.dilation_w > 1;
    padded += c.geometry.pad_h > 0 || c.geometry.pad_w > 0;
  }
  CHECK(strided >= 36);  // every option is exercised many times
  CHECK(dilated >= 36);
  CHECK(padded >= 36);
}

TEST_CASE("a stride that leaves the last input rows uncovered gives them a zero gradient") {
  // 6 rows, kernel 3, stride 2: outputs read rows 0-2 and 2-4; row 5 takes part in no output.
  ConvCase c;
  c.geometry = ConvGeometry{.channels = 1, .height = 6, .width = 6, .kernel_h = 3, .kernel_w = 3, .stride_h = 2,
                            .stride_w = 2};
  Rng rng(77);
  const LayerRun r = run_layer(c, rng);
  const Tensor<double> full = input_gradient_by_full_convolution(c.geometry, r.w, r.dy);
  for (int w = 0; w < 6; ++w) {
    CHECK(full[5 * 6 + w] == 0.0);
    CHECK(r.dx[5 * 6 + w] == 0.0);
  }
  check_equal(r.dx, full, "dx");
}
