#pragma once
// Flatten: [N, C, H, W] -> [N, C·H·W]. The values do not move (NCHW is already row-major): the output is a
// view of the input, and the input gradient a view of the output gradient, with no copy either way.
#include <algorithm>

#include "layers/layer.hpp"

namespace minicnn {

template <typename T>
class Flatten : public Layer<T> {
 public:
  std::string kind() const override { return "flatten"; }
  Shape setup(const Shape& input) override { return Shape{input.numel()}; }
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context&) override {
    y = x.view(Shape{x.dim(0), x.numel() / std::max<int64_t>(x.dim(0), 1)});
  }
  void backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) override {
    if (dx.empty()) return;  // dL/dx is not wanted
    dx = dy.view(x.shape());  // dx = dy
  }
};

}  // namespace minicnn
