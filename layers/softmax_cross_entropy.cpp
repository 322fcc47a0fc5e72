#include "layers/softmax_cross_entropy.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace minicnn {

template <typename T>
double SoftmaxCrossEntropy<T>::forward(const Tensor<T>& logits, std::span<const int32_t> labels) {
  const int64_t batch = logits.dim(0), classes = logits.dim(1);
  if (static_cast<int64_t>(labels.size()) != batch)
    throw Error("softmax cross-entropy: " + std::to_string(labels.size()) + " labels for a batch of " +
                std::to_string(batch));
  probabilities_.resize(logits.shape());
  labels_ = labels;
  double total = 0.0;
  for (int64_t n = 0; n < batch; ++n) {
    const T* z = logits.data() + n * classes;
    T* p = probabilities_.data() + n * classes;
    if (labels[n] < 0 || labels[n] >= classes)
      throw Error("softmax cross-entropy: label " + std::to_string(labels[n]) + " outside [0, " +
                  std::to_string(classes) + ")");
    const double m = *std::max_element(z, z + classes);
    double sum = 0.0;
    for (int64_t k = 0; k < classes; ++k) sum += std::exp(static_cast<double>(z[k]) - m);
    const double log_sum_exp = m + std::log(sum);
    for (int64_t k = 0; k < classes; ++k) p[k] = static_cast<T>(std::exp(static_cast<double>(z[k]) - log_sum_exp));
    total += log_sum_exp - static_cast<double>(z[labels[n]]);
  }
  return batch > 0 ? total / static_cast<double>(batch) : 0.0;
}

template <typename T>
void SoftmaxCrossEntropy<T>::backward(Tensor<T>& dlogits) const {
  const int64_t batch = probabilities_.dim(0), classes = probabilities_.dim(1);
  const T inv_batch = T(1) / static_cast<T>(batch);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t k = 0; k < classes; ++k) {
      const T onehot = k == labels_[n] ? T(1) : T(0);
      dlogits[n * classes + k] = (probabilities_[n * classes + k] - onehot) * inv_batch;
    }
}

template class SoftmaxCrossEntropy<float>;
template class SoftmaxCrossEntropy<double>;

}  // namespace minicnn
