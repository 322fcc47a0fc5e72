#include "inspect/filter_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace minicnn {

double max_abs(const Tensor<float>& weight) {
  double largest = 0.0;
  for (const float w : weight) largest = std::max(largest, std::fabs(static_cast<double>(w)));
  return largest;
}

Image filter_grid(const Tensor<float>& weight, const FilterGridOptions& options) {
  if (weight.rank() != 4) throw Error("a filter grid needs a [OC, IC, KH, KW] weight, got " + weight.shape().str());
  if (options.scale < 1 || options.scale > 256)
    throw Error("a filter grid's scale is 1 to 256 pixels per tap, got " + std::to_string(options.scale));
  const int OC = static_cast<int>(weight.dim(0)), IC = static_cast<int>(weight.dim(1));
  const int KH = static_cast<int>(weight.dim(2)), KW = static_cast<int>(weight.dim(3));
  const bool colour = IC == 3, gray_grid = IC == 1;
  // Cells: colour and single-channel kernels fill a near-square grid; others one row per input channel.
  const int grid_cols = gray_grid || colour ? static_cast<int>(std::ceil(std::sqrt(OC))) : OC;
  const int grid_rows = gray_grid || colour ? (OC + grid_cols - 1) / grid_cols : IC;
  const int border = 1, cell_h = KH * options.scale, cell_w = KW * options.scale;
  const int64_t width = int64_t{grid_cols} * (cell_w + border) + border;
  const int64_t height = int64_t{grid_rows} * (cell_h + border) + border;
  if (width * height > kMaxImagePixels)
    throw Error("a filter grid of " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels is too large; choose a smaller scale");
  Image image;
  image.channels = colour ? 3 : 1;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.pixels.assign(static_cast<size_t>(image.width) * image.height * image.channels, 32);  // dark border

  const float* w = weight.data();
  const int64_t kernel_size = static_cast<int64_t>(KH) * KW;
  // Signed: byte = 127.5 + 127.5·v/scale (0 is mid-gray). Unsigned: byte = 255·v/scale (0 is black).
  auto to_byte = [&](double v, double scale) {
    const double low = options.signed_values ? -1.0 : 0.0;
    const double unit = scale > 0 ? std::clamp(v / scale, low, 1.0) : 0.0;
    return static_cast<uint8_t>(std::lround(options.signed_values ? 127.5 + 127.5 * unit : 255.0 * unit));
  };
  // Draws kernel plane(s) of filter o into the cell at (row, col); for colour, the three planes are RGB.
  auto draw = [&](int o, int first_channel, int row, int col, double scale) {
    for (int y = 0; y < cell_h; ++y)
      for (int x = 0; x < cell_w; ++x)
        for (int c = 0; c < image.channels; ++c) {
          const float v = w[(static_cast<int64_t>(o) * IC + first_channel + c) * kernel_size +
                            (y / options.scale) * KW + x / options.scale];
          const size_t px = (static_cast<size_t>(row) * (cell_h + border) + border + y) * image.width +
                            static_cast<size_t>(col) * (cell_w + border) + border + x;
          image.pixels[px * image.channels + c] = to_byte(v, scale);
        }
  };
  const double layer_scale = options.value_scale > 0 ? options.value_scale : max_abs(weight);
  for (int o = 0; o < OC; ++o) {
    double scale = layer_scale;
    if (options.per_filter) {
      scale = 0.0;
      for (int64_t i = 0; i < IC * kernel_size; ++i) scale = std::max(scale, std::fabs(double(w[o * IC * kernel_size + i])));
    }
    if (gray_grid || colour) draw(o, 0, o / grid_cols, o % grid_cols, scale);
    else
      for (int c = 0; c < IC; ++c) draw(o, c, c, o, scale);
  }
  return image;
}

PngText grid_text(const std::string& what, const Tensor<float>& weight, const FilterGridOptions& options) {
  const char* zero = options.signed_values ? "mid-gray is 0" : "black is 0";
  if (options.per_filter) return {{"minicnn.scale", "per-filter"}, {"Description", what + ": " + zero + ", each cell scaled to its own largest |value|"}};
  const double scale = options.value_scale > 0 ? options.value_scale : max_abs(weight);
  char number[32], words[128];
  std::snprintf(number, sizeof number, "%.9g", scale);
  if (options.signed_values) std::snprintf(words, sizeof words, ": %s, white is +%.6g, black is -%.6g", zero, scale, scale);
  else std::snprintf(words, sizeof words, ": %s, white is %.6g", zero, scale);
  return {{"minicnn.scale", number}, {"Description", what + words}};
}

}  // namespace minicnn
