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

Tensor<float> image_to_input(const Image& image, const Shape& input, bool invert) {
  const int height = static_cast<int>(input[1]), width = static_cast<int>(input[2]);
  Tensor<uint8_t> pixels(input);
  image_to_chw(image.width == width && image.height == height ? image : resize_bilinear(image, width, height),
               pixels.data());
  if (invert)
    for (uint8_t& p : pixels) p = 255 - p;
  Tensor<float> x(input.with_batch(1));
  pixels_to_inputs(std::span(pixels.data(), pixels.numel()), Normalization{}, x.data());  // x/255
  return x;
}

void normalize_input(Tensor<float>& x, const Normalization& normalization) {
  for (float& v : x) v = static_cast<float>((v - normalization.mean) / normalization.stddev);
}

Image input_to_image(const Tensor<float>& sample, const Normalization& normalization) {
  const int channels = static_cast<int>(sample.dim(0)), height = static_cast<int>(sample.dim(1)),
            width = static_cast<int>(sample.dim(2));
  Image image{width, height, channels, std::vector<uint8_t>(sample.numel())};
  const int64_t plane = int64_t{width} * height;
  for (int c = 0; c < channels; ++c)
    for (int64_t p = 0; p < plane; ++p) {
      const double pixel = 255.0 * (sample[c * plane + p] * normalization.stddev + normalization.mean);
      image.pixels[p * channels + c] = static_cast<uint8_t>(std::clamp(std::lround(pixel), 0L, 255L));
    }
  return image;
}

}  // namespace minicnn
