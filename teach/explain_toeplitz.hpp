#pragma once
// `minicnn explain toeplitz`: convolution is a matrix product. For a 1-D kernel h, the convolution matrix C
// (signal/toeplitz.hpp) times the signal x gives convolve(x, h, mode); its transpose times an output gradient
// gives the input gradient, which is a correlation with the same h: the flip that makes conv2d's backward a
// true convolution.
#include <cstdint>
#include <string>

#include "core/tensor.hpp"
#include "signal/convolve.hpp"

namespace minicnn {

struct ExplainToeplitzOptions {
  int signal = 5, kernel = 3;  // lengths N and M
  Mode mode = Mode::Full;
  bool random_values = false;  // small integers (x in 0..4; h and dout in {-2,-1,1,2}) or two-decimal values
  uint64_t seed = 1;
  int width = 80;  // of the printout, in columns (at least 80): every line fits
};

struct ToeplitzExplanation {
  ExplainToeplitzOptions options;
  Tensor<double> x, h;          // [N], [M]
  Tensor<double> matrix;        // C [out, N]
  Tensor<double> product;       // C·x [out]
  Tensor<double> direct;        // convolve(x, h, mode) by direct sums [out]
  int64_t offset = 0;           // the mode's output n is the full convolution's n + offset
  Tensor<double> dout;          // an output gradient [out]
  Tensor<double> adjoint;       // Cᵀ·dout [N]
  Tensor<double> by_correlation;  // correlate(dout placed in the full output, h, 'valid') [N]
  double product_vs_direct = 0, adjoint_vs_correlation = 0;  // largest |difference|
};

// An Error when the lengths are not positive or too large to print (signal > 32, kernel > 16).
ToeplitzExplanation explain_toeplitz(const ExplainToeplitzOptions& options);
std::string format_explanation(const ToeplitzExplanation& e);

}  // namespace minicnn
