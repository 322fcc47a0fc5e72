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

// An image as one network input [1, C, H, W] for an input shape C x H x W: resized when its size differs,
// x/255, and 1 - x when `invert` (for dark-on-light images given to a light-on-dark model). The image must
// already have C channels. The values are in [0, 1]: normalize_input comes next.
Tensor<float> image_to_input(const Image& image, const Shape& input, bool invert);
// x <- (x - mean) / stddev, as the training images were.
void normalize_input(Tensor<float>& x, const Normalization& normalization);

// What a normalized sample [C, H, W] looks like: 255·(x·stddev + mean), rounded and clamped to 0-255.
Image input_to_image(const Tensor<float>& sample, const Normalization& normalization);

}  // namespace minicnn
