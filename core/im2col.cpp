#include "core/im2col.hpp"

#include <algorithm>

namespace minicnn {
namespace {

// The output positions whose input index, position·stride + offset, lies inside [0, extent): [first, last),
// clamped to [0, count). Used for rows (i, y) and for columns (j, x).
struct InsideRange {
  int first, last;
};
inline InsideRange inside_range(int offset, int extent, int stride, int count) {
  const auto at_least = [&](int bound) {  // the first position whose input index is >= bound
    return std::clamp(bound - offset <= 0 ? 0 : (bound - offset + stride - 1) / stride, 0, count);
  };
  const int first = at_least(0);
  return {first, std::max(first, at_least(extent))};
}

// The loop nest shared by im2col and col2im. It walks cols row by row (one row per kernel tap (c, u, v),
// row_stride entries apart, each holding OH output rows i of OW entries) and hands over runs of entries: a
// run of `length` entries from cols[col] on, standing for the pixels image[pixel], image[pixel + step], ...
// or, where pixel is -1, for padding. The two functions differ only in what they do with a run: copy it out,
// or add it back. Output rows that fall wholly in the padding above or below the image are one run each.
template <typename VisitRun>
void for_each_col_run(const ConvGeometry& g, int64_t row_stride, VisitRun visit) {
  const int OH = g.out_h(), OW = g.out_w();
  const auto run = [&](int64_t col, int64_t pixel, int64_t length, int step) {
    if (length > 0) visit(col, pixel, length, step);
  };
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u) {
      // Output rows i whose input row y = i·sh + u·dh - ph lies inside [0, H): i in [rows.first, rows.last).
      const int row_offset = u * g.dilation_h - g.pad_h;
      const InsideRange rows = inside_range(row_offset, g.height, g.stride_h, OH);
      for (int v = 0; v < g.kernel_w; ++v) {
        // Output columns j whose input column x = j·sw + v·dw - pw lies inside [0, W).
        const int offset = v * g.dilation_w - g.pad_w;
        const InsideRange cols = inside_range(offset, g.width, g.stride_w, OW);
        const int64_t row_begin = ((int64_t{c} * g.kernel_h + u) * g.kernel_w + v) * row_stride;
        run(row_begin, -1, int64_t{rows.first} * OW, 0);
        for (int i = rows.first; i < rows.last; ++i) {
          const int64_t col = row_begin + int64_t{i} * OW;
          const int64_t row_start = (int64_t{c} * g.height + i * g.stride_h + row_offset) * g.width;
          run(col, -1, cols.first, 0);
          run(col + cols.first, row_start + cols.first * g.stride_w + offset, cols.last - cols.first, g.stride_w);
          run(col + cols.last, -1, OW - cols.last, 0);
        }
        run(row_begin + int64_t{rows.last} * OW, -1, int64_t{OH - rows.last} * OW, 0);
      }
    }
}

// out[k] = in[k·Step] for k < length; with Step known at compile time, the compiler makes vector loads and
// shuffles of it.
template <int Step, typename T>
void copy_strided(const T* in, T* out, int64_t length) {
#pragma omp simd
  for (int64_t k = 0; k < length; ++k) out[k] = in[k * Step];
}

}  // namespace

template <typename T>
void im2col(const ConvGeometry& g, const T* image, T* cols, int64_t row_stride) {
  // Runs are short (a row of the output, 8 to 32 entries in small nets): inline vector loops beat calls to
  // memset and memcpy.
  for_each_col_run(g, row_stride, [&](int64_t col, int64_t pixel, int64_t length, int step) {
    T* out = cols + col;
    if (pixel < 0) {
#pragma omp simd
      for (int64_t k = 0; k < length; ++k) out[k] = T(0);
    } else if (step == 1) {
      copy_strided<1>(image + pixel, out, length);
    } else if (step == 2) {
      copy_strided<2>(image + pixel, out, length);
    } else {
      for (int64_t k = 0; k < length; ++k) out[k] = image[pixel + k * step];
    }
  });
}

template <typename T>
void col2im(const ConvGeometry& g, const T* cols, T* image, int64_t row_stride) {
  for_each_col_run(g, row_stride, [&](int64_t col, int64_t pixel, int64_t length, int step) {
    if (pixel < 0) return;  // padding has no pixel to receive a gradient
    T* out = image + pixel;
    const T* in = cols + col;
    if (step == 1)
#pragma omp simd  // cols and image never overlap
      for (int64_t k = 0; k < length; ++k) out[k] += in[k];
    else
      for (int64_t k = 0; k < length; ++k) out[k * step] += in[k];
  });
}

template void im2col<float>(const ConvGeometry&, const float*, float*, int64_t);
template void im2col<double>(const ConvGeometry&, const double*, double*, int64_t);
template void col2im<float>(const ConvGeometry&, const float*, float*, int64_t);
template void col2im<double>(const ConvGeometry&, const double*, double*, int64_t);

}  // namespace minicnn
