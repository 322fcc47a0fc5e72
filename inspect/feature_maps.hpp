#pragma once
// What one layer makes of one image: its activations [C, H, W] as a grid of C gray maps (filter_grid's
// layout, one cell per channel), with the input image, as the network saw it, on the left.
//
// One scale for all maps by default, so that strong and weak maps compare. Maps that are never negative
// (after a ReLU) go from black (0) to white (the largest value); others from black (-s) through mid-gray
// (0) to white (+s).
#include <string>

#include "core/image.hpp"
#include "core/tensor.hpp"

namespace minicnn {

struct FeatureMapOptions {
  int scale = 0;         // pixels per activation; 0: enough for maps about 48 pixels tall
  bool per_map = false;  // each map scaled to its own largest |value|
};

struct Picture {
  Image image;
  PngText text;  // what the gray levels mean
};

// maps is [C, H, W]; `what` names them in the PNG text ("conv1 output for shoe.png"). Throws Error for
// another rank or a picture above kMaxImagePixels.
Picture feature_map_picture(const Tensor<float>& maps, const Image& input, const std::string& what,
                            const FeatureMapOptions& options);

}  // namespace minicnn
