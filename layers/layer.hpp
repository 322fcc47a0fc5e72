#pragma once
// The interface every layer implements. A layer sees one batch at a time, [N, ...]; its shapes are given and
// checked once, by setup(), when the network is built.
//
// The rule for gradients, Caffe's: backward() *writes* dx, whatever it held, and *adds* into its parameters'
// gradients. A parameter's gradient sums over everything that used it until zero_grad() clears it; an
// activation's gradient has one writer, the layer that read the activation, so nothing clears those: a
// step does not spend a pass over memory zeroing buffers that are about to be overwritten.
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace minicnn {

struct Context {
  bool training = false;  // dropout is active only in training
  Rng* rng = nullptr;     // the source of dropout masks
};

template <typename T>
class Layer {
 public:
  virtual ~Layer() = default;

  // "conv2d", "maxpool", ...: the type name used in configs.
  virtual std::string kind() const = 0;

  // Checks that the layer fits an input of one sample's shape (no batch axis) and returns the output's.
  // Throws Error naming the layer and the numbers when it does not fit.
  virtual Shape setup(const Shape& input) = 0;

  // y = f(x); y is resized to the batch's output shape.
  virtual void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) = 0;

  // dx = dL/dx and each param.grad += dL/dparam, given the x and y of the last forward and dy = dL/dy.
  // An empty dx means dL/dx is not wanted (the layer is first in its network): only the parameter
  // gradients are computed.
  virtual void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) = 0;

  virtual std::vector<Param<T>*> params() { return {}; }

  // Draws the initial parameter values.
  virtual void init_params(Rng&) {}

  std::string name;  // "conv1", set by the network
};

}  // namespace minicnn
