#include "inspect/misclassified.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace minicnn {

std::vector<std::vector<int64_t>> confusion_matrix(std::span<const int32_t> labels,
                                                   std::span<const int32_t> predictions, int classes) {
  if (labels.size() != predictions.size())
    throw Error("a confusion matrix needs one prediction per label, got " + std::to_string(predictions.size()) +
                " for " + std::to_string(labels.size()));
  std::vector<std::vector<int64_t>> confusion(classes, std::vector<int64_t>(classes, 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes || predictions[i] < 0 || predictions[i] >= classes)
      throw Error("a confusion matrix of " + std::to_string(classes) + " classes got label " +
                  std::to_string(labels[i]) + " predicted as " + std::to_string(predictions[i]));
    confusion[labels[i]][predictions[i]]++;
  }
  return confusion;
}

std::vector<Mistake> most_confident_mistakes(Sequential<float>& net, const Dataset& data,
                                             std::span<const int32_t> predictions, int count) {
  const std::vector<int32_t>& labels = data.labels;
  if (labels.size() != predictions.size() || data.pixels.rank() < 1 || data.pixels.dim(0) != data.size())
    throw Error("most_confident_mistakes needs one label and one prediction per image");
  std::vector<Mistake> mistakes;
  std::vector<int64_t> wrong;  // their indices
  for (size_t i = 0; i < labels.size(); ++i)
    if (predictions[i] != labels[i]) {
      mistakes.push_back({static_cast<int64_t>(i), labels[i], predictions[i], 0.0});
      wrong.push_back(static_cast<int64_t>(i));
    }
  const int64_t batch_size = 256;
  Tensor<float> batch;
  for (size_t first = 0; first < mistakes.size(); first += batch_size) {
    const int64_t n = std::min<int64_t>(batch_size, static_cast<int64_t>(mistakes.size() - first));
    data.gather(std::span(wrong).subspan(first, n), batch);
    const Tensor<float>& logits = net.forward(batch, Context{});
    const int64_t classes = logits.dim(1);
    for (int64_t k = 0; k < n; ++k) {
      // softmax(z)[p] = 1 / Σ_j e^{z_j - z_p}
      const float* z = logits.data() + k * classes;
      const int32_t p = mistakes[first + k].predicted;
      double sum = 0.0;
      for (int64_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(z[j]) - z[p]);
      mistakes[first + k].confidence = 1.0 / sum;
    }
  }
  std::stable_sort(mistakes.begin(), mistakes.end(),
                   [](const Mistake& a, const Mistake& b) { return a.confidence > b.confidence; });
  if (static_cast<int>(mistakes.size()) > count) mistakes.resize(count);
  return mistakes;
}

}  // namespace minicnn
