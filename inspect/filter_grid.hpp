#pragma once
// A picture of a convolution layer's kernels: one cell per kernel, upscaled by nearest neighbour, with a
// border between cells. Zero maps to mid-gray, +scale to white, -scale to black.
//   1 input channel:   one gray cell per filter, in a near-square grid
//   3 input channels:  one colour cell per filter (an RGB first layer)
//   otherwise:         one row per input channel, one column per filter
// The same grid shows activations (feature maps, [C, 1, H, W]) with signed_values off: 0 black, scale white.
#include <string>

#include "core/image.hpp"
#include "core/tensor.hpp"

namespace minicnn {

struct FilterGridOptions {
  int scale = 8;              // pixels per kernel tap
  bool per_filter = false;    // false: one scale for all kernels; true: each kernel its own
  double value_scale = 0.0;   // the |w| that maps to white/black; 0 = the largest |w| of the layer
  bool signed_values = true;  // false: values from 0 (black) to value_scale (white), negatives black
};

// weight is [OC, IC, KH, KW]. Throws Error for another rank, a scale below 1 or a picture above
// kMaxImagePixels.
Image filter_grid(const Tensor<float>& weight, const FilterGridOptions& options);

// The largest |w| of a tensor.
double max_abs(const Tensor<float>& weight);

// The PNG text saying what the gray levels of filter_grid(weight, options) mean: "minicnn.scale" holds the
// value drawn as white ("per-filter" when each kernel has its own), "Description" says it in words, naming
// what is drawn ("conv1 weights, epoch 3").
PngText grid_text(const std::string& what, const Tensor<float>& weight, const FilterGridOptions& options);

}  // namespace minicnn
