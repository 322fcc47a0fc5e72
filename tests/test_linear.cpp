// Linear: the forward against y = W·x + b written out, the backward against finite differences, and the same
// results on 1 and 2 threads.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/linear.hpp"

using namespace minicnn;

namespace {

template <typename T>
Linear<T> make_linear(int in, int out, bool bias, Rng& rng) {
  Linear<T> linear(LinearOptions{.units = out, .bias = bias});
  linear.name = "fc1";
  linear.setup(Shape{in});
  linear.weight().value = test::random_tensor<T>(linear.weight().value.shape(), rng);
  if (bias) linear.bias().value = test::random_tensor<T>(linear.bias().value.shape(), rng);
  return linear;
}

}  // namespace

// Below kTileLeastBatch images the forward is a dot product per unit and image, from it on the register
// tile's GEMM, with 37 units in whole vectors and a rest; 77 inputs end the dot products' vectors early.
TEST_CASE("linear forward is y[n,o] = b[o] + Σ_i W[o,i]·x[n,i]") {
  Rng rng(51);
  for (const int batch : {3, Linear<double>::kTileLeastBatch + 1})
    for (bool bias : {true, false}) {
      INFO("batch " << batch << (bias ? ", bias" : ", no bias"));
      const int IN = 77, OUT = 37;
      Linear<double> linear = make_linear<double>(IN, OUT, bias, rng);
      const Tensor<double> x = test::random_tensor<double>(Shape{batch, IN}, rng);
      Tensor<double> y;
      linear.forward(x, y, Context{});
      REQUIRE(y.shape() == Shape{batch, OUT});
      for (int n = 0; n < batch; ++n)
        for (int o = 0; o < OUT; ++o) {
          double sum = bias ? linear.bias().value[o] : 0.0;
          for (int i = 0; i < IN; ++i) sum += linear.weight().value[o * IN + i] * x[n * IN + i];
          CHECK(y[n * OUT + o] == doctest::Approx(sum).epsilon(1e-14));
        }
    }
}

TEST_CASE("linear backward: input, weight and bias gradients equal finite differences") {
  Rng rng(52);
  for (int batch : {1, 3, 5, Linear<double>::kTileLeastBatch + 1})
    for (bool bias : {true, false}) {
      INFO("batch " << batch << (bias ? ", bias" : ", no bias"));
      Linear<double> linear = make_linear<double>(7, 4, bias, rng);
      const Tensor<double> x = test::random_tensor<double>(Shape{batch, 7}, rng);
      const std::vector<GradcheckReport> reports = gradcheck(linear, x);
      REQUIRE(reports.size() == (bias ? 3u : 2u));
      CHECK(reports[1].name == "fc1.weight");
      test::check_gradients(reports);
    }
}

// On more than one thread the forward and dW's GEMM are cut into blocks of whole strips of units, 4 a thread
// (no more than 8 here: a block has at least 1M multiply-adds), and dX's into threads / 2 blocks on an even
// number of threads, `threads` on an odd one (layers/linear.cpp). Of the second layer's 7 units, 2 strips:
// as many blocks as that.
TEST_CASE("linear gives the same results on 2, 3 and 4 threads as on 1") {
  struct Sizes { int in, out, batch; };
  // Odd sizes: the threads get unequal blocks. The GEMMs have 8.3M and 9.0M multiply-adds.
  for (const Sizes sizes : {Sizes{301, 211, 131}, Sizes{20011, 7, 64}}) {
    const int IN = sizes.in, OUT = sizes.out, batch = sizes.batch;
    INFO(IN << " -> " << OUT << ", batch " << batch);
    Rng rng(53);
    Linear<float> linear = make_linear<float>(IN, OUT, true, rng);
    const Tensor<float> x = test::random_tensor<float>(Shape{batch, IN}, rng);
    const test::LayerPass one = test::run_layer_pass(linear, x, 1, 54);
    // Each result sums at most K + 1 terms below 1 in magnitude (K = IN for y, plus the bias; OUT for dx;
    // batch for dW and db), in an order the blocking may change. Each is within (K + 1)·ε·(K + 1) of the
    // exact value, so the two agree to twice that.
    const double eps = std::numeric_limits<float>::epsilon();
    for (const int threads : {2, 3, 4}) {
      INFO(threads << " threads");
      const test::LayerPass many = test::run_layer_pass(linear, x, threads, 54);
      auto agree = [&](const Tensor<float>& a, const Tensor<float>& b, int K) {
        REQUIRE(a.shape() == b.shape());
        for (int64_t k = 0; k < a.numel(); ++k) {
          INFO("element " << k << ": 1 thread " << a[k] << ", more " << b[k]);
          CHECK(std::abs(a[k] - b[k]) <= 2.0 * (K + 1) * eps * (K + 1));
        }
      };
      agree(one.y, many.y, IN);
      agree(one.dx, many.dx, OUT);
      agree(one.dweight, many.dweight, batch);
      agree(one.dbias, many.dbias, batch);
    }
  }
}

TEST_CASE("linear needs a flat input") {
  Linear<float> linear(LinearOptions{.units = 3});
  linear.name = "fc1";
  CHECK_THROWS_WITH_AS(linear.setup(Shape{4, 6, 6}),
                       "fc1: expects a flat input, got 4x6x6 (add a flatten layer before it)", Error);
  CHECK(linear.setup(Shape{144}) == Shape{3});
  CHECK(linear.in_features() == 144);
}

TEST_CASE("linear backward writes dx and adds into the parameter gradients") {
  Rng rng(55);
  Linear<double> linear = make_linear<double>(5, 3, true, rng);
  test::check_backward_contract(linear, test::random_tensor<double>(Shape{4, 5}, rng), rng);
}
