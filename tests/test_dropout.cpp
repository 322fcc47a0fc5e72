// Dropout: the inverted-dropout mask in training, the identity in evaluation, and the backward (with the mask
// held fixed) against finite differences.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/dropout.hpp"

using namespace minicnn;

TEST_CASE("dropout in training zeroes a fraction p and scales the rest by 1/(1-p)") {
  const double p = 0.3;
  Dropout<double> dropout(p);
  dropout.setup(Shape{100, 100});
  Tensor<double> x(Shape{4, 100, 100});
  x.fill(2.0);
  Rng rng(71);
  Tensor<double> y;
  dropout.forward(x, y, Context{true, &rng});
  int64_t dropped = 0;
  for (double v : y) {
    const bool kept = v == doctest::Approx(2.0 / (1.0 - p)).epsilon(1e-15);
    CHECK((v == 0.0 || kept));
    dropped += v == 0.0;
  }
  // The dropped count is Binomial(n, p): within 5 standard deviations of n·p.
  const double n = static_cast<double>(x.numel());
  CHECK(std::abs(static_cast<double>(dropped) - n * p) < 5.0 * std::sqrt(n * p * (1.0 - p)));
}

TEST_CASE("dropout draws its mask from the context's generator: the same seed gives the same mask") {
  Dropout<float> dropout(0.5);
  dropout.setup(Shape{50});
  Tensor<float> x(Shape{2, 50});
  x.fill(1.0f);
  Tensor<float> first, second, third;
  Rng a(72), b(72);
  dropout.forward(x, first, Context{true, &a});
  dropout.forward(x, second, Context{true, &b});
  dropout.forward(x, third, Context{true, &b});  // the generator moved on: another mask
  int differences = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    CHECK(first[i] == second[i]);
    differences += second[i] != third[i];
  }
  CHECK(differences > 0);
}

TEST_CASE("dropout in evaluation is the identity, and so is p = 0 in training") {
  Rng rng(73);
  const Tensor<float> x = test::random_tensor<float>(Shape{3, 8}, rng);
  Tensor<float> y;
  Dropout<float> evaluated(0.5);
  evaluated.setup(Shape{8});
  evaluated.forward(x, y, Context{false, nullptr});
  for (int64_t i = 0; i < x.numel(); ++i) CHECK(y[i] == x[i]);
  Dropout<float> inactive(0.0);
  inactive.setup(Shape{8});
  inactive.forward(x, y, Context{true, &rng});
  for (int64_t i = 0; i < x.numel(); ++i) CHECK(y[i] == x[i]);
}

TEST_CASE("dropout backward equals finite differences in training, with the mask held fixed") {
  Rng rng(74);
  Dropout<double> dropout(0.4);
  dropout.setup(Shape{3, 4, 4});
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 3, 4, 4}, rng);
  Rng mask_rng(75);
  const std::vector<GradcheckReport> reports = gradcheck(dropout, x, Context{true, &mask_rng});
  test::check_gradients(reports);
  // Not vacuous: some elements were dropped (gradient 0) and some kept (gradient r/(1-p) ≠ 0).
  Tensor<double> y;
  Rng replay(75);
  dropout.forward(x, y, Context{true, &replay});
  int zeros = 0;
  for (double v : y) zeros += v == 0.0;
  CHECK(zeros > 0);
  CHECK(zeros < y.numel());
}

TEST_CASE("dropout rejects a probability outside [0, 1) and a training forward without a generator") {
  Dropout<float> certain(1.0);
  certain.name = "dropout1";
  CHECK_THROWS_WITH_AS(certain.setup(Shape{4}), "dropout1: the drop probability must be in [0, 1), got 1.000000",
                       Error);
  CHECK_THROWS_AS(Dropout<float>(-0.1).setup(Shape{4}), Error);
  Dropout<float> dropout(0.5);
  dropout.setup(Shape{4});
  Tensor<float> x(Shape{1, 4}), y;
  CHECK_THROWS_AS(dropout.forward(x, y, Context{true, nullptr}), Error);
}

TEST_CASE("dropout backward writes dx, whatever it held") {
  Rng rng(76);
  Dropout<double> dropout(0.5);
  dropout.setup(Shape{6});
  test::check_backward_contract(dropout, test::random_tensor<double>(Shape{3, 6}, rng), rng);
}
