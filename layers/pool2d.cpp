#include "layers/pool2d.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace minicnn {

template <typename T>
std::string Pool2d<T>::kind() const {
  if (options_.global) return "global_avgpool";
  return options_.method == PoolMethod::Max ? "maxpool" : "avgpool";
}

template <typename T>
Shape Pool2d<T>::setup(const Shape& input) {
  if (input.rank != 3) throw Error(this->name + ": expects an input of shape CxHxW, got " + input.str());
  in_h_ = static_cast<int>(input[1]);
  in_w_ = static_cast<int>(input[2]);
  Pool2dOptions& o = options_;
  if (o.global) o = Pool2dOptions{PoolMethod::Average, in_h_, in_w_, 1, 1, 0, 0, true};
  if (o.kernel_h < 1 || o.kernel_w < 1 || o.stride_h < 1 || o.stride_w < 1 || o.pad_h < 0 || o.pad_w < 0)
    throw Error(this->name + ": kernel and stride must be positive and padding non-negative");
  const std::string kernel = std::to_string(o.kernel_h) + "x" + std::to_string(o.kernel_w);
  std::string padding = std::to_string(o.pad_h);  // "1", or "1x2" when the axes differ
  if (o.pad_w != o.pad_h) padding.append("x").append(std::to_string(o.pad_w));
  // As PyTorch: a window may not start or end entirely in the padding.
  if (o.pad_h > o.kernel_h / 2 || o.pad_w > o.kernel_w / 2)
    throw Error(this->name + ": padding " + padding + " must be at most half the kernel " + kernel);
  if (o.kernel_h > in_h_ + 2 * o.pad_h || o.kernel_w > in_w_ + 2 * o.pad_w)
    throw Error(this->name + ": kernel " + kernel + " does not fit input " + std::to_string(in_h_) + "x" +
                std::to_string(in_w_) + " (padding " + padding + ")");
  out_h_ = (in_h_ + 2 * o.pad_h - o.kernel_h) / o.stride_h + 1;
  out_w_ = (in_w_ + 2 * o.pad_w - o.kernel_w) / o.stride_w + 1;
  return Shape{input[0], out_h_, out_w_};
}

template <typename T>
typename Pool2d<T>::Window Pool2d<T>::window(int i, int j) const {
  // The window of output (i, j) clipped to the image: padding adds nothing to a sum and never wins a max.
  const int top = i * options_.stride_h - options_.pad_h, left = j * options_.stride_w - options_.pad_w;
  return {std::max(top, 0), std::min(top + options_.kernel_h, in_h_), std::max(left, 0),
          std::min(left + options_.kernel_w, in_w_)};
}

namespace {

// Planes per block at least: a plane's pooling is an elementwise loop over its pixels, and a block of fewer
// than kElementwiseGrain of them costs more to hand to a thread than it saves (a batch of one image).
int64_t plane_grain(int64_t in_plane) { return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(in_plane, 1)); }

}  // namespace

template <typename T>
void Pool2d<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context&) {
  const int64_t planes = x.dim(0) * x.dim(1);  // one (n, c) pair each
  const int64_t in_plane = int64_t{in_h_} * in_w_, out_plane = int64_t{out_h_} * out_w_;
  y.resize(Shape{x.dim(0), x.dim(1), out_h_, out_w_});
  if (options_.method == PoolMethod::Max) {
    argmax_.resize(y.numel());
    parallel_for(planes, [&](const Block& b) {
      for (int64_t plane = b.begin; plane < b.end; ++plane)
        max_pool_plane(x.data() + plane * in_plane, y.data() + plane * out_plane, argmax_.data() + plane * out_plane);
    }, plane_grain(in_plane));
  } else {
    parallel_for(planes, [&](const Block& b) {
      for (int64_t plane = b.begin; plane < b.end; ++plane)
        average_pool_plane(x.data() + plane * in_plane, y.data() + plane * out_plane);
    }, plane_grain(in_plane));
  }
}

namespace {

// Keeps the larger of the running maximum and in[k]: selects rather than branches, because which pixel of a
// window wins is unpredictable. Strict >, taps in row-major order: the first maximum wins ties.
template <typename T>
void take_larger(const T* in, int32_t k, T& best_value, int32_t& best) {
  const bool better = in[k] > best_value;
  best_value = better ? in[k] : best_value;
  best = better ? k : best;
}

}  // namespace

template <typename T>
void Pool2d<T>::max_pool_plane(const T* in, T* out, int32_t* argmax) const {
  const int sw = options_.stride_w, pw = options_.pad_w, kw = options_.kernel_w;
  // Output columns whose windows lie wholly inside the image's columns: [inner_first, inner_last).
  const int inner_first = std::min((pw + sw - 1) / sw, out_w_);
  const int inner_last = std::clamp((in_w_ + pw - kw) / sw + 1, inner_first, out_w_);
  for (int i = 0; i < out_h_; ++i) {
    T* out_row = out + i * out_w_;
    int32_t* argmax_row = argmax + i * out_w_;
    const auto clipped_window = [&](int j) {  // a window the padding clips at the left or right
      const Window w = window(i, j);
      argmax_row[j] = w.top * in_w_ + w.left;
      out_row[j] = in[argmax_row[j]];
      for (int r = w.top; r < w.bottom; ++r)
        for (int c = w.left; c < w.right; ++c) take_larger(in, r * in_w_ + c, out_row[j], argmax_row[j]);
    };
    for (int j = 0; j < inner_first; ++j) clipped_window(j);
    for (int j = inner_last; j < out_w_; ++j) clipped_window(j);
    // The 2x2, stride-2 window of nearly every CNN with its sizes known to the compiler, which then computes
    // a vector of outputs at a time; any other window (or one the padding clips above or below) with the
    // same loop.
    const Window rows = window(i, inner_first);
    if (options_.kernel_h == 2 && kw == 2 && sw == 2 && rows.bottom - rows.top == 2)
      max_pool_inner<2, 2, 2>(in, rows, inner_first, inner_last, out_row, argmax_row);
    else
      max_pool_inner<0, 0, 0>(in, rows, inner_first, inner_last, out_row, argmax_row);
  }
}

// Outputs [first, last) of one output row, whose windows cover input rows [rows.top, rows.bottom) and lie
// inside the image's columns. KernelH, KernelW and StrideW are the window's height (after clipping), width
// and stride, or 0 to read them from rows and the options.
template <typename T>
template <int KernelH, int KernelW, int StrideW>
void Pool2d<T>::max_pool_inner(const T* in, const Window& rows, int first, int last, T* out,
                               int32_t* argmax) const {
  const int kh = KernelH > 0 ? KernelH : rows.bottom - rows.top;
  const int kw = KernelW > 0 ? KernelW : options_.kernel_w, sw = StrideW > 0 ? StrideW : options_.stride_w;
  // In locals: argmax's int32 stores could alias a member, which the loop would then have to reread.
  const int in_w = in_w_;
  const int32_t origin = rows.top * in_w - options_.pad_w;  // the first tap of output column 0
#pragma omp simd
  for (int j = first; j < last; ++j) {
    int32_t best = origin + j * sw;
    T best_value = in[best];
    for (int r = 0; r < kh; ++r)
      for (int c = 0; c < kw; ++c) take_larger(in, origin + r * in_w + j * sw + c, best_value, best);
    out[j] = best_value;
    argmax[j] = best;
  }
}

template <typename T>
void Pool2d<T>::average_pool_plane(const T* in, T* out) const {
  const T window_size = static_cast<T>(options_.kernel_h * options_.kernel_w);  // padded zeros count too
  for (int i = 0; i < out_h_; ++i)
    for (int j = 0; j < out_w_; ++j) {
      const Window w = window(i, j);
      T sum = 0;
      for (int r = w.top; r < w.bottom; ++r)
        for (int c = w.left; c < w.right; ++c) sum += in[r * in_w_ + c];
      out[i * out_w_ + j] = sum / window_size;
    }
}

template <typename T>
void Pool2d<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  if (dx.empty()) return;  // dL/dx is not wanted: pooling has nothing else to compute
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t in_plane = int64_t{in_h_} * in_w_, out_plane = int64_t{out_h_} * out_w_;
  const T window_size = static_cast<T>(options_.kernel_h * options_.kernel_w);
  const bool is_max = options_.method == PoolMethod::Max;
  parallel_for(planes, [&](const Block& b) {
    for (int64_t plane = b.begin; plane < b.end; ++plane) {
      T* d_in = dx.data() + plane * in_plane;
      const T* d_out = dy.data() + plane * out_plane;
      // The plane's gradient is a sum over the windows that hold each pixel, in the plane's own memory
      // while it is in cache (and 0 for a pixel no window holds).
      std::fill_n(d_in, in_plane, T(0));
      if (is_max) {
        // Only the maximum influenced y: ∂y/∂x is 1 there and 0 elsewhere.
        const int32_t* argmax = argmax_.data() + plane * out_plane;
        for (int64_t k = 0; k < out_plane; ++k) d_in[argmax[k]] += d_out[k];
        continue;
      }
      for (int i = 0; i < out_h_; ++i)
        for (int j = 0; j < out_w_; ++j) {
          const Window w = window(i, j);
          const T share = d_out[i * out_w_ + j] / window_size;  // ∂y/∂x = 1/(KH·KW) for every pixel of the window
          for (int r = w.top; r < w.bottom; ++r)
            for (int c = w.left; c < w.right; ++c) d_in[r * in_w_ + c] += share;
        }
    }
  }, plane_grain(in_plane));
}

template class Pool2d<float>;
template class Pool2d<double>;

}  // namespace minicnn
