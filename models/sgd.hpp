#pragma once
// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly as PyTorch's
// torch.optim.SGD (dampening 0). For each parameter w with gradient g and velocity v (initially 0):
//   g ← g + λ·w                  weight decay λ
//   v ← μ·v + g                  momentum μ
//   d ← nesterov ? g + μ·v : v
//   w ← w − η·d                  learning rate η
#include <vector>

#include "core/end_to_end.hpp"
#include "core/tensor.hpp"

namespace minicnn {

struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

template <typename T>
class Sgd {
 public:
  Sgd(std::vector<Param<T>*> params, const SgdOptions& options);

  void step();
  // Whether every gradient is finite, checked before a step so that a diverging run stops before it spoils
  // the weights.
  bool gradients_finite() const;
  void set_learning_rate(double learning_rate) { options_.learning_rate = learning_rate; }
  const SgdOptions& options() const { return options_; }
  // One velocity per parameter, in the order of params (saved in checkpoints).
  std::vector<Tensor<T>>& velocities() { return velocities_; }

 private:
  std::vector<Param<T>*> params_;
  SgdOptions options_;
  std::vector<Tensor<T>> velocities_;
  EndToEnd elements_;  // the parameters' elements, for one parallel loop over all of them
};

}  // namespace minicnn
