#include "inspect/feature_maps.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "inspect/filter_grid.hpp"

namespace minicnn {

Picture feature_map_picture(const Tensor<float>& maps, const Image& input, const std::string& what,
                            const FeatureMapOptions& options) {
  if (maps.rank() != 3)
    throw Error(what + ": feature maps are [channels, height, width], got " + maps.shape().str() +
                " (a flattened or fully connected layer has no maps)");
  const int64_t channels = maps.dim(0), height = maps.dim(1), width = maps.dim(2);
  const Tensor<float> cells = maps.view(Shape{channels, 1, height, width});  // one 1-channel "kernel" per map
  FilterGridOptions grid_options;
  grid_options.scale = options.scale > 0 ? options.scale : static_cast<int>(std::max<int64_t>(1, (48 + height - 1) / height));
  grid_options.per_filter = options.per_map;
  grid_options.signed_values = std::any_of(maps.begin(), maps.end(), [](float v) { return v < 0; });
  const Image grid = filter_grid(cells, grid_options);

  // The input, upscaled by a whole factor to about the grid's height, one border and a gap to its left.
  const int border = 1, gap = 8, factor = std::max(1, (grid.height - 2 * border) / input.height);
  const int64_t canvas_width = border + int64_t{input.width} * factor + gap + grid.width;
  const int64_t canvas_height = std::max<int64_t>(grid.height, int64_t{input.height} * factor + 2 * border);
  if (canvas_width * canvas_height > kMaxImagePixels)
    throw Error(what + ": a picture of " + std::to_string(canvas_width) + "x" + std::to_string(canvas_height) +
                " pixels is too large; choose a smaller scale");
  Picture picture;
  Image& canvas = picture.image;
  canvas.width = static_cast<int>(canvas_width);
  canvas.height = static_cast<int>(canvas_height);
  canvas.channels = std::max(input.channels, grid.channels);
  canvas.pixels.assign(static_cast<size_t>(canvas.width) * canvas.height * canvas.channels, 32);
  // Copies a pixel of `from` (gray is repeated into every colour channel) to (x, y) of the canvas.
  auto put = [&](const Image& from, int from_x, int from_y, int x, int y) {
    for (int c = 0; c < canvas.channels; ++c)
      canvas.pixels[(static_cast<size_t>(y) * canvas.width + x) * canvas.channels + c] =
          from.pixels[(static_cast<size_t>(from_y) * from.width + from_x) * from.channels + std::min(c, from.channels - 1)];
  };
  for (int y = 0; y < input.height * factor; ++y)
    for (int x = 0; x < input.width * factor; ++x) put(input, x / factor, y / factor, border + x, border + y);
  const int grid_left = border + input.width * factor + gap;
  for (int y = 0; y < grid.height; ++y)
    for (int x = 0; x < grid.width; ++x) put(grid, x, y, grid_left + x, y);
  picture.text = grid_text(what, cells, grid_options);
  return picture;
}

}  // namespace minicnn
