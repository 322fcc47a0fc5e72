// Pool2d: max and average pooling (with stride and padding) and global average pooling, forward against the
// definition and backward against finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/pool2d.hpp"

using namespace minicnn;

namespace {

// Pooling shapes: every kernel 1-3 x 1-3, each with a stride of 1-3 and a padding of up to half the kernel
// (PyTorch's limit) drawn per axis, on images just large enough or a few pixels larger.
std::vector<Pool2dOptions> pool_cases(PoolMethod method, Rng& rng) {
  std::vector<Pool2dOptions> cases;
  for (int kh = 1; kh <= 3; ++kh)
    for (int kw = 1; kw <= 3; ++kw)
      for (int repeat = 0; repeat < 4; ++repeat)
        cases.push_back(Pool2dOptions{.method = method, .kernel_h = kh, .kernel_w = kw,
                                      .stride_h = 1 + static_cast<int>(rng.below(3)),
                                      .stride_w = 1 + static_cast<int>(rng.below(3)),
                                      .pad_h = static_cast<int>(rng.below(kh / 2 + 1)),
                                      .pad_w = static_cast<int>(rng.below(kw / 2 + 1))});
  return cases;
}

std::string describe(const Pool2dOptions& o, const Shape& input) {
  return std::string(o.method == PoolMethod::Max ? "max" : "average") + " kernel " + std::to_string(o.kernel_h) +
         "x" + std::to_string(o.kernel_w) + " stride " + std::to_string(o.stride_h) + "x" +
         std::to_string(o.stride_w) + " padding " + std::to_string(o.pad_h) + "x" + std::to_string(o.pad_w) +
         " on " + input.str();
}

// A sample shape [C, H, W] the kernel fits, not always square.
Shape input_for(const Pool2dOptions& o, Rng& rng) {
  return Shape{2, std::max(1, o.kernel_h - 2 * o.pad_h) + static_cast<int>(rng.below(5)),
               std::max(1, o.kernel_w - 2 * o.pad_w) + static_cast<int>(rng.below(5))};
}

// The values 0.1, 0.2, ... in a random order: no two elements of a window are within 0.1 of each other, so
// no finite-difference step (1e-5) can change which one is the maximum. The check then meets no kink.
Tensor<double> distinct_values(const Shape& shape, Rng& rng) {
  Tensor<double> t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = 0.1 * static_cast<double>(i + 1);
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(t[i], t[static_cast<int64_t>(rng.below(i + 1))]);
  return t;
}

// The definition, in PyTorch's floor mode: the window of output (i, j) starts at (i·sh - ph, j·sw - pw);
// max pooling takes the largest pixel of the window inside the image (padding never wins), average pooling
// divides the sum of those pixels by the whole window size KH·KW (padding counts as zeros).
double reference_pool(const Pool2dOptions& o, const Tensor<double>& x, int n, int c, int i, int j) {
  double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
  for (int u = 0; u < o.kernel_h; ++u)
    for (int v = 0; v < o.kernel_w; ++v) {
      const int row = i * o.stride_h - o.pad_h + u, col = j * o.stride_w - o.pad_w + v;
      if (row < 0 || row >= x.dim(2) || col < 0 || col >= x.dim(3)) continue;
      best = std::max(best, x.at(n, c, row, col));
      sum += x.at(n, c, row, col);
    }
  return o.method == PoolMethod::Max ? best : sum / (o.kernel_h * o.kernel_w);
}

}  // namespace

TEST_CASE("max and average pooling forward equal the definition, with stride and padding") {
  Rng rng(31);
  for (PoolMethod method : {PoolMethod::Max, PoolMethod::Average})
    for (const Pool2dOptions& o : pool_cases(method, rng)) {
      const Shape sample = input_for(o, rng);
      INFO(describe(o, sample));
      Pool2d<double> pool(o);
      const Shape out = pool.setup(sample);
      const int OH = (static_cast<int>(sample[1]) + 2 * o.pad_h - o.kernel_h) / o.stride_h + 1;
      const int OW = (static_cast<int>(sample[2]) + 2 * o.pad_w - o.kernel_w) / o.stride_w + 1;
      REQUIRE(out == Shape{2, OH, OW});
      // All negative, so that a padded zero winning a max would show.
      const Tensor<double> x = test::random_tensor<double>(sample.with_batch(2), rng, -2.0, -0.5);
      Tensor<double> y;
      pool.forward(x, y, Context{});
      REQUIRE(y.shape() == out.with_batch(2));
      for (int n = 0; n < 2; ++n)
        for (int c = 0; c < 2; ++c)
          for (int i = 0; i < OH; ++i)
            for (int j = 0; j < OW; ++j)
              CHECK(y.at(n, c, i, j) == doctest::Approx(reference_pool(o, x, n, c, i, j)).epsilon(1e-14));
    }
}

TEST_CASE("max pooling backward equals finite differences (distinct inputs: no kinks)") {
  Rng rng(32);
  for (const Pool2dOptions& o : pool_cases(PoolMethod::Max, rng)) {
    const Shape sample = input_for(o, rng);
    INFO(describe(o, sample));
    Pool2d<double> pool(o);
    pool.setup(sample);
    test::check_gradients(gradcheck(pool, distinct_values(sample.with_batch(2), rng)));
  }
}

TEST_CASE("average pooling backward equals finite differences") {
  Rng rng(33);
  for (const Pool2dOptions& o : pool_cases(PoolMethod::Average, rng)) {
    const Shape sample = input_for(o, rng);
    INFO(describe(o, sample));
    Pool2d<double> pool(o);
    pool.setup(sample);
    test::check_gradients(gradcheck(pool, test::random_tensor<double>(sample.with_batch(2), rng)));
  }
}

TEST_CASE("global average pooling gives each channel's mean, and its gradient equals finite differences") {
  Rng rng(34);
  Pool2d<double> pool(Pool2dOptions{.global = true});
  CHECK(pool.kind() == "global_avgpool");
  REQUIRE(pool.setup(Shape{3, 4, 5}) == Shape{3, 1, 1});
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 3, 4, 5}, rng);
  Tensor<double> y;
  pool.forward(x, y, Context{});
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c) {
      double sum = 0.0;
      for (int h = 0; h < 4; ++h)
        for (int w = 0; w < 5; ++w) sum += x.at(n, c, h, w);
      CHECK(y.at(n, c, 0, 0) == doctest::Approx(sum / 20).epsilon(1e-14));
    }
  test::check_gradients(gradcheck(pool, x));
}

TEST_CASE("pooling setup names the layer and the numbers when the padding or the kernel does not fit") {
  auto setup_error = [](const Pool2dOptions& o, const Shape& input) {
    Pool2d<float> pool(o);
    pool.name = "maxpool1";
    CHECK_THROWS_AS(pool.setup(input), Error);
    try {
      pool.setup(input);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(setup_error(Pool2dOptions{.kernel_h = 2, .kernel_w = 2, .pad_h = 2}, Shape{1, 8, 8}) ==
        "maxpool1: padding 2x0 must be at most half the kernel 2x2");
  CHECK(setup_error(Pool2dOptions{.kernel_h = 2, .kernel_w = 2, .pad_w = 2}, Shape{1, 8, 8}) ==
        "maxpool1: padding 0x2 must be at most half the kernel 2x2");
  CHECK(setup_error(Pool2dOptions{.kernel_h = 3, .kernel_w = 3}, Shape{1, 2, 5}) ==
        "maxpool1: kernel 3x3 does not fit input 2x5 (padding 0)");
  CHECK(setup_error(Pool2dOptions{.kernel_h = 3, .kernel_w = 3, .pad_w = 1}, Shape{1, 2, 5}) ==
        "maxpool1: kernel 3x3 does not fit input 2x5 (padding 0x1)");
}

TEST_CASE("pooling backward writes dx, whatever it held, and skips an empty dx") {
  Rng rng(35);
  for (Pool2dOptions o : {Pool2dOptions{.method = PoolMethod::Max, .pad_h = 1, .pad_w = 1},
                          Pool2dOptions{.method = PoolMethod::Average, .stride_h = 1}, Pool2dOptions{.global = true}}) {
    Pool2d<double> pool(o);
    pool.setup(Shape{2, 5, 4});
    test::check_backward_contract(pool, test::random_tensor<double>(Shape{2, 2, 5, 4}, rng), rng);
  }
}

// Planes are split over the threads only in blocks of kElementwiseGrain pixels or more: a batch of one
// small image stays on one thread, a large batch is split. Either way each plane is pooled by one thread in
// the same order, so 2 threads give exactly what 1 gives.
TEST_CASE("pooling gives the same outputs and gradients on 2 threads as on 1, split or not") {
  Rng rng(33);
  for (PoolMethod method : {PoolMethod::Max, PoolMethod::Average})
    for (const int64_t batch : {1, 9}) {  // 20 and 180 planes of 24x24: 56 planes make a block
      INFO((method == PoolMethod::Max ? "max" : "average") << ", batch " << batch);
      Pool2d<float> pool(Pool2dOptions{.method = method, .kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2});
      const Shape sample{20, 24, 24};
      pool.setup(sample);
      const Tensor<float> x = test::random_tensor<float>(sample.with_batch(batch), rng);
      const Tensor<float> dy = test::random_tensor<float>(Shape{batch, 20, 12, 12}, rng);
      Tensor<float> y[2], dx[2];
      for (const int threads : {1, 2}) {
        test::ThreadCount scope(threads);
        pool.forward(x, y[threads - 1], Context{});
        dx[threads - 1] = Tensor<float>(x.shape());
        pool.backward(x, y[threads - 1], dy, dx[threads - 1]);
      }
      CHECK(std::equal(y[0].begin(), y[0].end(), y[1].begin()));
      CHECK(std::equal(dx[0].begin(), dx[0].end(), dx[1].begin()));
      // Not all zero: the loops ran over every plane (the last plane's gradient is where a lost share shows).
      CHECK(std::any_of(dx[1].end() - 576, dx[1].end(), [](float v) { return v != 0.0f; }));
    }
}
