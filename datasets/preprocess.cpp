#include "datasets/preprocess.hpp"

#include <algorithm>
#include <cmath>

namespace minicnn {

Image resize_bilinear(const Image& image, int width, int height) {
  Image out{width, height, image.channels, std::vector<uint8_t>(static_cast<size_t>(width) * height * image.channels)};
  const double sx = static_cast<double>(image.width) / width, sy = static_cast<double>(image.height) / height;
  for (int y = 0; y < height; ++y) {
    // The source coordinate of this output pixel's centre, clamped to the image.
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, image.height - 1.0);
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, image.height - 1);
    const double wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, image.width - 1.0);
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, image.width - 1);
      const double wx = fx - x0;
      for (int c = 0; c < image.channels; ++c) {
        auto at = [&](int yy, int xx) { return image.pixels[(static_cast<size_t>(yy) * image.width + xx) * image.channels + c]; };
        const double v = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        out.pixels[(static_cast<size_t>(y) * width + x) * image.channels + c] = static_cast<uint8_t>(std::lround(v));
      }
    }
  }
  return out;
}

void image_to_chw(const Image& image, uint8_t* out) {
  const size_t plane = static_cast<size_t>(image.width) * image.height;
  for (size_t p = 0; p < plane; ++p)
    for (int c = 0; c < image.channels; ++c) out[c * plane + p] = image.pixels[p * image.channels + c];
}

}  // namespace minicnn
