#pragma once
// A direct convolution for small images (a network's first layers, on 1 or 3 input channels; LeNet's conv2).
//
// The im2col GEMM copies every receptive field into cols, K = C·KH·KW values per output pixel, and OpenBLAS
// packs them again; with few taps (K = 25-27) each output costs only K multiply-adds, and the copies cost a
// large part of the products' time. A direct convolution reads the receptive fields straight from the image
// instead, which pays where the image stays in the L1 cache. Write a tap t = (c, u, v) and its input
//   x_t[i, j] = xpad[c, i·sh + u·dh, j·sw + v·dw]      (xpad: the image inside its padding of zeros)
// so that the correlation is   y[o, i, j] = b[o] + Σ_t W[o, t] · x_t[i, j].
//
// Copy the image into C·sh·KW planes, each as wide as the output: for a row phase a (0 <= a < sh) and a
// kernel column v,
//   plane[c, a, v][i, j] = xpad[c, i·sh + a, j·sw + v·dw]
// Then every x_t is a contiguous block of one plane, across the ends of its rows too:
//   x_t[i, j] = plane[c, (u·dh) mod sh, v][i + ⌊u·dh / sh⌋, j]
// so that one offset per tap locates x_t at any stride and dilation, and a vector of x_t holds the next
// `lanes` output pixels wherever the output rows end: every lane is an output. (Planes of the padded rows
// themselves, one offset per tap too, leave the lanes past a row's end empty: half of an AVX-512 vector
// for LeNet's 8-pixel conv2 rows.) The planes take KW/sw times the image's values. The forward keeps a
// block of output channels times a few vectors of output pixels in registers and adds every tap into it:
// the register tile of a GEMM kernel (W as its A matrix, the x_t as its B matrix), reading B from the
// planes with no further copy.
//
// The weight gradient is the same sum turned round, a dot product per weight over the output pixels:
//   dW[o, t] += Σ_{i,j} dy[o, i, j] · x_t[i, j]
// kept in registers for a block of channels times a block of taps, lane by lane over the pixel vectors; or,
// for images of few pixels, with the output channels in the lanes. The input gradient is the forward's
// adjoint: each tap's share Σ_o W[o, t] · dy[o, i, j] (the forward's register tile again, with taps for rows
// and channels to sum over) is added back into the planes where x_t was read, and the planes into dx.
#include <cstdint>
#include <vector>

#include "core/im2col.hpp"
#include "core/register_tile.hpp"

namespace minicnn {

template <typename T>
class DirectConv {
 public:
  static constexpr int kLanes = Simd<T>::lanes;  // one vector: 8 floats (AVX) or 16 (AVX-512)

  DirectConv() = default;
  DirectConv(const ConvGeometry& g, int out_channels);

  // Which product the packed weights serve: the forward (rows are output channels, the sum runs over taps)
  // or the input gradient (rows are taps, the sum runs over output channels).
  enum class Pass { Forward, InputGradient };

  // The sizes of the buffers the calls below take, in elements.
  int64_t planes_size() const { return planes_size_; }
  int64_t packed_weight_size(Pass pass) const;
  int64_t dy_rows_size() const { return int64_t{row_count(out_channels_, kGradientChannels)} * pixel_vectors_ * kLanes; }

  // packed = W [OC, K] (forward) or Wᵀ [K, OC] (input gradient), packed for the register tile in blocks of
  // 6 rows (pack_tile_rows, core/register_tile.hpp).
  void pack_weights(const T* weight, Pass pass, T* packed) const;
  // planes = the planes [C, sh, KW, rows, OW] of image [C, H, W], then a vector's worth of zeros that the
  // last vector of the last plane reads past its end (planes_size() elements in all). Only the entries that
  // sample the image are written: the others, the padding, must be zero already (the same for every image:
  // zero the buffer once).
  void fill_planes(const T* image, T* planes) const;
  // out [OC, OH, OW] = the correlation of the image whose planes are given, plus bias[o] unless bias is null.
  void forward(const T* planes, const T* packed, const T* bias, T* out) const;

  // dy_rows [OC rounded up to kGradientChannels, pixel_vectors·lanes]: one image's output gradient
  // dy [OC, OH·OW], each channel padded with zeros to whole vectors (the lanes past the output add nothing).
  // That is dy itself when its channels are whole vectors and whole tiles; else it is made in `scratch`
  // (dy_rows_size() elements).
  const T* output_gradient_rows(const T* dy, T* scratch) const;
  // dweight_lanes [OC, K, lanes] += the sum lane by lane over the pixel vectors q of dy[o, q] · x_t[q], for
  // the image whose planes are given. The sum across the lanes, dW[o, t] = Σ_l dweight_lanes[o, t, l], is
  // left to the caller, to be made once for a batch: made image by image, it took a sixth of this call's
  // time (3.8 against 3.2 µs for a 3x32x32 image, 16 channels, 3x3, stride 2).
  void weight_gradient(const T* planes, const T* dy_rows, T* dweight_lanes) const;

  // The same sum for images of few pixels, where the sums across lanes would cost as much as the products:
  // with the output channels in the lanes, each tap's pixel broadcast, nothing to sum across lanes.
  // dy_t [OH·OW, channels_in_lanes()] = dyᵀ, zero past OC; dweight_t [K, channels_in_lanes()] += dWᵀ
  // (zeros in the columns past OC).
  int channels_in_lanes() const { return row_count(out_channels_, kLanes); }
  void transpose_output_gradient(const T* dy, T* dy_t) const;
  void weight_gradient_by_channels(const T* planes, const T* dy_t, T* dweight_t) const;
  // dx [C, H, W] = Σ_o Σ_t W[o, t] · dy[o] put back where x_t was read, from the weights packed for
  // Pass::InputGradient, through the scratch planes dplanes (planes_size() elements).
  void input_gradient(const T* dy_rows, const T* packed, T* dplanes, T* dx) const;

 private:
  // Register tiles: the forward and the input gradient keep kTileRows = 6 rows by up to kTileVectors
  // vectors of pixels (core/register_tile.hpp), the weight gradient kTileVectors channels by 6 taps (as many
  // sums: 4 + 6 loads for 24 multiply-adds on AVX-512, 2 + 6 for 12 on AVX), or 6 taps by up to
  // kTileVectors vectors of channels; in the gradients a last block of taps only as many as are left
  // (for_each_row_block).
  static constexpr int kGradientChannels = kTileVectors;

  ConvGeometry g_;
  int out_channels_ = 0, taps_ = 0;
  int pixel_vectors_ = 0;  // vectors of kLanes output pixels per image (the last one partly past the output)
  int64_t plane_ = 0;      // the values of a plane: rows · OW, rows = OH + ⌊(KH - 1)·dh / sh⌋
  int64_t planes_size_ = 0;
  std::vector<int64_t> tap_offsets_;     // x_t's first element in the planes, one per tap
  std::vector<int64_t> vector_offsets_;  // vector q's first element relative to x_t (pixels) or to a row of
                                         // dyᵀ (channels): q·kLanes
  std::vector<int64_t> dy_t_offsets_;    // where dyᵀ's row p starts
  std::vector<int64_t> dy_offsets_;      // each channel's first element in dy_rows
  // The image rows the kernel reaches: the row's first pixel, and its row in plane (c, a, 0) (plane
  // (c, a, v)'s row is v planes further).
  struct ImageRow {
    int64_t pixel, plane_row;
  };
  std::vector<ImageRow> image_rows_;
  // For each kernel column v, the columns j of a plane's row that sample the image, [first, first + count),
  // and the image column that j = first samples; the others are padding.
  struct ColumnSpan {
    int first, count, column;
  };
  std::vector<ColumnSpan> column_spans_;
};

}  // namespace minicnn
