#pragma once
// The convolution layer written as its definition: plain loops over the sums, one output or one gradient
// entry at a time, in double, for one image. Slow and obvious on purpose: these are the references that
// `minicnn explain conv2d` and the tests compare the fast layer (im2col + GEMM, layers/conv2d.cpp) with, and
// each function is one step of docs/backprop-through-convolution.md.
//
// Shapes: x [C,H,W], W [OC,C,KH,KW], b [OC], y and dy [OC,OH,OW]; s, d, p are the stride, dilation and padding
// of each axis (ConvGeometry).
#include "core/im2col.hpp"
#include "core/tensor.hpp"

namespace minicnn {

// y[o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[c, i·s + u·d - p, j·s + v·d - p]   (0 outside x: padding)
Tensor<double> conv2d_forward_by_definition(const ConvGeometry& g, const Tensor<double>& x, const Tensor<double>& w,
                                            const Tensor<double>& b);

struct Conv2dGradients {
  Tensor<double> dx, dw, db;
};

// The chain rule applied to the definition, each gradient gathered entry by entry:
//   dW[o,c,u,v] = Σ_i Σ_j dy[o,i,j] · x[c, i·s + u·d - p, j·s + v·d - p]
//   db[o]       = Σ_i Σ_j dy[o,i,j]
//   dx[c,h,w]   = Σ_o Σ_u Σ_v W[o,c,u,v] · dy[o, (h + p - u·d)/s, (w + p - v·d)/s]
// where, in dx, only the taps whose divisions are exact and land inside dy count: the outputs that x[c,h,w]
// took part in.
Conv2dGradients conv2d_backward_by_definition(const ConvGeometry& g, const Tensor<double>& x, const Tensor<double>& w,
                                              const Tensor<double>& dy);

// dx again, as classical convolutions (signal/convolve.hpp, the kernel flipped):
//   dx[c] = crop_p( Σ_o convolve2d(dilate_s(dy[o]), dilate_d(W[o,c]), 'full') )
// dilate_s puts s - 1 zeros between neighbouring entries (the outputs the stride skipped), dilate_d puts d - 1
// zeros between the kernel's taps, and crop_p drops the p padded rows and columns on each side (and pads with
// zeros the last rows a stride left uncovered). For s = d = 1 and p = 0: the full convolution of dy with W.
Tensor<double> input_gradient_by_full_convolution(const ConvGeometry& g, const Tensor<double>& w,
                                                  const Tensor<double>& dy);

}  // namespace minicnn
