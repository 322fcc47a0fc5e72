// Softmax cross-entropy: known losses, stability for huge logits, and the gradient (softmax - onehot)/N, both
// computed independently and against finite differences of the loss.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/softmax_cross_entropy.hpp"

using namespace minicnn;

TEST_CASE("uniform logits give the loss log C, whatever their value") {
  for (int classes : {2, 3, 10})
    for (double value : {0.0, 7.5, -300.0}) {
      Tensor<double> logits(Shape{2, classes});
      logits.fill(value);
      const std::vector<int32_t> labels{0, classes - 1};
      SoftmaxCrossEntropy<double> loss;
      CHECK(loss.forward(logits, labels) == doctest::Approx(std::log(classes)).epsilon(1e-14));
    }
}

TEST_CASE("the loss of logits (1, 2, 3) is log(e + e² + e³) - z[label], averaged over the batch") {
  Tensor<double> logits(Shape{2, 3});
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 3; ++k) logits[n * 3 + k] = k + 1.0;
  const std::vector<int32_t> labels{0, 2};
  SoftmaxCrossEntropy<double> loss;
  const double log_sum = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  CHECK(loss.forward(logits, labels) == doctest::Approx(((log_sum - 1.0) + (log_sum - 3.0)) / 2).epsilon(1e-14));
}

TEST_CASE("logits of ±1e4 give a finite, correct loss and gradient (float)") {
  Tensor<float> logits(Shape{2, 3});
  const float z[] = {1e4f, -1e4f, 0.0f, -1e4f, 1e4f, 1e4f};
  std::copy(std::begin(z), std::end(z), logits.begin());
  // Row 0 labelled 1: log Σ e^z = 1e4 (the other terms vanish), the loss 1e4 - (-1e4) = 2e4.
  // Row 1 labelled 2: two equal largest logits, log Σ e^z = 1e4 + log 2, the loss log 2.
  const std::vector<int32_t> labels{1, 2};
  SoftmaxCrossEntropy<float> loss;
  const double value = loss.forward(logits, labels);
  CHECK(std::isfinite(value));
  CHECK(value == doctest::Approx((2e4 + std::log(2.0)) / 2).epsilon(1e-12));
  Tensor<float> dlogits(logits.shape());
  loss.backward(dlogits);
  const float expected[] = {0.5f, -0.5f, 0.0f, 0.0f, 0.25f, -0.25f};  // (p - onehot)/2, p = (1,0,0), (0,½,½)
  for (int i = 0; i < 6; ++i) CHECK(dlogits[i] == doctest::Approx(expected[i]).epsilon(1e-6));
}

TEST_CASE("the gradient is (softmax - onehot)/N, and backward writes it") {
  Rng rng(81);
  const int N = 4, C = 5;
  const Tensor<double> logits = test::random_tensor<double>(Shape{N, C}, rng, -3.0, 3.0);
  const std::vector<int32_t> labels{0, 4, 2, 2};
  SoftmaxCrossEntropy<double> loss;
  loss.forward(logits, labels);
  Tensor<double> dlogits(logits.shape());
  dlogits.fill(1.0);  // backward writes over what is there
  loss.backward(dlogits);
  for (int n = 0; n < N; ++n) {
    double sum = 0.0;
    for (int k = 0; k < C; ++k) sum += std::exp(logits[n * C + k]);
    for (int k = 0; k < C; ++k) {
      const double softmax = std::exp(logits[n * C + k]) / sum, onehot = k == labels[n] ? 1.0 : 0.0;
      CHECK(loss.probabilities()[n * C + k] == doctest::Approx(softmax).epsilon(1e-14));
      CHECK(dlogits[n * C + k] == doctest::Approx((softmax - onehot) / N).epsilon(1e-14));
    }
  }
}

TEST_CASE("the gradient equals finite differences of the loss") {
  Rng rng(82);
  Tensor<double> logits = test::random_tensor<double>(Shape{3, 4}, rng, -2.0, 2.0);
  const std::vector<int32_t> labels{3, 0, 1};
  SoftmaxCrossEntropy<double> loss;
  loss.forward(logits, labels);
  Tensor<double> dlogits(logits.shape());
  loss.backward(dlogits);
  const GradcheckReport report =
      check_gradient("logits", logits, dlogits, [&] { return loss.forward(logits, labels); });
  INFO(describe(report));
  CHECK(report.passed);
  CHECK(report.kinks_skipped == 0);
}

TEST_CASE("labels must be in [0, C), one per sample") {
  Tensor<float> logits(Shape{2, 3});
  SoftmaxCrossEntropy<float> loss;
  const std::vector<int32_t> outside{0, 3}, negative{-1, 0}, too_few{0};
  CHECK_THROWS_WITH_AS(loss.forward(logits, outside), "softmax cross-entropy: label 3 outside [0, 3)", Error);
  CHECK_THROWS_AS(loss.forward(logits, negative), Error);
  CHECK_THROWS_WITH_AS(loss.forward(logits, too_few), "softmax cross-entropy: 1 labels for a batch of 2", Error);
}
