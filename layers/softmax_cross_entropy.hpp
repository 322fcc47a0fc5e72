#pragma once
// Softmax cross-entropy, fused: the loss of logits z [N, C] for labels t, averaged over the batch,
//   L = (1/N) Σ_n [ log Σ_k e^{z[n,k]} - z[n,t_n] ]
// The log-sum-exp is computed as m + log Σ_k e^{z[n,k] - m} with m = max_k z[n,k], so no exponential
// overflows: the loss is finite for logits of ±1e4. Its gradient is the classic
//   dL/dz[n,k] = (softmax(z[n])[k] - [k == t_n]) / N.
#include <cstdint>
#include <span>

#include "core/tensor.hpp"

namespace minicnn {

template <typename T>
class SoftmaxCrossEntropy {
 public:
  // Returns the mean loss and keeps the softmax probabilities for backward(). Labels must be in [0, C).
  double forward(const Tensor<T>& logits, std::span<const int32_t> labels);
  // dlogits = (p - onehot) / N for the last forward.
  void backward(Tensor<T>& dlogits) const;

  const Tensor<T>& probabilities() const { return probabilities_; }

 private:
  Tensor<T> probabilities_;
  std::span<const int32_t> labels_;
};

}  // namespace minicnn
