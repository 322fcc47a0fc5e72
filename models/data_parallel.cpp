#include "models/data_parallel.hpp"

#include <algorithm>

#include "core/parallel.hpp"
#include "models/trainer.hpp"

namespace minicnn {

int DataParallel::parts(int64_t count) { return static_cast<int>(std::clamp<int64_t>(count, 0, num_threads())); }

DataParallel::Outcome DataParallel::step(Sequential<float>& net, const Tensor<float>& images,
                                         std::span<const int32_t> labels, Rng& rng) {
  const int64_t count = images.dim(0);
  used_ = parts(count);
  while (static_cast<int>(parts_.size()) < used_)
    parts_.push_back(Part{parts_.empty() ? Sequential<float>() : net.replica(), {}, Rng(), {}, nullptr});
  // Serially, in part order: the parts' generators, and the weights every replica trains (the network's
  // values may have been replaced since the last step, by a loaded checkpoint).
  for (int t = 0; t < used_; ++t) {
    parts_[t].rng = Rng(rng.next_u64());
    if (t > 0) parts_[t].replica.share_values(net);
  }
  const auto run_part = [&](int t) {
    Part& part = parts_[t];
    Sequential<float>& network = t == 0 ? net : part.replica;
    const int64_t first = count * t / used_, size = count * (t + 1) / used_ - first;
    const Tensor<float> x = images.samples(first, size);
    const std::span<const int32_t> part_labels = labels.subspan(first, size);
    const Tensor<float>& logits = network.forward(x, Context{true, &part.rng});
    part.outcome = {part.loss.forward(logits, part_labels), correct_predictions(logits, part_labels)};
    network.zero_grad();
    part.loss.backward(network.output_gradient(), count);  // 1/B of the whole batch
    network.backward(x, Sequential<float>::InputGradient::NotWanted);
  };
#pragma omp parallel num_threads(used_)
  {
    // Each thread runs its parts single-threaded: a layer's parallel loops then make one block, and the
    // conv layers no gradient shares. (A region nested in another gets fewer threads than parts: the
    // threads that came run every part between them.)
    omp_set_num_threads(1);
    for (int t = omp_get_thread_num(); t < used_; t += omp_get_num_threads()) {
      try {
        parts_[t].error = nullptr;
        run_part(t);
      } catch (...) {
        parts_[t].error = std::current_exception();  // an exception may not leave an OpenMP region
      }
    }
  }
  Outcome batch;
  for (int t = 0; t < used_; ++t) {
    if (parts_[t].error) std::rethrow_exception(parts_[t].error);
    if (t > 0) net.add_gradients(parts_[t].replica);
    const int64_t size = count * (t + 1) / used_ - count * t / used_;
    batch.loss += parts_[t].outcome.loss * static_cast<double>(size) / static_cast<double>(count);
    batch.correct += parts_[t].outcome.correct;
  }
  return batch;
}

std::string DataParallel::first_non_finite(const Sequential<float>& net) const {
  for (int t = 1; t < used_; ++t)
    if (std::string where = parts_[t].replica.first_non_finite(); !where.empty()) return where;
  return net.first_non_finite();
}

}  // namespace minicnn
