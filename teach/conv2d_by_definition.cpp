#include "teach/conv2d_by_definition.hpp"

#include "signal/convolve.hpp"

namespace minicnn {
namespace {

// Where tap u of output i reads: i·s + u·d - p (may fall in the padding).
int input_index(int i, int u, int stride, int dilation, int pad) { return i * stride + u * dilation - pad; }

// The plane t[a, b] of a rank-4 tensor (or t[a] of a rank-3 one, b = 0) as its own [rows, cols] tensor,
// with `spacing` - 1 zeros between neighbouring entries.
Tensor<double> dilated_plane(const Tensor<double>& t, int64_t a, int64_t b, int spacing_h, int spacing_w) {
  const int64_t rows = t.dim(t.rank() - 2), cols = t.dim(t.rank() - 1);
  const int64_t planes_per_a = t.rank() == 4 ? t.dim(1) : 1;
  const double* plane = t.data() + (a * planes_per_a + b) * rows * cols;
  Tensor<double> out(Shape{(rows - 1) * spacing_h + 1, (cols - 1) * spacing_w + 1});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[r * spacing_h * out.dim(1) + c * spacing_w] = plane[r * cols + c];
  return out;
}

}  // namespace

Tensor<double> conv2d_forward_by_definition(const ConvGeometry& g, const Tensor<double>& x, const Tensor<double>& w,
                                            const Tensor<double>& b) {
  const int OC = static_cast<int>(w.dim(0)), OH = g.out_h(), OW = g.out_w();
  Tensor<double> y(Shape{OC, OH, OW});
  for (int o = 0; o < OC; ++o)
    for (int i = 0; i < OH; ++i)
      for (int j = 0; j < OW; ++j) {
        double sum = b.empty() ? 0.0 : b[o];  // y[o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[c, i·s+u·d-p, j·s+v·d-p]
        for (int c = 0; c < g.channels; ++c)
          for (int u = 0; u < g.kernel_h; ++u)
            for (int v = 0; v < g.kernel_w; ++v) {
              const int h = input_index(i, u, g.stride_h, g.dilation_h, g.pad_h);
              const int x_col = input_index(j, v, g.stride_w, g.dilation_w, g.pad_w);
              if (h < 0 || h >= g.height || x_col < 0 || x_col >= g.width) continue;  // padding: x = 0
              sum += w.at(o, c, u, v) * x[(static_cast<int64_t>(c) * g.height + h) * g.width + x_col];
            }
        y[(static_cast<int64_t>(o) * OH + i) * OW + j] = sum;
      }
  return y;
}

Conv2dGradients conv2d_backward_by_definition(const ConvGeometry& g, const Tensor<double>& x, const Tensor<double>& w,
                                              const Tensor<double>& dy) {
  const int OC = static_cast<int>(w.dim(0)), OH = g.out_h(), OW = g.out_w();
  auto dy_at = [&](int o, int i, int j) { return dy[(static_cast<int64_t>(o) * OH + i) * OW + j]; };
  auto x_at = [&](int c, int h, int col) { return x[(static_cast<int64_t>(c) * g.height + h) * g.width + col]; };
  Conv2dGradients grad{Tensor<double>(x.shape()), Tensor<double>(w.shape()), Tensor<double>(Shape{OC})};

  for (int o = 0; o < OC; ++o)
    for (int c = 0; c < g.channels; ++c)
      for (int u = 0; u < g.kernel_h; ++u)
        for (int v = 0; v < g.kernel_w; ++v) {
          double sum = 0.0;  // dW[o,c,u,v] = Σ_i Σ_j dy[o,i,j] · x[c, i·s+u·d-p, j·s+v·d-p]
          for (int i = 0; i < OH; ++i)
            for (int j = 0; j < OW; ++j) {
              const int h = input_index(i, u, g.stride_h, g.dilation_h, g.pad_h);
              const int col = input_index(j, v, g.stride_w, g.dilation_w, g.pad_w);
              if (h >= 0 && h < g.height && col >= 0 && col < g.width) sum += dy_at(o, i, j) * x_at(c, h, col);
            }
          grad.dw.at(o, c, u, v) = sum;
        }

  for (int o = 0; o < OC; ++o)
    for (int i = 0; i < OH; ++i)
      for (int j = 0; j < OW; ++j) grad.db[o] += dy_at(o, i, j);  // db[o] = Σ_i Σ_j dy[o,i,j]

  for (int c = 0; c < g.channels; ++c)
    for (int h = 0; h < g.height; ++h)
      for (int col = 0; col < g.width; ++col) {
        double sum = 0.0;  // dx[c,h,w] = Σ_o Σ_u Σ_v W[o,c,u,v] · dy[o, (h+p-u·d)/s, (w+p-v·d)/s]
        for (int o = 0; o < OC; ++o)
          for (int u = 0; u < g.kernel_h; ++u)
            for (int v = 0; v < g.kernel_w; ++v) {
              // Solve h = i·s + u·d - p for i: x[c,h,w] met tap (u,v) at output (i,j) only if it divides exactly.
              const int i_times_s = h + g.pad_h - u * g.dilation_h, j_times_s = col + g.pad_w - v * g.dilation_w;
              if (i_times_s < 0 || j_times_s < 0 || i_times_s % g.stride_h != 0 || j_times_s % g.stride_w != 0)
                continue;
              const int i = i_times_s / g.stride_h, j = j_times_s / g.stride_w;
              if (i < OH && j < OW) sum += w.at(o, c, u, v) * dy_at(o, i, j);
            }
        grad.dx[(static_cast<int64_t>(c) * g.height + h) * g.width + col] = sum;
      }
  return grad;
}

Tensor<double> input_gradient_by_full_convolution(const ConvGeometry& g, const Tensor<double>& w,
                                                  const Tensor<double>& dy) {
  const int64_t OC = w.dim(0);
  Tensor<double> dx(Shape{g.channels, g.height, g.width});
  for (int c = 0; c < g.channels; ++c)
    for (int64_t o = 0; o < OC; ++o) {
      // The full convolution covers padded rows 0 .. (OH-1)·s + (KH-1)·d of the padded input.
      const Tensor<double> full = convolve2d(dilated_plane(dy, o, 0, g.stride_h, g.stride_w),
                                             dilated_plane(w, o, c, g.dilation_h, g.dilation_w), {Mode::Full});
      double* dx_c = dx.data() + static_cast<int64_t>(c) * g.height * g.width;
      for (int h = 0; h < g.height; ++h)
        for (int col = 0; col < g.width; ++col) {
          const int64_t r = h + g.pad_h, k = col + g.pad_w;  // crop_p: padded position of x[c,h,w]
          if (r < full.dim(0) && k < full.dim(1)) dx_c[h * g.width + col] += full[r * full.dim(1) + k];
        }
    }
  return dx;
}

}  // namespace minicnn
