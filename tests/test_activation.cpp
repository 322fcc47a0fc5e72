// Activations: each forward against its formula, each backward against finite differences.
#include <doctest/doctest.h>

#include <cmath>

#include "helpers.hpp"
#include "layers/activation.hpp"

using namespace minicnn;

namespace {

constexpr ActivationKind kAll[] = {ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Sigmoid,
                                   ActivationKind::Tanh};

double formula(ActivationKind kind, double x, double slope) {
  switch (kind) {
    case ActivationKind::ReLU: return x > 0 ? x : 0.0;
    case ActivationKind::LeakyReLU: return x > 0 ? x : slope * x;
    case ActivationKind::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case ActivationKind::Tanh: return std::tanh(x);
  }
  return NAN;
}

// Values in ±[0.05, 2): random signs, but never near 0, where ReLU and leaky ReLU have their kink.
Tensor<double> away_from_zero(const Shape& shape, Rng& rng) {
  Tensor<double> t(shape);
  for (double& v : t) v = (rng.below(2) == 1 ? 1.0 : -1.0) * rng.uniform(0.05, 2.0);
  return t;
}

}  // namespace

TEST_CASE("each activation's forward follows its formula") {
  Rng rng(41);
  const Tensor<double> x = test::random_tensor<double>(Shape{3, 2, 4, 5}, rng, -6.0, 6.0);
  for (ActivationKind kind : kAll) {
    Activation<double> f(kind, 0.1);
    CHECK(f.setup(Shape{2, 4, 5}) == Shape{2, 4, 5});
    Tensor<double> y;
    f.forward(x, y, Context{});
    REQUIRE(y.shape() == x.shape());
    INFO(f.kind());
    for (int64_t i = 0; i < x.numel(); ++i) CHECK(y[i] == doctest::Approx(formula(kind, x[i], 0.1)).epsilon(1e-15));
  }
}

TEST_CASE("activations stay finite for large inputs (float)") {
  Tensor<float> x(Shape{1, 4});
  x[0] = -1e4f, x[1] = -100.0f, x[2] = 100.0f, x[3] = 1e4f;
  for (ActivationKind kind : {ActivationKind::Sigmoid, ActivationKind::Tanh}) {
    Activation<float> f(kind);
    Tensor<float> y;
    f.forward(x, y, Context{});
    INFO(f.kind());
    CHECK(y[0] == (kind == ActivationKind::Sigmoid ? 0.0f : -1.0f));
    CHECK(y[3] == 1.0f);
    for (float v : y) CHECK(std::isfinite(v));
  }
}

TEST_CASE("the names of the activations") {
  CHECK(Activation<float>(ActivationKind::ReLU).kind() == "relu");
  CHECK(Activation<float>(ActivationKind::LeakyReLU).kind() == "leaky_relu");
  CHECK(Activation<float>(ActivationKind::Sigmoid).kind() == "sigmoid");
  CHECK(Activation<float>(ActivationKind::Tanh).kind() == "tanh");
}

TEST_CASE("each activation's backward equals finite differences (inputs away from the kink at 0)") {
  Rng rng(42);
  for (ActivationKind kind : kAll)
    for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{7, 3}}) {
      Activation<double> f(kind, 0.2);
      f.setup(shape.without_batch());
      INFO(f.kind() << " on " << shape.str());
      test::check_gradients(gradcheck(f, away_from_zero(shape, rng)));
    }
}

TEST_CASE("each activation's backward writes dx, whatever it held") {
  Rng rng(43);
  for (ActivationKind kind : kAll) {
    Activation<double> f(kind);
    f.setup(Shape{3, 4});
    test::check_backward_contract(f, away_from_zero(Shape{2, 3, 4}, rng), rng);
  }
}
