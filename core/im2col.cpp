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
    const int distance = bound - offset;
    // (A division costs tens of cycles, and this runs for every row of cols: stride 1 goes without.)
    const int position = distance <= 0 ? 0 : stride == 1 ? distance : (distance + stride - 1) / stride;
    return std::clamp(position, 0, count);
  };
  const int first = at_least(0);
  return {first, std::max(first, at_least(extent))};
}

// One row of cols, the kernel tap (c, u, v): its OH·OW entries start at cols[begin]. Entry (i, j) is a
// pixel for output rows i in `rows` and columns j in `cols`, padding otherwise; the pixel of entry
// (rows.first, cols.first) is image[pixel], and the pixels of a row i come sw apart, those of the next row
// sh·W further on.
struct TapRow {
  int64_t begin;
  InsideRange rows, cols;
  int64_t pixel;
};

// The loop nest shared by im2col and col2im: it hands every row of cols over, in order. (Channel by channel:
// the taps of one channel read the same few kilobytes of the image, which stay in cache.)
template <typename VisitRow>
void for_each_tap_row(const ConvGeometry& g, int64_t row_stride, VisitRow visit) {
  const int OH = g.out_h(), OW = g.out_w();
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u) {
      // Output rows i whose input row y = i·sh + u·dh - ph lies inside [0, H).
      const int row_offset = u * g.dilation_h - g.pad_h;
      const InsideRange rows = inside_range(row_offset, g.height, g.stride_h, OH);
      for (int v = 0; v < g.kernel_w; ++v) {
        // Output columns j whose input column x = j·sw + v·dw - pw lies inside [0, W).
        const int col_offset = v * g.dilation_w - g.pad_w;
        const InsideRange cols = inside_range(col_offset, g.width, g.stride_w, OW);
        const int64_t pixel = (int64_t{c} * g.height + rows.first * g.stride_h + row_offset) * g.width +
                              cols.first * g.stride_w + col_offset;
        visit(TapRow{((int64_t{c} * g.kernel_h + u) * g.kernel_w + v) * row_stride, rows, cols, pixel});
      }
    }
}

template <typename T>
void fill_zero(T* out, int64_t length) {
#pragma omp simd
  for (int64_t k = 0; k < length; ++k) out[k] = T(0);
}

// out[k] = in[k·Step] for k < length. Runs are short (a row of the output: 8 to 32 entries in small nets):
// inline vector loops beat calls to memcpy, and with the step known at compile time (1, or 2 for a stride of
// 2) the compiler makes vector loads and shuffles of it.
template <int Step, typename T>
void copy_strided(const T* in, T* out, int64_t length) {
#pragma omp simd
  for (int64_t k = 0; k < length; ++k) out[k] = in[k * Step];
}
template <typename T>
void copy_run(const T* in, T* out, int64_t length, int step) {
  if (step == 1) {
    copy_strided<1>(in, out, length);
  } else if (step == 2) {
    copy_strided<2>(in, out, length);
  } else {
    for (int64_t k = 0; k < length; ++k) out[k] = in[k * step];
  }
}

}  // namespace

template <typename T>
void im2col(const ConvGeometry& g, const T* image, T* cols, int64_t row_stride) {
  const int OH = g.out_h(), OW = g.out_w();
  const int64_t pixel_row_step = int64_t{g.stride_h} * g.width;
  // With stride 1 and as many output columns as input columns (a "same" convolution), output entry q = i·OW + j
  // reads pixel q + constant: a tap row's inside rows are one contiguous copy, with the entries that wrap
  // around the image's side edges zeroed afterwards, instead of one short copy per output row.
  const bool contiguous = g.stride_h == 1 && g.stride_w == 1 && OW == g.width;
  for_each_tap_row(g, row_stride, [&](const TapRow& r) {
    T* row = cols + r.begin;
    const InsideRange rows = r.rows, inside = r.cols;
    if (rows.first == rows.last || inside.first == inside.last) {
      fill_zero(row, int64_t{OH} * OW);  // the tap never lands inside the image
      return;
    }
    // Entries [first, last) of the row run from its first pixel to its last; before and after, padding.
    const int64_t first = int64_t{rows.first} * OW + inside.first, last = int64_t{rows.last - 1} * OW + inside.last;
    fill_zero(row, first);
    fill_zero(row + last, int64_t{OH} * OW - last);
    const int64_t side_padding = OW - (inside.last - inside.first);  // between one output row's run and the next
    if (contiguous) {
      copy_strided<1>(image + r.pixel, row + first, last - first);
      if (side_padding > 0)
        for (int i = rows.first; i < rows.last - 1; ++i) fill_zero(row + int64_t{i} * OW + inside.last, side_padding);
      return;
    }
    // Otherwise, output row by output row: the run of pixels, then the padding up to the next row's run.
    const int64_t length = inside.last - inside.first;
    T* out = row + first;
    const T* in = image + r.pixel;
    for (int i = rows.first; i < rows.last; ++i, out += OW, in += pixel_row_step) {
      copy_run(in, out, length, g.stride_w);
      if (i + 1 < rows.last) fill_zero(out + length, side_padding);
    }
  });
}

template <typename T>
void col2im(const ConvGeometry& g, const T* cols, T* image, int64_t row_stride) {
  const int OW = g.out_w();
  const int64_t pixel_row_step = int64_t{g.stride_h} * g.width;
  // Only the entries of pixels go back; padding has no pixel to receive a gradient.
  for_each_tap_row(g, row_stride, [&](const TapRow& r) {
    const int64_t length = r.cols.last - r.cols.first;
    for (int i = r.rows.first; i < r.rows.last; ++i) {
      const T* in = cols + r.begin + int64_t{i} * OW + r.cols.first;
      T* out = image + r.pixel + (i - r.rows.first) * pixel_row_step;
      // cols and image never overlap, and the entries of a run go to distinct pixels: vector adds (with the
      // stores of a stride above 1 taken apart lane by lane) are safe.
      if (g.stride_w == 1)
#pragma omp simd
        for (int64_t k = 0; k < length; ++k) out[k] += in[k];
      else
#pragma omp simd
        for (int64_t k = 0; k < length; ++k) out[k * g.stride_w] += in[k];
    }
  });
}

template void im2col<float>(const ConvGeometry&, const float*, float*, int64_t);
template void im2col<double>(const ConvGeometry&, const double*, double*, int64_t);
template void col2im<float>(const ConvGeometry&, const float*, float*, int64_t);
template void col2im<double>(const ConvGeometry&, const double*, double*, int64_t);

}  // namespace minicnn
