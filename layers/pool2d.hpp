#pragma once
// Pool2d: max or average pooling over KHxKW windows, as PyTorch's MaxPool2d / AvgPool2d (floor mode;
// average pooling counts padded zeros, count_include_pad=True). "global" pools each whole channel to 1x1.
//   max:     y[n,c,i,j] = max over the window of x          backward: the gradient goes to the argmax
//   average: y[n,c,i,j] = (1 / KH·KW) Σ over the window of x  backward: it is spread evenly over the window
#include <cstdint>
#include <vector>

#include "layers/layer.hpp"

namespace minicnn {

enum class PoolMethod { Max, Average };

struct Pool2dOptions {
  PoolMethod method = PoolMethod::Max;
  int kernel_h = 2, kernel_w = 2;
  int stride_h = 2, stride_w = 2;
  int pad_h = 0, pad_w = 0;
  bool global = false;  // kernel = the whole input plane
};

template <typename T>
class Pool2d : public Layer<T> {
 public:
  explicit Pool2d(const Pool2dOptions& options) : options_(options) {}

  std::string kind() const override;
  Shape setup(const Shape& input) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override;

  const Pool2dOptions& options() const { return options_; }

 private:
  struct Window {
    int top, bottom, left, right;  // rows [top, bottom) and columns [left, right) of the input plane
  };
  Window window(int i, int j) const;
  void max_pool_plane(const T* in, T* out, int32_t* argmax) const;
  template <int KernelH, int KernelW, int StrideW>
  void max_pool_inner(const T* in, const Window& rows, int first, int last, T* out, int32_t* argmax) const;
  void average_pool_plane(const T* in, T* out) const;

  Pool2dOptions options_;
  int in_h_ = 0, in_w_ = 0, out_h_ = 0, out_w_ = 0;
  std::vector<int32_t> argmax_;  // max pooling: for each output, the index of its maximum in the input plane
};

}  // namespace minicnn
