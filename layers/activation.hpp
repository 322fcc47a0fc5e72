#pragma once
// Element-wise activations, each given by its function and its derivative (written in terms of x or of the
// output y, whichever is cheaper):
//   relu        y = max(x, 0)              dy/dx = [x > 0]
//   leaky_relu  y = x > 0 ? x : slope·x     dy/dx = x > 0 ? 1 : slope
//   sigmoid     y = 1 / (1 + e^-x)          dy/dx = y (1 - y)
//   tanh        y = tanh x                  dy/dx = 1 - y²
#include "layers/layer.hpp"

namespace minicnn {

enum class ActivationKind { ReLU, LeakyReLU, Sigmoid, Tanh };

template <typename T>
class Activation : public Layer<T> {
 public:
  explicit Activation(ActivationKind activation, double negative_slope = 0.01)
      : activation_(activation), negative_slope_(static_cast<T>(negative_slope)) {}

  std::string kind() const override;
  Shape setup(const Shape& input) override { return input; }
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override;

  ActivationKind activation() const { return activation_; }
  T negative_slope() const { return negative_slope_; }

 private:
  ActivationKind activation_;
  T negative_slope_;
};

}  // namespace minicnn
