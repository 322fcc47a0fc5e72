// datasets/preprocess.hpp: an image becomes a network input (resized, x/255, inverted when asked,
// normalized), and a normalized input becomes the image again, exactly.
#include <doctest/doctest.h>

#include "datasets/preprocess.hpp"

using namespace minicnn;

TEST_CASE("image_to_input scales to [0, 1], inverts when asked and resizes to the input's size") {
  const Image image{2, 1, 3, {0, 51, 255, 102, 153, 204}};  // two RGB pixels
  const Tensor<float> x = image_to_input(image, Shape{3, 1, 2}, false);
  CHECK(x.shape() == Shape{1, 3, 1, 2});
  // Channel planes: R = (0, 102), G = (51, 153), B = (255, 204), divided by 255.
  const float expected[] = {0, 0.4f, 0.2f, 0.6f, 1, 0.8f};
  for (int i = 0; i < 6; ++i) CHECK(x[i] == doctest::Approx(expected[i]));
  const Tensor<float> inverted = image_to_input(image, Shape{3, 1, 2}, true);
  for (int i = 0; i < 6; ++i) CHECK(inverted[i] == doctest::Approx(1 - expected[i]));
  const Tensor<float> resized = image_to_input(Image{4, 4, 1, std::vector<uint8_t>(16, 51)}, Shape{1, 2, 2}, false);
  CHECK(resized.shape() == Shape{1, 1, 2, 2});
  CHECK(resized[3] == doctest::Approx(0.2f));
}

TEST_CASE("input_to_image undoes image_to_input and normalize_input for every pixel value") {
  Image image{256, 1, 1, {}};
  for (int v = 0; v < 256; ++v) image.pixels.push_back(static_cast<uint8_t>(v));
  const Normalization n{0.2860, 0.3530};
  Tensor<float> x = image_to_input(image, Shape{1, 1, 256}, false);
  normalize_input(x, n);
  CHECK(x[0] == doctest::Approx(-0.2860 / 0.3530));
  const Image back = input_to_image(x.sample(0), n);
  CHECK(back.width == 256);
  CHECK(back.height == 1);
  CHECK(back.channels == 1);
  CHECK(back.pixels == image.pixels);
  // Values beyond the 8-bit range are clamped.
  Tensor<float> bright(Shape{1, 1, 2});
  bright[0] = 10, bright[1] = -10;
  CHECK(input_to_image(bright, Normalization{}).pixels == std::vector<uint8_t>{255, 0});
}
