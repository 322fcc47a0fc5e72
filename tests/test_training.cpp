// The training loop end to end: a small conv net learns the generated bars problem; the same seed gives
// bit-identical weights, on 1 thread and on 2; 2 threads agree with 1 to float tolerance.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "datasets/synthetic.hpp"
#include "helpers.hpp"
#include "layers/activation.hpp"
#include "layers/conv2d.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pool2d.hpp"
#include "models/bars_network.hpp"
#include "models/trainer.hpp"

using namespace minicnn;

namespace {

struct Outcome {
  std::vector<float> weights;  // every parameter, in order
  std::vector<double> train_losses;
  EpochStats tested;
};

// conv 3x3 (4 filters) -> relu -> maxpool 2x2 -> flatten -> linear 2, SGD with momentum, batches of 32,
// on 2000 generated 12x12 training images; tested on 500 others.
Outcome train_bars(uint64_t seed, int threads, int epochs) {
  test::ThreadCount scope(threads);
  Rng rng(seed);
  const Dataset train = make_bars(2000, 12, rng), test = make_bars(500, 12, rng);
  Sequential<float> net;
  build_bars_network(net);
  net.init_params(rng);
  Sgd<float> sgd(net.params(), SgdOptions{.learning_rate = 0.05, .momentum = 0.9});
  BatchBuffers buffers;
  Outcome outcome;
  for (int epoch = 0; epoch < epochs; ++epoch)
    outcome.train_losses.push_back(train_epoch(net, sgd, train, 32, rng, buffers).stats.loss);
  outcome.tested = evaluate(net, test, 100, buffers);
  for (Param<float>* p : net.params()) outcome.weights.insert(outcome.weights.end(), p->value.begin(), p->value.end());
  return outcome;
}

}  // namespace

TEST_CASE("a small conv net learns horizontal vs vertical bars to at least 98% test accuracy") {
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = train_bars(1, 1, 3);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("3 epochs of 2000 images in " << seconds << " s: test accuracy " << outcome.tested.accuracy
                                        << ", test loss " << outcome.tested.loss);
  CHECK(outcome.tested.images == 500);
  CHECK(outcome.tested.accuracy >= 0.98);
  CHECK(outcome.train_losses.back() < outcome.train_losses.front());  // it learned, epoch after epoch
  CHECK(outcome.train_losses.front() < std::log(2.0));                 // below chance from the first epoch
}

TEST_CASE("a training step allocates no tensor once the first batches have sized every buffer") {
  test::ThreadCount scope(2);
  Rng rng(3);
  const Dataset train = make_bars(1000, 12, rng);  // batches of 32, and a last one of 8
  Sequential<float> net;
  build_bars_network(net);
  net.init_params(rng);
  Sgd<float> sgd(net.params(), SgdOptions{.learning_rate = 0.05, .momentum = 0.9});
  BatchBuffers buffers;
  int64_t after_two_batches = -1;
  train_epoch(net, sgd, train, 32, rng, buffers, [&](const EpochProgress& progress, int64_t) {
    if (progress.batches_done == 2) after_two_batches = tensor_allocations();
    return true;
  });
  REQUIRE(after_two_batches > 0);
  CHECK(tensor_allocations() == after_two_batches);
  train_epoch(net, sgd, train, 32, rng, buffers);  // a second epoch
  CHECK(tensor_allocations() == after_two_batches);
}

TEST_CASE("single-threaded, the same seed gives bit-identical weights") {
  const Outcome a = train_bars(7, 1, 1), b = train_bars(7, 1, 1);
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) CHECK(a.weights[i] == b.weights[i]);
  CHECK(a.train_losses == b.train_losses);
  const Outcome other = train_bars(8, 1, 1);
  CHECK(other.weights != a.weights);
}

TEST_CASE("on 2 threads too, the same seed gives bit-identical weights") {
  // Whichever thread takes which block of a loop, every sum is taken in the same order (core/parallel.hpp).
  const Outcome a = train_bars(7, 2, 1), b = train_bars(7, 2, 1);
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) CHECK(a.weights[i] == b.weights[i]);
  CHECK(a.train_losses == b.train_losses);
}

TEST_CASE("2 threads give the same training as 1, to float tolerance") {
  const Outcome one = train_bars(9, 1, 1), two = train_bars(9, 2, 1);
  REQUIRE(one.weights.size() == two.weights.size());
  // Only the order of the gradient sums over the batch differs (per-block partial sums): each of the 63
  // SGD steps may move a weight differently by a rounding error, ~ε·|w|, and the steps add them up.
  const double steps = 63;  // ceil(2000 / 32)
  float largest = 0.0f;
  for (float w : one.weights) largest = std::max(largest, std::abs(w));
  const double tolerance = steps * std::numeric_limits<float>::epsilon() * largest;
  for (size_t i = 0; i < one.weights.size(); ++i) {
    INFO("weight " << i << ": 1 thread " << one.weights[i] << ", 2 threads " << two.weights[i]);
    CHECK(std::abs(one.weights[i] - two.weights[i]) <= tolerance);
  }
  CHECK(one.train_losses[0] == doctest::Approx(two.train_losses[0]).epsilon(steps * 1e-7));
  CHECK(std::abs(one.tested.accuracy - two.tested.accuracy) <= 1.0 / 500);  // at most one test image apart
}

TEST_CASE("evaluate counts correct arg-max predictions and averages the loss") {
  // A net computing logits (x0, x1) of a 2-pixel image [1,1,2]: the arg-max is the brighter pixel.
  Sequential<float> net;
  net.add(std::make_unique<Flatten<float>>());
  net.build(Shape{1, 1, 2});
  // Normalized by stddev 1/255, the inputs are the pixel values themselves.
  Dataset data{Tensor<uint8_t>(Shape{5, 1, 1, 2}), {1, 0, 0, 0, 1}, {"a", "b"}, "five", {0.0, 1.0 / 255}};
  const uint8_t pixels[] = {0, 1, 1, 0, 2, 3, 5, 4, 0, 0};  // the third is wrong; the fifth a tie, won by class 0
  std::copy(std::begin(pixels), std::end(pixels), data.pixels.begin());
  BatchBuffers buffers;
  const EpochStats stats = evaluate(net, data, 2, buffers);  // batches of 2, 2 and 1
  CHECK(stats.images == 5);
  CHECK(stats.accuracy == doctest::Approx(3.0 / 5.0));
  // Each loss is log(e^a + e^b) - z[label]: log(1 + e) - 1 for each of the three right by a gap of 1,
  // log(1 + e) for the wrong one, log 2 for the tie.
  const double gap = std::log(1.0 + std::exp(1.0));
  CHECK(stats.loss == doctest::Approx((3 * (gap - 1.0) + gap + std::log(2.0)) / 5).epsilon(1e-6));
  CHECK(argmax_row(net.forward(data.inputs(), Context{}), 3) == 0);
}

TEST_CASE("the training loop refuses a batch size below 1 and a label count that does not match") {
  Sequential<float> net;
  net.add(std::make_unique<Flatten<float>>());
  net.build(Shape{1, 1, 2});
  Sgd<float> sgd(net.params(), SgdOptions{});
  Dataset data{Tensor<uint8_t>(Shape{3, 1, 1, 2}), {0, 1, 0}, {"a", "b"}, "three", {}};
  Rng rng(1);
  BatchBuffers buffers;
  CHECK_THROWS_WITH_AS(train_epoch(net, sgd, data, 0, rng, buffers), "the batch size must be positive, got 0", Error);
  data.labels.pop_back();
  CHECK_THROWS_WITH_AS(evaluate(net, data, 2, buffers), "there are 2 labels for images of shape 3x1x1x2", Error);
}
