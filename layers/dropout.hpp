#pragma once
// Dropout (inverted, as PyTorch's nn.Dropout): in training each element is kept with probability 1 - p and
// scaled by 1/(1 - p), so the expected output equals the input and evaluation needs no rescaling.
//   y = x · m,  m = [u >= p] / (1 - p),  u ~ U(0,1) from the context's seeded RNG      dx = dy · m
// In evaluation y = x. The mask of the last forward is kept for the backward.
#include "layers/layer.hpp"

namespace minicnn {

template <typename T>
class Dropout : public Layer<T> {
 public:
  explicit Dropout(double probability) : probability_(probability) {}

  std::string kind() const override { return "dropout"; }
  Shape setup(const Shape& input) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override;

  double probability() const { return probability_; }

 private:
  double probability_;
  Tensor<T> mask_;
};

}  // namespace minicnn
