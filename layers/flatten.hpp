#pragma once
// Flatten: [N, C, H, W] -> [N, C·H·W]. The values do not move (NCHW is already row-major), only the shape
// changes; the gradient flows back unchanged.
#include <algorithm>

#include "layers/layer.hpp"

namespace minicnn {

template <typename T>
class Flatten : public Layer<T> {
 public:
  std::string kind() const override { return "flatten"; }
  Shape setup(const Shape& input) override { return Shape{input.numel()}; }
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context&) override {
    y.resize(Shape{x.dim(0), x.numel() / std::max<int64_t>(x.dim(0), 1)});
    std::copy(x.begin(), x.end(), y.begin());
  }
  void backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) override {
    if (dx.empty()) return;  // dL/dx is not wanted
    std::copy(dy.begin(), dy.end(), dx.begin());  // dx = dy
  }
};

}  // namespace minicnn
