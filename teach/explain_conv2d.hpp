#pragma once
// `minicnn explain conv2d`: one convolution, forward and backward, taken apart step by step with small
// numbers: the input, the im2col matrix (and which pixel each of its entries came from), the weight matrix,
// the forward GEMM with its M, N, K, the output; then dY, the three backward GEMMs, the col2im scatter-add,
// dx, dW, db and the full-convolution view of dx. Every result is computed by the im2col view, by the direct
// loops of the definition (teach/conv2d_by_definition.hpp) and by minicnn's Conv2d layer, and the printout
// says whether they agree.
#include <cstdint>
#include <string>

#include "core/im2col.hpp"
#include "core/tensor.hpp"

namespace minicnn {

struct ExplainConv2dOptions {
  Shape input{1, 4, 4};      // C x H x W
  Shape kernel{1, 1, 3, 3};  // OC x C x KH x KW
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  // Small integers (x in 0..4; W and dY in {-2,-1,1,2}; b in -2..2) that a student can multiply by hand,
  // or random values in [-1, 1] with two decimals (so that the printed inputs are exact).
  bool random_values = false;
  uint64_t seed = 1;
  bool backward = false;
  int width = 80;  // of the printout, in columns (at least 80): every line fits
};

// Every number of the printout.
struct Conv2dExplanation {
  ExplainConv2dOptions options;
  ConvGeometry geometry;
  int out_channels = 1;
  Tensor<double> x, w, b;          // [C,H,W], [OC,C,KH,KW], [OC]
  Tensor<double> cols, y;          // [C·KH·KW, OH·OW], [OC,OH,OW] from Y = W·cols + b
  Tensor<double> dy;               // [OC,OH,OW], given
  Tensor<double> dw, db, dcols, dx;  // from the three backward GEMMs and col2im
  Tensor<double> dx_full;          // dx as the full convolution of dy with W
  // The largest |difference| from the direct loops, and from the Conv2d layer, per result.
  double y_vs_loops = 0, dx_vs_loops = 0, dw_vs_loops = 0, db_vs_loops = 0, dx_full_vs_loops = 0;
  double y_vs_layer = 0, dx_vs_layer = 0, dw_vs_layer = 0, db_vs_layer = 0;
};

// Computes the explanation. An Error for shapes that do not fit, or that are too large to print (more than
// 8 channels or filters, more than 64x64 pixels, or an im2col matrix of more than 2500 entries).
Conv2dExplanation explain_conv2d(const ExplainConv2dOptions& options);

// The printout: plain ASCII text, every line at most options.width columns.
std::string format_explanation(const Conv2dExplanation& e);

// "1x4x4" -> Shape{1,4,4}, each size at least `min`; an Error naming `what` otherwise.
Shape parse_shape_text(const std::string& text, const std::string& what, int64_t min = 1);

}  // namespace minicnn
