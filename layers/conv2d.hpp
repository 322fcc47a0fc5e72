#pragma once
// Conv2d: the deep-learning convolution, a cross-correlation (the kernel is not flipped), as PyTorch's
// nn.Conv2d:
//   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·sh + u·dh - ph, j·sw + v·dw - pw]
// computed as GEMMs over the im2col matrices of groups of images (see core/im2col.hpp).
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

  // Images go through the GEMMs in groups of G = group_size(): the im2col matrices of a group sit side by side
  // in one matrix cols[K, G·P] (image g's columns at g·P), so that one GEMM serves the whole group. A GEMM with
  // few columns runs far below the machine's peak (OpenBLAS 0.3.21, one core: N = 16 at 0.7 and N = 4 at 0.25
  // of the rate of N = 256): images of small output maps are grouped up to kGroupColumns columns, as long as
  // the group's matrix stays near kGroupBytes, so that it, its gradient and its outputs stay in the core's
  // cache. Other images are groups of their own, and then the GEMMs read and write their own blocks of the
  // layer's input and output tensors, with no copies in between.
  int group_size() const;

 private:
  static constexpr int kGroupColumns = 256;
  static constexpr int64_t kGroupBytes = int64_t{256} << 10;

  // Per-thread buffers, sized on first use and reused by every later step.
  struct Workspace {
    Tensor<T> cols;     // [C·KH·KW, G·OH·OW]: a group's receptive fields
    Tensor<T> dcols;    // [C·KH·KW, G·OH·OW]: their gradient
    Tensor<T> outputs;  // [OC, G·OH·OW]: a group's outputs (forward) or output gradients (backward)
    Tensor<T> dweight;  // [OC, C·KH·KW]: this thread's share of dW
    Tensor<T> dbias;    // [OC]
  };
  void reserve_workspaces(int threads);

  // The im2col matrix [C·KH·KW, count·OH·OW] of images [first, first + count) of the batch x, built in the
  // workspace. (The backward builds it again rather than keep the forward's: a whole batch's matrices do not
  // stay in cache, and writing and reading them out of cache cost more than building each group's twice.)
  const T* group_columns(const Tensor<T>& x, int64_t first, int count, Workspace& w);

  Conv2dOptions options_;
  ConvGeometry geometry_;
  Param<T> weight_, bias_;
  std::vector<Workspace> workspaces_;
};

}  // namespace minicnn
