// inspect/misclassified.hpp: the confusion matrix, and the misclassified images ordered by the softmax
// probability of their wrong class, checked against probabilities computed here from known logits.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "inspect/misclassified.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"

using namespace minicnn;

TEST_CASE("the confusion matrix counts true class (row) against predicted class (column)") {
  const std::vector<int32_t> labels{0, 0, 1, 2, 2, 2}, predicted{0, 1, 1, 2, 0, 2};
  const auto confusion = confusion_matrix(labels, predicted, 3);
  CHECK(confusion == std::vector<std::vector<int64_t>>{{1, 1, 0}, {0, 1, 0}, {1, 0, 2}});
  CHECK_THROWS_WITH_AS(confusion_matrix(labels, std::vector<int32_t>{0}, 3), doctest::Contains("one prediction per label"), Error);
  CHECK_THROWS_WITH_AS(confusion_matrix(labels, predicted, 2), doctest::Contains("got label 2"), Error);
}

TEST_CASE("the most confident mistakes come first, with the softmax probability of the wrong class") {
  // The network is the identity on 3 inputs (flatten, then a linear layer with W = I, b = 0): the logits
  // are the images themselves.
  Sequential<float> net;
  net.add(std::make_unique<Flatten<float>>());
  auto& linear = dynamic_cast<Linear<float>&>(net.add(std::make_unique<Linear<float>>(LinearOptions{.units = 3})));
  net.build(Shape{1, 1, 3});
  linear.weight().value.zero();
  for (int i = 0; i < 3; ++i) linear.weight().value[i * 3 + i] = 1.0f;
  linear.bias().value.zero();

  const std::vector<std::vector<float>> logits{{2, 0, 0}, {0, 3, 0}, {1, 0, 0.5f}, {0, 0, 4}, {0, 1, 0}, {5, 0, 0}};
  const std::vector<int32_t> labels{0, 0, 2, 1, 2, 1};  // image 0 right; 1, 2, 3, 4, 5 wrong
  // Pixels 2·z, normalized by stddev 2/255: the network's inputs, and so its logits, are z.
  Dataset images{Tensor<uint8_t>(Shape{6, 1, 1, 3}), labels, {"a", "b", "c"}, "six", {0.0, 2.0 / 255}};
  std::vector<int32_t> predictions;
  for (size_t n = 0; n < logits.size(); ++n) {
    for (size_t k = 0; k < 3; ++k) images.pixels[n * 3 + k] = static_cast<uint8_t>(2 * logits[n][k]);
    predictions.push_back(static_cast<int32_t>(std::max_element(logits[n].begin(), logits[n].end()) - logits[n].begin()));
  }
  auto softmax_of_max = [&](size_t n) {
    const double top = *std::max_element(logits[n].begin(), logits[n].end());
    double sum = 0;
    for (float z : logits[n]) sum += std::exp(z - top);
    return 1.0 / sum;
  };
  const std::vector<Mistake> mistakes = most_confident_mistakes(net, images, predictions, 3);
  REQUIRE(mistakes.size() == 3);
  // Confidences: image 5 (logit 5) > image 3 (4) > image 1 (3) > image 4 (1 vs 0, 0) > image 2.
  const int64_t expected[] = {5, 3, 1};
  for (size_t k = 0; k < 3; ++k) {
    CAPTURE(k);
    CHECK(mistakes[k].index == expected[k]);
    CHECK(mistakes[k].label == labels[expected[k]]);
    CHECK(mistakes[k].predicted == predictions[expected[k]]);
    CHECK(mistakes[k].confidence == doctest::Approx(softmax_of_max(expected[k])).epsilon(1e-6));
  }
  CHECK(most_confident_mistakes(net, images, predictions, 100).size() == 5);
  CHECK(most_confident_mistakes(net, images, labels, 100).empty());
  CHECK_THROWS_AS(most_confident_mistakes(net, images, std::vector<int32_t>{0}, 3), Error);
}
