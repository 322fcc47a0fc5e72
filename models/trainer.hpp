#pragma once
// The training loop: mini-batches in a shuffled order, forward, loss, backward, one SGD step; and evaluation.
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "datasets/dataset.hpp"
#include "layers/softmax_cross_entropy.hpp"
#include "models/sequential.hpp"
#include "models/sgd.hpp"

namespace minicnn {

struct EpochStats {
  double loss = 0.0;      // mean over the images seen
  double accuracy = 0.0;  // fraction of images whose arg-max logit is the label
  int64_t images = 0;
};

// Where an epoch stands after some batches. An interrupted run saves it, so that the resumed run draws the
// same order and the same dropout masks and ends with the same weights, bit for bit.
struct EpochProgress {
  int64_t batches_done = 0;
  EpochStats stats;       // over the batches done
  Rng::State rng_state{}; // the generator after those batches
};

// Called after every batch; returning false stops the epoch there (on Ctrl-C).
using BatchCallback = std::function<bool(const EpochProgress& progress, int64_t batches)>;

// Thrown when the loss or a gradient becomes NaN or infinite; the message names the batch and the first
// layer where it happened.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Buffers a training or evaluation loop reuses from batch to batch, so that a step allocates nothing once
// the first batch has run.
struct BatchBuffers {
  Tensor<float> images;
  std::vector<int32_t> labels;
  std::vector<int64_t> order;
  SoftmaxCrossEntropy<float> loss;
};

// One pass over all images in an order shuffled by rng (which must be in its state at the epoch's start).
// To finish an interrupted epoch, pass its saved progress: the order is drawn again, the batches done are
// skipped and the generator continues from the saved state.
EpochProgress train_epoch(Sequential<float>& net, Sgd<float>& sgd, const Dataset& data, int batch_size, Rng& rng,
                          BatchBuffers& buffers, const BatchCallback& on_batch = {}, const EpochProgress& resume = {});

// Loss and accuracy over all images, in order, in evaluation mode; each image's predicted class into
// `predictions` when given.
EpochStats evaluate(Sequential<float>& net, const Dataset& data, int batch_size, BatchBuffers& buffers,
                    std::vector<int32_t>* predictions = nullptr);

// The index of the largest logit of each row of a [N, C] tensor.
int32_t argmax_row(const Tensor<float>& logits, int64_t row);

}  // namespace minicnn
