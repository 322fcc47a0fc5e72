#pragma once
// Conv2d: the deep-learning convolution, a cross-correlation (the kernel is not flipped), as PyTorch's
// nn.Conv2d:
//   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·sh + u·dh - ph, j·sw + v·dw - pw]
// computed as GEMMs over the im2col matrices of groups of images (see core/im2col.hpp); for 3x3 kernels of
// stride 1, with Winograd's F(2x2, 3x3) (see core/winograd.hpp); for kernels of few taps, directly from the
// image (see core/direct_conv.hpp).
#include <vector>

#include "core/direct_conv.hpp"
#include "core/im2col.hpp"
#include "core/winograd.hpp"
#include "layers/init.hpp"
#include "layers/layer.hpp"

namespace minicnn {

// How the layer computes: Auto takes Winograd's F(2x2, 3x3) for the forward and both gradients where it
// applies and pays (3x3 kernel, stride 1, no dilation, the same padding of at most 2 on every side, at least
// kWinogradLeastChannels input and output channels and kWinogradLeastTiles output tiles per image); else the
// direct convolution where an image is small enough that its planes stay in the core's caches
// (kDirectMostPaddedElements: the first layers of a network, and small maps such as LeNet's conv2); else
// the im2col GEMMs. Im2col, Winograd and Direct force one way (Winograd where it applies: setup refuses it
// elsewhere).
enum class ConvAlgorithm { Auto, Im2col, Winograd, Direct };

struct Conv2dOptions {
  int out_channels = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int dilation_h = 1, dilation_w = 1;
  bool bias = true;
  Init init = Init::XavierUniform;
  ConvAlgorithm algorithm = ConvAlgorithm::Auto;
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
  // The algorithm setup chose: Im2col, Winograd or Direct (never Auto).
  ConvAlgorithm algorithm() const { return algorithm_; }
  // The direct weight gradient with the output channels in the vector lanes (images of few pixels).
  bool direct_channels_in_lanes() const { return direct_channels_in_lanes_; }

 private:
  // Below these, the transforms cost more than the multiplications they save, or the GEMMs are too narrow.
  static constexpr int kWinogradLeastChannels = 16, kWinogradLeastTiles = 49;
  // The direct convolution reads every tap from the planes of an image, KW/sw shifted copies of it: they
  // should stay in the core's L1 or L2 cache with the weights, and the padded image bounds them. Its weight
  // gradient sums each weight's products lane by lane and then across the lanes; with fewer output pixels
  // than kDirectLeastPixels (32 vectors of 8), the sums across the lanes cost as much as the products, and the
  // output channels go in the lanes instead. Both are counted in values, not vectors, so that the choice
  // does not depend on the vector width.
  static constexpr int64_t kDirectMostPaddedElements = 4096;  // 16 KB of floats
  static constexpr int kDirectLeastPixels = 256;
  static constexpr int kGroupColumns = 256;
  static constexpr int64_t kGroupBytes = int64_t{256} << 10;

  // Per-thread buffers, sized on first use and reused by every later step.
  struct Workspace {
    Tensor<T> cols;     // [C·KH·KW, G·OH·OW]: a group's receptive fields
    Tensor<T> dcols;    // [C·KH·KW, G·OH·OW]: their gradient (im2col layers)
    Tensor<T> outputs;  // [OC, G·OH·OW]: a group's outputs (forward) or output gradients (backward)
    WinogradWorkspace<T> winograd;
    Tensor<T> planes;   // the direct convolution's planes of one image
    Tensor<T> dplanes;  // their gradient
    Tensor<T> dy_rows;  // one image's dy, its rows padded to whole vectors
    Tensor<T> dy_t;     // one image's dyᵀ, for the weight gradient with the channels in the lanes
  };
  void reserve_workspaces(int threads);

  // The backward's blocks of images each sum their parameter gradients into a share of their own, and the
  // shares are added up in block order after the loop (core/parallel.hpp). A share of the weight gradient
  // holds dW [OC, C·KH·KW]; for the direct convolution, dW lane by lane [OC, C·KH·KW, lanes], or
  // dWᵀ [taps, channels_in_lanes()] with the channels in the lanes; or Winograd's S [16, OC, C]. The
  // blocks' shares take at most about kGradientShareBytes together, so a layer with large ones gets fewer,
  // larger blocks.
  static constexpr int64_t kGradientShareBytes = int64_t{2} << 20;
  int64_t weight_share_size() const;
  // The lanes a share of dW [OC, C·KH·KW] keeps apart: the direct weight gradient's vector width, else 1.
  int weight_share_lanes() const { return algorithm_ == ConvAlgorithm::Direct ? DirectConv<T>::kLanes : 1; }
  int64_t backward_grain(int64_t batch) const;

  // The im2col matrix [C·KH·KW, count·OH·OW] of images [first, first + count) of the batch x, built in the
  // workspace. (The backward builds it again rather than keep the forward's: a whole batch's matrices do not
  // stay in cache, and writing and reading them out of cache cost more than building each group's twice.)
  const T* group_columns(const Tensor<T>& x, int64_t first, int count, Workspace& w);

  Conv2dOptions options_;
  ConvGeometry geometry_;
  Param<T> weight_, bias_;
  std::vector<Workspace> workspaces_;
  Tensor<T> weight_shares_;  // [blocks, weight_share_size()]
  Tensor<T> bias_shares_;    // [blocks, OC]
  ConvAlgorithm algorithm_ = ConvAlgorithm::Im2col;
  WinogradGeometry winograd_forward_, winograd_input_gradient_;
  Tensor<T> winograd_filters_;  // U of the forward or of the input gradient, made from W at each pass
  DirectConv<T> direct_;
  bool direct_channels_in_lanes_ = false;
  Tensor<T> direct_weights_;    // W packed for the direct forward, at each pass
};

}  // namespace minicnn
