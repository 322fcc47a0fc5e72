// inspect/filter_grid.hpp: a known 2-filter layer gives a known picture, pixel by pixel (also after a round
// trip through a PNG file, which says its scale in a text chunk); per-filter scales; colour and
// one-row-per-channel layouts; unsigned values; the refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "inspect/filter_grid.hpp"

using namespace minicnn;

namespace {

Tensor<float> tensor(const Shape& shape, std::initializer_list<float> values) {
  Tensor<float> t(shape);
  if (static_cast<int64_t>(values.size()) != t.numel()) throw std::logic_error("tensor(): wrong number of values");
  std::copy(values.begin(), values.end(), t.begin());
  return t;
}

constexpr uint8_t B = 32;  // the border

// Two 2x2 filters (max |w| = 1), drawn 2 pixels per weight: 255 is +1, 0 is -1, 128 is 0, 191 is +0.5
// (127.5 + 127.5·0.5 = 191.25), 64 is -0.5, 159 is +0.25, in a 2x1 grid of 4x4 cells with 1-pixel borders.
const Tensor<float> kTwoFilters = tensor(Shape{2, 1, 2, 2}, {1, -1, 0.5f, 0, /**/ 0, 0.25f, -0.5f, 1});
const std::vector<uint8_t> kTwoFiltersGolden = {
    B, B,   B,   B, B, B, B,   B,   B,   B,   B,  //
    B, 255, 255, 0, 0, B, 128, 128, 159, 159, B,  //
    B, 255, 255, 0, 0, B, 128, 128, 159, 159, B,  //
    B, 191, 191, 128, 128, B, 64, 64, 255, 255, B,  //
    B, 191, 191, 128, 128, B, 64, 64, 255, 255, B,  //
    B, B,   B,   B, B, B, B,   B,   B,   B,   B,  //
};

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

}  // namespace

TEST_CASE("a known 2-filter layer gives a known picture, pixel by pixel, in memory and through a PNG file") {
  const FilterGridOptions options{.scale = 2};
  const Image grid = filter_grid(kTwoFilters, options);
  CHECK(grid.width == 11);
  CHECK(grid.height == 6);
  CHECK(grid.channels == 1);
  CHECK(grid.pixels == kTwoFiltersGolden);

  const std::string path = "test_filter_grid_golden.png";
  save_png(path, grid, grid_text("conv1 weights", kTwoFilters, options));
  const Image back = load_image(path, 0);
  CHECK(back.width == 11);
  CHECK(back.height == 6);
  CHECK(back.channels == 1);
  CHECK(back.pixels == kTwoFiltersGolden);
  // The scale is in the file, for anyone to read: keyword, NUL, value.
  const std::string bytes = read_bytes(path);
  CHECK(bytes.find(std::string("tEXtminicnn.scale") + '\0' + "1") != std::string::npos);
  CHECK(bytes.find("conv1 weights: mid-gray is 0, white is +1, black is -1") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("a given value scale is used for every kernel; per-filter normalization scales each kernel to itself") {
  // Filter 1's largest |w| is 0.5.
  const Tensor<float> w = tensor(Shape{2, 1, 1, 2}, {1, -1, /**/ 0.25f, -0.5f});
  auto cells = [](const Image& grid) {  // the four drawn pixels (scale 1): filter 0 at x=1,2, filter 1 at x=4,5
    return std::vector<int>{grid.pixels[grid.width + 1], grid.pixels[grid.width + 2], grid.pixels[grid.width + 4],
                            grid.pixels[grid.width + 5]};
  };
  CHECK(cells(filter_grid(w, {.scale = 1})) == std::vector<int>{255, 0, 159, 64});
  CHECK(cells(filter_grid(w, {.scale = 1, .value_scale = 2.0})) == std::vector<int>{191, 64, 143, 96});
  CHECK(cells(filter_grid(w, {.scale = 1, .per_filter = true})) == std::vector<int>{255, 0, 191, 0});
  const PngText per_filter = grid_text("w", w, {.per_filter = true});
  CHECK(per_filter[0].second == "per-filter");
  CHECK(grid_text("w", w, {.value_scale = 2.0})[0].second == "2");
}

TEST_CASE("3 input channels draw one colour cell per filter; other counts one row per input channel") {
  const Image colour = filter_grid(tensor(Shape{1, 3, 1, 1}, {1, 0, -1}), {.scale = 1});
  CHECK(colour.channels == 3);
  CHECK(colour.width == 3);
  CHECK(colour.height == 3);
  const size_t centre = (1 * 3 + 1) * 3;
  CHECK(std::vector<int>(colour.pixels.begin() + centre, colour.pixels.begin() + centre + 3) == std::vector<int>{255, 128, 0});

  // 3 filters of 2 input channels, 1x1: w[o][c] in row c, column o.
  const Image rows = filter_grid(tensor(Shape{3, 2, 1, 1}, {1, -1, 0, 0.5f, -0.5f, 0.25f}), {.scale = 1});
  CHECK(rows.channels == 1);
  CHECK(rows.width == 7);
  CHECK(rows.height == 5);
  auto at = [&](int c, int o) { return static_cast<int>(rows.pixels[(1 + 2 * c) * rows.width + 1 + 2 * o]); };
  CHECK(at(0, 0) == 255);
  CHECK(at(1, 0) == 0);
  CHECK(at(0, 1) == 128);
  CHECK(at(1, 1) == 191);
  CHECK(at(0, 2) == 64);
  CHECK(at(1, 2) == 159);
}

TEST_CASE("unsigned values go from black at 0 to white at the scale, negatives black") {
  const Image grid = filter_grid(tensor(Shape{1, 1, 1, 3}, {0, 0.5f, -1}), {.scale = 1, .value_scale = 1.0, .signed_values = false});
  CHECK(static_cast<int>(grid.pixels[grid.width + 1]) == 0);
  CHECK(static_cast<int>(grid.pixels[grid.width + 2]) == 128);
  CHECK(static_cast<int>(grid.pixels[grid.width + 3]) == 0);
  CHECK(grid_text("maps", Tensor<float>(Shape{1, 1, 1, 1}), {.value_scale = 4.0, .signed_values = false})[1].second ==
        "maps: black is 0, white is 4");
}

TEST_CASE("a filter grid refuses what it cannot draw") {
  CHECK_THROWS_WITH_AS(filter_grid(Tensor<float>(Shape{2, 3, 3}), {}), doctest::Contains("[OC, IC, KH, KW]"), Error);
  CHECK_THROWS_WITH_AS(filter_grid(kTwoFilters, {.scale = 0}), doctest::Contains("scale is 1 to 256"), Error);
  CHECK_THROWS_WITH_AS(filter_grid(Tensor<float>(Shape{4096, 64, 1, 1}), {.scale = 256}), doctest::Contains("too large"), Error);
}
