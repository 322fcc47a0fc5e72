#pragma once
// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly as PyTorch's
// torch.optim.SGD (dampening 0). For each parameter w with gradient g and velocity v (initially 0):
//   g ← g + λ·w                  weight decay λ
//   v ← μ·v + g                  momentum μ
//   d ← nesterov ? g + μ·v : v
//   w ← w − η·d                  learning rate η
#include <vector>

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
  void set_learning_rate(double learning_rate) { options_.learning_rate = learning_rate; }
  const SgdOptions& options() const { return options_; }
  // One velocity per parameter, in the order of params (saved in checkpoints).
  std::vector<Tensor<T>>& velocities() { return velocities_; }

 private:
  std::vector<Param<T>*> params_;
  SgdOptions options_;
  std::vector<Tensor<T>> velocities_;
  std::vector<int64_t> first_element_;  // where each parameter starts when all are laid end to end
  int64_t total_elements_ = 0;
};

}  // namespace minicnn
