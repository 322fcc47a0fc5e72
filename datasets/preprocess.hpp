#pragma once
// From an 8-bit image to a network input: resize (bilinear) to the input size, scale to [0, 1], optionally
// invert, then normalize with the training set's statistics.
#include <string>

#include "core/image.hpp"
#include "core/tensor.hpp"
#include "datasets/dataset.hpp"

namespace minicnn {

// Bilinear resampling with pixel centres aligned (as OpenCV's INTER_LINEAR and PyTorch's
// interpolate(align_corners=False)).
Image resize_bilinear(const Image& image, int width, int height);

// Writes the image's pixels in channels x height x width order (its own order is height x width x channels)
// to `out`, which must hold that many.
void image_to_chw(const Image& image, uint8_t* out);

}  // namespace minicnn
