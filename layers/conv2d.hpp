#pragma once
// Conv2d: the deep-learning convolution, a cross-correlation (the kernel is not flipped), as PyTorch's
// nn.Conv2d:
//   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·sh + u·dh - ph, j·sw + v·dw - pw]
// computed image by image as one GEMM over the im2col matrix (see core/im2col.hpp).
#include <vector>

#include "core/im2col.hpp"
#include "layers/init.hpp"
#include "layers/layer.hpp"

namespace minicnn {

struct Conv2dOptions {
  int out_channels = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int dilation_h = 1, dilation_w = 1;
  bool bias = true;
  Init init = Init::XavierUniform;
};

template <typename T>
class Conv2d : public Layer<T> {
 public:
  explicit Conv2d(const Conv2dOptions& options) : options_(options) {}

  std::string kind() const override { return "conv2d"; }
  Shape setup(const Shape& input) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;
  void init_params(Rng& rng) override;

  const Conv2dOptions& options() const { return options_; }
  const ConvGeometry& geometry() const { return geometry_; }
  Param<T>& weight() { return weight_; }  // [OC, C, KH, KW]
  Param<T>& bias() { return bias_; }      // [OC]

 private:
  // Per-thread buffers, sized on first use and reused by every later step.
  struct Workspace {
    Tensor<T> cols;     // [C·KH·KW, OH·OW]: one image's receptive fields
    Tensor<T> dcols;    // [C·KH·KW, OH·OW]: their gradient
    Tensor<T> dweight;  // [OC, C·KH·KW]: this thread's share of dW
    Tensor<T> dbias;    // [OC]
  };
  void reserve_workspaces(int threads);
  // The im2col matrix of image n of the batch x: kept from the forward when the batch's matrices were kept,
  // otherwise built into `scratch`.
  const T* columns(const Tensor<T>& x, int64_t n, T* scratch) const;

  Conv2dOptions options_;
  ConvGeometry geometry_;
  Param<T> weight_, bias_;
  std::vector<Workspace> workspaces_;
  // In training, the forward keeps every image's im2col matrix, [N, C·KH·KW, OH·OW], for the backward to
  // reuse, unless that would take more than kKeptColumnsBytes.
  static constexpr int64_t kKeptColumnsBytes = int64_t{64} << 20;
  Tensor<T> kept_columns_;
  const T* kept_for_ = nullptr;  // the batch whose matrices kept_columns_ holds
};

}  // namespace minicnn
