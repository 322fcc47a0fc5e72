#pragma once
// What a learned kernel resembles: the nearest classical image kernel (signal/kernels.hpp) by cosine
// similarity, sign-invariant (a kernel and its negative detect the same feature with opposite signs, which
// the next layer can flip back).
//
// Zero-sum kernels (Sobel x and y, the Laplacian) answer changes, not brightness, so the learned kernel's
// mean, its answer to flat brightness, is removed before comparing with them:
//     similarity = |cos(w - mean(w), k)|,   cos(a, b) = a·b / (|a| |b|)
// Box, Gaussian and sharpen sum to 1: their meaning is partly in that mean (a box kernel minus its mean is
// nothing), so they are compared with the kernel as it is: similarity = |cos(w, k)|.
//
// The classical kernels are built at the learned kernel's size: Sobel as OpenCV extends it (binomial
// smoothing times a binomial derivative, 5x5 is [1,4,6,4,1]ᵀ[-1,-2,0,2,1]), box and Gaussian (σ 0.5, 1, 1.5,
// 2) sampled at that size, and the 3x3 Laplacian and sharpen kernels in the centre of a larger odd kernel
// with zeros around them (which is the same filter).
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace minicnn {

struct ClassicalKernel {
  std::string name;  // "sobel_x", "gaussian sigma=1", ...
  Tensor<double> kernel;
  bool zero_sum = false;
};

// Every classical kernel that can be built at height x width (none for 1x1).
std::vector<ClassicalKernel> classical_kernels(int height, int width);

struct KernelMatch {
  std::string name;         // the nearest classical kernel; "" when none has this size
  double similarity = 0.0;  // from 0 (nothing alike) to 1 (the same up to scale and sign)
  bool negated = false;     // the kernel looks like minus that kernel
};

// kernel is [KH, KW].
KernelMatch nearest_classical_kernel(const Tensor<double>& kernel);

// For each filter of a [OC, IC, KH, KW] weight: the sum of its input channels (what it does to a gray image)
// and its nearest classical kernel.
std::vector<KernelMatch> nearest_classical_kernels(const Tensor<float>& weight);

// A small table, one row per filter, numbered from 0 in the order of the filter grid.
std::string format_kernel_matches(const std::vector<KernelMatch>& matches);

}  // namespace minicnn
