// Flatten: [N, C, H, W] -> [N, C·H·W] with the values in NCHW order, and the gradient passed back unchanged.
#include <doctest/doctest.h>

#include "helpers.hpp"
#include "layers/flatten.hpp"

using namespace minicnn;

TEST_CASE("flatten keeps the values in NCHW order and only changes the shape") {
  Rng rng(61);
  Flatten<double> flatten;
  CHECK(flatten.setup(Shape{3, 4, 5}) == Shape{60});
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 3, 4, 5}, rng);
  Tensor<double> y;
  flatten.forward(x, y, Context{});
  REQUIRE(y.shape() == Shape{2, 60});
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 4; ++h)
        for (int w = 0; w < 5; ++w) CHECK(y[n * 60 + (c * 4 + h) * 5 + w] == x.at(n, c, h, w));
}

TEST_CASE("flatten copies nothing: its output views the input, its input gradient views the output gradient") {
  Rng rng(64);
  Flatten<float> flatten;
  flatten.setup(Shape{3, 2, 2});
  const Tensor<float> x = test::random_tensor<float>(Shape{4, 3, 2, 2}, rng);
  Tensor<float> y(Shape{4, 12}), dx(x.shape());
  flatten.forward(x, y, Context{});
  CHECK(y.data() == x.data());
  const Tensor<float> dy = test::random_tensor<float>(y.shape(), rng);
  flatten.backward(x, y, dy, dx);
  CHECK(dx.data() == dy.data());
  CHECK(dx.shape() == x.shape());
}

TEST_CASE("flatten backward equals finite differences") {
  Rng rng(62);
  Flatten<double> flatten;
  flatten.setup(Shape{2, 3, 2});
  test::check_gradients(gradcheck(flatten, test::random_tensor<double>(Shape{3, 2, 3, 2}, rng)));
}

TEST_CASE("flatten backward writes dx, whatever it held") {
  Rng rng(63);
  Flatten<double> flatten;
  flatten.setup(Shape{2, 2, 2});
  test::check_backward_contract(flatten, test::random_tensor<double>(Shape{2, 2, 2, 2}, rng), rng);
}
