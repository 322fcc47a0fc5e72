// Data-parallel training steps (models/data_parallel.hpp): on 2 threads, each part of the batch through a
// replica of the network, against the whole batch through the network on 1 thread.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "datasets/synthetic.hpp"
#include "helpers.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "models/bars_network.hpp"
#include "models/data_parallel.hpp"
#include "models/trainer.hpp"

using namespace minicnn;

namespace {

struct Batch {
  Tensor<float> images;
  std::vector<int32_t> labels;
};

Batch bars_batch(int count, uint64_t seed) {
  Rng rng(seed);
  const Dataset data = make_bars(count, 12, rng);
  Batch batch;
  std::vector<int64_t> all(count);
  std::iota(all.begin(), all.end(), int64_t{0});
  data.gather(all, batch.images);
  batch.labels.assign(data.labels.begin(), data.labels.begin() + count);
  return batch;
}

// The bars network (conv 3x3 -> relu -> maxpool -> flatten -> linear 2) with the weights seed 3 draws.
std::unique_ptr<Sequential<float>> bars_network() {
  auto net = std::make_unique<Sequential<float>>();
  build_bars_network(*net);
  Rng rng(3);
  net->init_params(rng);
  return net;
}

std::vector<float> gradients(const Sequential<float>& net) {
  std::vector<float> all;
  for (const Param<float>* p : net.params()) all.insert(all.end(), p->grad.begin(), p->grad.end());
  return all;
}

}  // namespace

TEST_CASE("on 2 threads, a data-parallel step gives the whole batch's loss and gradients") {
  for (int count : {2, 7, 32}) {  // parts of 1 and 1, 3 and 4, 16 and 16 images
    CAPTURE(count);
    const Batch batch = bars_batch(count, 11);
    // The whole batch through the network on one thread, as train_epoch does there.
    auto whole = bars_network();
    double whole_loss = 0.0;
    {
      test::ThreadCount one(1);
      SoftmaxCrossEntropy<float> loss;
      whole_loss = loss.forward(whole->forward(batch.images, Context{true, nullptr}), batch.labels);
      whole->zero_grad();
      loss.backward(whole->output_gradient());
      whole->backward(batch.images, Sequential<float>::InputGradient::NotWanted);
    }
    auto split = bars_network();
    test::ThreadCount two(2);
    REQUIRE(DataParallel::parts(count) == 2);
    DataParallel data_parallel;
    Rng rng(5);
    const DataParallel::Outcome outcome = data_parallel.step(*split, batch.images, batch.labels, rng);
    CHECK(num_threads() == 2);  // each thread ran its part on one thread, and the caller's count is kept
    CHECK(outcome.loss == doctest::Approx(whole_loss).epsilon(1e-6));
    CHECK(outcome.correct == correct_predictions(whole->activation(whole->size() - 1), batch.labels));
    // The same sums over the batch's images, taken in two parts: each gradient differs by rounding only,
    // a few ε of the largest gradient per image summed.
    const std::vector<float> expected = gradients(*whole), got = gradients(*split);
    REQUIRE(expected.size() == got.size());
    float largest = 0.0f;
    for (float g : expected) largest = std::max(largest, std::abs(g));
    REQUIRE(largest > 0.0f);
    const double tolerance = 4.0 * count * std::numeric_limits<float>::epsilon() * largest;
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("gradient " << i << ": whole batch " << expected[i] << ", in parts " << got[i]);
      CHECK(std::abs(expected[i] - got[i]) <= tolerance);
    }
  }
}

TEST_CASE("an error on a part's thread reaches the caller as the Error it was") {
  Batch batch = bars_batch(8, 11);
  batch.labels[6] = 5;  // in part 1, on the second thread; the network has 2 classes
  auto net = bars_network();
  test::ThreadCount two(2);
  DataParallel data_parallel;
  Rng rng(5);
  CHECK_THROWS_WITH_AS(data_parallel.step(*net, batch.images, batch.labels, rng),
                       "softmax cross-entropy: label 5 outside [0, 2)", Error);
}

TEST_CASE("a NaN in the second part's images is named where it first appears, not where it reached net") {
  Batch batch = bars_batch(8, 11);
  batch.images[6 * 144 + 40] = std::numeric_limits<float>::quiet_NaN();  // image 6: part 1
  auto net = bars_network();
  test::ThreadCount two(2);
  DataParallel data_parallel;
  Rng rng(5);
  data_parallel.step(*net, batch.images, batch.labels, rng);
  // ReLU turns the NaN to 0 on the way up, and conv1's weight gradient, x · dy, takes it back in: net saw it
  // only in that gradient, added in from the replica.
  CHECK(net->first_non_finite() == "conv1.weight gradient");
  CHECK(data_parallel.first_non_finite(*net) == "conv1 output");
}

TEST_CASE("each part draws its dropout masks from a generator of its own") {
  // The same image 8 times: parts 0 and 1 drop the same pixels only if they share their masks' generator.
  Batch batch = bars_batch(1, 11);
  const Tensor<float> one = batch.images;
  batch.images.resize(Shape{8, 1, 12, 12});
  for (int n = 0; n < 8; ++n) std::copy(one.begin(), one.end(), batch.images.data() + n * 144);
  batch.labels.assign(8, batch.labels[0]);
  Sequential<float> net;
  net.add(std::make_unique<Flatten<float>>());
  net.add(std::make_unique<Dropout<float>>(0.5));
  net.add(std::make_unique<Linear<float>>(LinearOptions{.units = 2}));
  net.build(Shape{1, 12, 12});
  Rng init(3);
  net.init_params(init);
  test::ThreadCount two(2);
  DataParallel data_parallel;
  Rng rng(5);
  data_parallel.step(net, batch.images, batch.labels, rng);
  const Tensor<float>&part0 = net.activation(1), &part1 = data_parallel.replica(1).activation(1);
  REQUIRE(part0.numel() == part1.numel());
  int64_t dropped = 0, differ = 0;
  for (int64_t i = 0; i < part0.numel(); ++i) {
    dropped += part0[i] == 0.0f;
    differ += part0[i] != part1[i];
  }
  CHECK(dropped > 0);
  CHECK(differ > 0);
}
