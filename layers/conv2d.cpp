#include "layers/conv2d.hpp"

#include <algorithm>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"

namespace minicnn {

template <typename T>
Shape Conv2d<T>::setup(const Shape& input) {
  const Conv2dOptions& o = options_;
  if (input.rank != 3) throw Error(this->name + ": expects an input of shape CxHxW, got " + input.str());
  if (o.out_channels < 1 || o.kernel_h < 1 || o.kernel_w < 1 || o.stride_h < 1 || o.stride_w < 1 ||
      o.dilation_h < 1 || o.dilation_w < 1 || o.pad_h < 0 || o.pad_w < 0)
    throw Error(this->name + ": filters, kernel, stride and dilation must be positive and padding non-negative");
  geometry_ = ConvGeometry{static_cast<int>(input[0]), static_cast<int>(input[1]), static_cast<int>(input[2]),
                           o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.pad_h, o.pad_w, o.dilation_h,
                           o.dilation_w};
  const int extent_h = o.dilation_h * (o.kernel_h - 1) + 1, extent_w = o.dilation_w * (o.kernel_w - 1) + 1;
  if (extent_h > input[1] + 2 * o.pad_h || extent_w > input[2] + 2 * o.pad_w) {
    std::string dilated = o.dilation_h > 1 || o.dilation_w > 1
                              ? " (dilated to " + std::to_string(extent_h) + "x" + std::to_string(extent_w) + ")"
                              : "";
    throw Error(this->name + ": kernel " + std::to_string(o.kernel_h) + "x" + std::to_string(o.kernel_w) +
                dilated + " does not fit input " + std::to_string(input[1]) + "x" + std::to_string(input[2]) +
                " (padding " + std::to_string(o.pad_h) + (o.pad_h == o.pad_w ? "" : "x" + std::to_string(o.pad_w)) +
                ")");
  }
  weight_ = Param<T>(this->name + ".weight", Shape{o.out_channels, input[0], o.kernel_h, o.kernel_w});
  if (o.bias) bias_ = Param<T>(this->name + ".bias", Shape{o.out_channels});
  return Shape{o.out_channels, geometry_.out_h(), geometry_.out_w()};
}

template <typename T>
std::vector<Param<T>*> Conv2d<T>::params() {
  if (options_.bias) return {&weight_, &bias_};
  return {&weight_};
}

template <typename T>
void Conv2d<T>::init_params(Rng& rng) {
  const int64_t receptive_field = options_.kernel_h * options_.kernel_w;
  initialize(weight_.value, options_.init, geometry_.channels * receptive_field,
             options_.out_channels * receptive_field, rng);
  bias_.value.zero();
}

template <typename T>
void Conv2d<T>::reserve_workspaces(int threads) {
  if (static_cast<int>(workspaces_.size()) < threads) workspaces_.resize(threads);
  const Shape cols_shape{geometry_.col_rows(), geometry_.col_cols()};
  for (Workspace& w : workspaces_) {
    w.cols.resize(cols_shape);
    w.dcols.resize(cols_shape);
    w.dweight.resize(Shape{options_.out_channels, geometry_.col_rows()});
    w.dbias.resize(Shape{options_.out_channels});
  }
}

template <typename T>
const T* Conv2d<T>::columns(const Tensor<T>& x, int64_t n, T* scratch) const {
  const int64_t cols_size = int64_t{geometry_.col_rows()} * geometry_.col_cols();
  if (kept_for_ == x.data()) return kept_columns_.data() + n * cols_size;
  im2col(geometry_, x.data() + n * (x.numel() / x.dim(0)), scratch);
  return scratch;
}

template <typename T>
void Conv2d<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) {
  const int batch = static_cast<int>(x.dim(0));
  // The GEMM of one image:  Y[M,N] = W[M,K] · cols[K,N]  with
  const int M = options_.out_channels;  // one row per output channel
  const int N = geometry_.col_cols();   // one column per output pixel, OH·OW
  const int K = geometry_.col_rows();   // one term per kernel tap, C·KH·KW
  y.resize(Shape{batch, M, geometry_.out_h(), geometry_.out_w()});
  reserve_workspaces(num_threads());
  // A training forward is followed by a backward over the same images, which needs the same matrices.
  const bool keep = ctx.training && int64_t{batch} * K * N * int64_t{sizeof(T)} <= kKeptColumnsBytes;
  kept_for_ = nullptr;
  if (keep) kept_columns_.resize(Shape{batch, K, N});
  const int64_t x_stride = x.numel() / std::max(batch, 1);
  parallel_for(batch, [&](int64_t begin, int64_t end, int thread) {
    for (int64_t n = begin; n < end; ++n) {
      T* cols = keep ? kept_columns_.data() + n * K * N : workspaces_[thread].cols.data();
      T* y_n = y.data() + n * M * N;
      im2col(geometry_, x.data() + n * x_stride, cols);
      // Start every row o of Y at b[o], then accumulate W · cols onto it (beta = 1).
      for (int o = 0; o < M; ++o) std::fill_n(y_n + o * N, N, options_.bias ? bias_.value[o] : T(0));
      gemm(Trans::No, Trans::No, M, N, K, T(1), weight_.value.data(), cols, T(1), y_n);
    }
  });
  if (keep) kept_for_ = x.data();
}

template <typename T>
void Conv2d<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  const int batch = static_cast<int>(x.dim(0));
  const int OC = options_.out_channels;    // rows of W and of dY
  const int P = geometry_.col_cols();      // output pixels, OH·OW
  const int R = geometry_.col_rows();      // kernel taps, C·KH·KW
  const int64_t x_stride = x.numel() / std::max(batch, 1);
  reserve_workspaces(num_threads());
  for (Workspace& w : workspaces_) {
    w.dweight.zero();
    w.dbias.zero();
  }
  parallel_for(batch, [&](int64_t begin, int64_t end, int thread) {
    Workspace& w = workspaces_[thread];
    for (int64_t n = begin; n < end; ++n) {
      const T* dy_n = dy.data() + n * OC * P;
      const T* cols = columns(x, n, w.cols.data());
      // dW[OC,R] += dY[OC,P] · colsᵀ[P,R]             (M = OC, N = R, K = P)
      gemm(Trans::No, Trans::Yes, OC, R, P, T(1), dy_n, cols, T(1), w.dweight.data());
      // db[o] += Σ_p dY[o,p]
      for (int o = 0; o < OC; ++o) {
        T sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int p = 0; p < P; ++p) sum += dy_n[o * P + p];
        w.dbias[o] += sum;
      }
      if (dx.empty()) continue;  // dL/dx is not wanted
      // dcols[R,P] = Wᵀ[R,OC] · dY[OC,P]               (M = R, N = P, K = OC)
      gemm(Trans::Yes, Trans::No, R, P, OC, T(1), weight_.value.data(), dy_n, T(0), w.dcols.data());
      // dx += col2im(dcols): each entry goes back to the pixel it was copied from.
      col2im(geometry_, w.dcols.data(), dx.data() + n * x_stride);
    }
  });
  // Sum the threads' shares in thread order, so a given thread count always rounds the same way.
  for (const Workspace& w : workspaces_) {
    for (int64_t i = 0; i < weight_.grad.numel(); ++i) weight_.grad[i] += w.dweight[i];
    if (options_.bias)
      for (int o = 0; o < OC; ++o) bias_.grad[o] += w.dbias[o];
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace minicnn
