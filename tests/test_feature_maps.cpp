// inspect/feature_maps.hpp: the input on the left (upscaled to about the grid's height), the maps as a
// filter grid on the right; black is 0 for maps that are never negative, mid-gray otherwise.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "inspect/feature_maps.hpp"
#include "inspect/filter_grid.hpp"

using namespace minicnn;

namespace {

Tensor<float> maps_of(std::initializer_list<float> values) {
  Tensor<float> t(Shape{2, 2, 2});
  std::copy(values.begin(), values.end(), t.begin());
  return t;
}

}  // namespace

TEST_CASE("feature maps sit right of the input, drawn as a filter grid") {
  const Tensor<float> maps = maps_of({0, 1, 2, 4, /**/ 4, 3, 0, 0});  // after a ReLU: never negative
  const Image input{2, 2, 1, {10, 20, 30, 40}};
  const Picture picture = feature_map_picture(maps, input, "relu1 output", {.scale = 2});
  // The grid: 2 maps of 2x2 at 2 pixels per value, 11x6. The input: upscaled by (6 - 2) / 2 = 2, at (1, 1).
  const Image grid = filter_grid(maps.view(Shape{2, 1, 2, 2}), {.scale = 2, .signed_values = false});
  REQUIRE(grid.width == 11);
  REQUIRE(grid.height == 6);
  const Image& image = picture.image;
  CHECK(image.channels == 1);
  CHECK(image.width == 1 + 4 + 8 + 11);
  CHECK(image.height == 6);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) CHECK(image.pixels[(1 + y) * image.width + 1 + x] == input.pixels[(y / 2) * 2 + x / 2]);
  for (int y = 0; y < grid.height; ++y)
    for (int x = 0; x < grid.width; ++x) CHECK(image.pixels[y * image.width + 13 + x] == grid.pixels[y * grid.width + x]);
  CHECK(grid.pixels[1 * grid.width + 1] == 0);        // map 0 at (0, 0) is 0: black
  CHECK(grid.pixels[1 * grid.width + 6 + 0] == 255);  // map 1 at (0, 0) is 4, the largest: white
  CHECK(picture.text[1].second == "relu1 output: black is 0, white is 4");
}

TEST_CASE("signed maps use mid-gray for 0; an RGB input makes a colour picture; flat outputs are refused") {
  const Tensor<float> maps = maps_of({0, -1, 2, 0, /**/ 1, 1, 1, 1});
  const Image input{2, 2, 3, std::vector<uint8_t>(12, 200)};
  const Picture picture = feature_map_picture(maps, input, "conv1 output", {.scale = 1});
  CHECK(picture.image.channels == 3);
  CHECK(picture.text[1].second == "conv1 output: mid-gray is 0, white is +2, black is -2");
  CHECK(picture.text[0].second == "2");
  CHECK_THROWS_WITH_AS(feature_map_picture(Tensor<float>(Shape{2, 10}), input, "fc1 output", {}),
                       doctest::Contains("fc1 output: feature maps are [channels, height, width]"), Error);
}
