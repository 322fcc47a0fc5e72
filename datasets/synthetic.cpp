#include "datasets/synthetic.hpp"

#include <algorithm>
#include <cmath>

namespace minicnn {

Dataset make_bars(int count, int size, Rng& rng) {
  Dataset data{Tensor<uint8_t>(Shape{count, 1, size, size}), std::vector<int32_t>(count), {"horizontal", "vertical"},
               "bars", {}};
  for (int n = 0; n < count; ++n) {
    const bool vertical = rng.below(2) == 1;
    data.labels[n] = vertical ? 1 : 0;
    const int thickness = 1 + static_cast<int>(rng.below(2));
    const int position = static_cast<int>(rng.below(size - thickness + 1));
    const int start = static_cast<int>(rng.below(size / 2)), length = size / 2 + static_cast<int>(rng.below(size / 2));
    for (int r = 0; r < size; ++r)
      for (int c = 0; c < size; ++c) {
        // The bar runs along one axis (from start, for length pixels) and is thickness pixels across.
        const int along = vertical ? r : c, across = vertical ? c : r;
        const bool on_bar = across >= position && across < position + thickness && along >= start &&
                            along < std::min(size, start + length);
        // Bright bars (204..255) on a dark background (0..51).
        data.pixels.at(n, 0, r, c) = static_cast<uint8_t>(std::lround(255 * ((on_bar ? 0.8 : 0.0) + rng.uniform(0.0, 0.2))));
      }
  }
  return data;
}

}  // namespace minicnn
