#pragma once
// im2col and col2im: the Toeplitz view of a 2-D convolution.
//
// im2col copies every receptive field of an image [C,H,W] into one column of the matrix
//   cols[C·KH·KW, OH·OW],   cols[(c·KH + u)·KW + v, i·OW + j] = x[c, i·sh + u·dh - ph, j·sw + v·dw - pw]
// (zero where that index falls in the padding), so that a convolution becomes one matrix product,
// W[OC, C·KH·KW] · cols. col2im is its adjoint: it walks the same entries and *adds* each one back into the
// pixel it came from, so <im2col(x), c> == <x, col2im(c)>.
#include <cstdint>

namespace minicnn {

struct ConvGeometry {
  int channels = 1, height = 1, width = 1;  // the input image, C x H x W
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;  // zeros added on each side
  int dilation_h = 1, dilation_w = 1;

  // Output size: the number of kernel positions that fit, counting the dilated kernel extent d·(k-1)+1.
  int out_h() const { return (height + 2 * pad_h - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int out_w() const { return (width + 2 * pad_w - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
  int col_rows() const { return channels * kernel_h * kernel_w; }  // one row per (c, u, v)
  int col_cols() const { return out_h() * out_w(); }               // one column per output pixel
};

// cols [col_rows, col_cols] = the receptive fields of image [C,H,W]. Row r of cols starts at
// cols + r·row_stride: a row_stride larger than col_cols places the matrix among others side by side (the
// matrices of a group of images, one GEMM for them all).
template <typename T>
void im2col(const ConvGeometry& g, const T* image, T* cols, int64_t row_stride);
template <typename T>
void im2col(const ConvGeometry& g, const T* image, T* cols) {
  im2col(g, image, cols, g.col_cols());
}

// image [C,H,W] += the entries of cols (rows row_stride apart) scattered back to the pixels they were
// copied from.
template <typename T>
void col2im(const ConvGeometry& g, const T* cols, T* image, int64_t row_stride);
template <typename T>
void col2im(const ConvGeometry& g, const T* cols, T* image) {
  col2im(g, cols, image, g.col_cols());
}

}  // namespace minicnn
