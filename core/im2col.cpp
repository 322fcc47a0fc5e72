#include "core/im2col.hpp"

#include <algorithm>

namespace minicnn {
namespace {

// The loop nest shared by im2col and col2im. It walks cols row by row (one row per kernel tap (c, u, v),
// row_stride entries apart, each holding OH output rows i of OW entries) and hands over runs of entries: a
// run of `length` entries from cols[col] on, standing for the pixels image[pixel], image[pixel + step], ...
// or, where pixel is -1, for padding. The two functions differ only in what they do with a run: copy it out,
// or add it back.
template <typename VisitRun>
void for_each_col_run(const ConvGeometry& g, int64_t row_stride, VisitRun visit) {
  const int OH = g.out_h(), OW = g.out_w();
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v) {
        int64_t col = ((int64_t{c} * g.kernel_h + u) * g.kernel_w + v) * row_stride;
        // Output columns j whose input column x = j·sw + v·dw - pw lies inside [0, W): j in [j0, j1).
        const int offset = v * g.dilation_w - g.pad_w;
        const int j0 = std::clamp(offset >= 0 ? 0 : (-offset + g.stride_w - 1) / g.stride_w, 0, OW);
        const int j1 = std::clamp(g.width - offset > 0 ? (g.width - offset + g.stride_w - 1) / g.stride_w : 0, j0, OW);
        for (int i = 0; i < OH; ++i, col += OW) {
          const int y = i * g.stride_h + u * g.dilation_h - g.pad_h;
          if (y < 0 || y >= g.height) {
            visit(col, int64_t{-1}, OW, 0);
            continue;
          }
          const int64_t row_start = (static_cast<int64_t>(c) * g.height + y) * g.width;
          visit(col, int64_t{-1}, j0, 0);
          visit(col + j0, row_start + j0 * g.stride_w + offset, j1 - j0, g.stride_w);
          visit(col + j1, int64_t{-1}, OW - j1, 0);
        }
      }
}

}  // namespace

template <typename T>
void im2col(const ConvGeometry& g, const T* image, T* cols, int64_t row_stride) {
  // Runs are short (a row of the output, 8 to 32 entries in small nets): inline vector loops beat calls to
  // memset and memcpy.
  for_each_col_run(g, row_stride, [&](int64_t col, int64_t pixel, int length, int step) {
    T* out = cols + col;
    if (pixel < 0) {
#pragma omp simd
      for (int k = 0; k < length; ++k) out[k] = T(0);
    } else if (step == 1) {
      const T* in = image + pixel;
#pragma omp simd
      for (int k = 0; k < length; ++k) out[k] = in[k];
    } else {
      for (int k = 0; k < length; ++k) out[k] = image[pixel + static_cast<int64_t>(k) * step];
    }
  });
}

template <typename T>
void col2im(const ConvGeometry& g, const T* cols, T* image, int64_t row_stride) {
  for_each_col_run(g, row_stride, [&](int64_t col, int64_t pixel, int length, int step) {
    if (pixel < 0) return;  // padding has no pixel to receive a gradient
    T* out = image + pixel;
    const T* in = cols + col;
    if (step == 1)
      for (int k = 0; k < length; ++k) out[k] += in[k];
    else
      for (int k = 0; k < length; ++k) out[static_cast<int64_t>(k) * step] += in[k];
  });
}

template void im2col<float>(const ConvGeometry&, const float*, float*, int64_t);
template void im2col<double>(const ConvGeometry&, const double*, double*, int64_t);
template void col2im<float>(const ConvGeometry&, const float*, float*, int64_t);
template void col2im<double>(const ConvGeometry&, const double*, double*, int64_t);

}  // namespace minicnn
