#include "models/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace minicnn {
namespace {

// Makes the inputs and labels of the samples `order` (a slice of the epoch's order) the batch.
void gather_batch(const Dataset& data, std::span<const int64_t> order, BatchBuffers& buffers) {
  data.gather(order, buffers.images);
  buffers.labels.resize(order.size());
  for (size_t k = 0; k < order.size(); ++k) buffers.labels[k] = data.labels[order[k]];
}

void add_batch(EpochStats& stats, double batch_loss, const Tensor<float>& logits,
               std::span<const int32_t> labels) {
  const int64_t count = logits.dim(0);
  int64_t correct = 0;
  for (int64_t n = 0; n < count; ++n) correct += argmax_row(logits, n) == labels[n];
  const double seen = static_cast<double>(stats.images);
  stats.loss = (stats.loss * seen + batch_loss * count) / (seen + count);
  stats.accuracy = (stats.accuracy * seen + correct) / (seen + count);
  stats.images += count;
}

void check_sizes(const Dataset& data, int batch_size) {
  if (batch_size < 1) throw Error("the batch size must be positive, got " + std::to_string(batch_size));
  if (data.pixels.rank() < 2 || data.pixels.dim(0) != data.size())
    throw Error("there are " + std::to_string(data.size()) + " labels for images of shape " + data.pixels.shape().str());
}

}  // namespace

int32_t argmax_row(const Tensor<float>& logits, int64_t row) {
  const int64_t classes = logits.dim(1);
  const float* z = logits.data() + row * classes;
  return static_cast<int32_t>(std::max_element(z, z + classes) - z);
}

EpochProgress train_epoch(Sequential<float>& net, Sgd<float>& sgd, const Dataset& data, int batch_size, Rng& rng,
                          BatchBuffers& buffers, const BatchCallback& on_batch, const EpochProgress& resume) {
  check_sizes(data, batch_size);
  const int64_t total = data.size(), batches = (total + batch_size - 1) / batch_size;
  // Fisher-Yates shuffle of the sample order, drawn from the run's generator.
  buffers.order.resize(total);
  std::iota(buffers.order.begin(), buffers.order.end(), int64_t{0});
  for (int64_t i = total - 1; i > 0; --i) std::swap(buffers.order[i], buffers.order[rng.below(i + 1)]);
  EpochProgress progress = resume;
  if (resume.batches_done > 0) rng.set_state(resume.rng_state);
  const Context ctx{true, &rng};
  for (int64_t b = progress.batches_done; b < batches; ++b) {
    const int64_t first = b * batch_size, count = std::min<int64_t>(batch_size, total - first);
    gather_batch(data, std::span(buffers.order).subspan(first, count), buffers);
    const Tensor<float>& logits = net.forward(buffers.images, ctx);
    const double loss = buffers.loss.forward(logits, buffers.labels);
    net.zero_grad();
    buffers.loss.backward(net.output_gradient());
    net.backward(buffers.images, Sequential<float>::InputGradient::NotWanted);
    // Stop before a bad step can spoil the weights: a non-finite loss or gradient names where it started.
    if (!std::isfinite(loss) || !sgd.gradients_finite()) {
      const std::string where = net.first_non_finite();
      throw TrainingDiverged("the loss became " + std::to_string(loss) + " in batch " + std::to_string(b + 1) +
                             (where.empty() ? "" : "; first non-finite value: " + where));
    }
    sgd.step();
    add_batch(progress.stats, loss, logits, buffers.labels);
    progress.batches_done = b + 1;
    progress.rng_state = rng.state();
    if (on_batch && !on_batch(progress, batches)) break;
  }
  return progress;
}

EpochStats evaluate(Sequential<float>& net, const Dataset& data, int batch_size, BatchBuffers& buffers,
                    std::vector<int32_t>* predictions) {
  check_sizes(data, batch_size);
  const int64_t total = data.size();
  buffers.order.resize(total);
  std::iota(buffers.order.begin(), buffers.order.end(), int64_t{0});
  const Context ctx{false, nullptr};
  EpochStats stats;
  if (predictions != nullptr) predictions->clear();
  for (int64_t first = 0; first < total; first += batch_size) {
    const int64_t count = std::min<int64_t>(batch_size, total - first);
    gather_batch(data, std::span(buffers.order).subspan(first, count), buffers);
    const Tensor<float>& logits = net.forward(buffers.images, ctx);
    for (int64_t n = 0; predictions != nullptr && n < count; ++n) predictions->push_back(argmax_row(logits, n));
    add_batch(stats, buffers.loss.forward(logits, buffers.labels), logits, buffers.labels);
  }
  return stats;
}

}  // namespace minicnn
