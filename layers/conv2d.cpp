#include "layers/conv2d.hpp"

#include <algorithm>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/tile_gemm.hpp"

namespace minicnn {
namespace {

// Calls body(first, count) for consecutive groups of at most `group` images covering [begin, end).
template <typename Body>
void for_each_group(int64_t begin, int64_t end, int group, Body body) {
  for (int64_t first = begin; first < end; first += group)
    body(first, static_cast<int>(std::min<int64_t>(group, end - first)));
}

// sums[r] += Σ_c matrix[r, c] for the rows of matrix [rows, columns].
template <typename T>
void add_row_sums(const T* matrix, int rows, int64_t columns, T* sums) {
  for (int r = 0; r < rows; ++r) sums[r] += sum(matrix + r * columns, columns);
}

// The blocks' shares [count, rows·row_length], summed into the first in block order for every entry,
//   shares[0] += shares[1] + ... + shares[count - 1],
// a block of rows at a time over the threads; then summed(r, row) for each row r of the sum, on the thread
// that made it, while the row is in its cache.
template <typename T, typename Summed>
void sum_shares(Tensor<T>& shares, int count, int64_t row_length, Summed summed) {
  const int64_t columns = shares.numel() / shares.dim(0), rows = columns / row_length;
  T* first = shares.data();
  parallel_for(rows, [&](const Block& b) {
    T* sum = first + b.begin * row_length;
    const int64_t length = (b.end - b.begin) * row_length;
    for (int s = 1; s < count; ++s) {
      const T* share = sum + s * columns;
#pragma omp simd
      for (int64_t c = 0; c < length; ++c) sum[c] += share[c];
    }
    for (int64_t r = b.begin; r < b.end; ++r) summed(r, first + r * row_length);
  }, std::max<int64_t>(1, kElementwiseGrain / count / row_length));
}

}  // namespace

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
  // Winograd's F(2x2, 3x3): a 3x3 stride-1 correlation, with a padding whose input gradient, padded by 2 - p,
  // is again one (see core/winograd.hpp).
  const bool winograd_applies = o.kernel_h == 3 && o.kernel_w == 3 && o.stride_h == 1 && o.stride_w == 1 &&
                                o.dilation_h == 1 && o.dilation_w == 1 && o.pad_h == o.pad_w && o.pad_h <= 2;
  if (o.algorithm == ConvAlgorithm::Winograd && !winograd_applies)
    throw Error(this->name + ": the winograd algorithm is for 3x3 kernels of stride 1 without dilation, with the "
                             "same padding of at most 2 on every side");
  winograd_forward_ = WinogradGeometry{geometry_.channels, geometry_.height, geometry_.width, o.pad_h, o.out_channels};
  winograd_input_gradient_ = WinogradGeometry{o.out_channels, geometry_.out_h(), geometry_.out_w(), 2 - o.pad_h,
                                              geometry_.channels};
  const bool winograd_pays = geometry_.channels >= kWinogradLeastChannels && o.out_channels >= kWinogradLeastChannels &&
                             winograd_forward_.tiles_h() * winograd_forward_.tiles_w() >= kWinogradLeastTiles;
  if (o.algorithm != ConvAlgorithm::Auto)
    algorithm_ = o.algorithm;
  else if (winograd_applies && winograd_pays)
    algorithm_ = ConvAlgorithm::Winograd;
  else {
    const int64_t padded_pixels = int64_t{geometry_.height + 2 * o.pad_h} * (geometry_.width + 2 * o.pad_w);
    algorithm_ = geometry_.channels * padded_pixels <= kDirectMostPaddedElements ? ConvAlgorithm::Direct
                                                                                  : ConvAlgorithm::Im2col;
  }
  if (algorithm_ == ConvAlgorithm::Direct) {
    direct_ = DirectConv<T>(geometry_, o.out_channels);
    direct_channels_in_lanes_ = geometry_.col_cols() < kDirectLeastPixels;
  }
  workspaces_.clear();  // sized for the geometry at first use
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
int Conv2d<T>::group_size() const {
  const int64_t P = geometry_.col_cols();
  const int64_t image_bytes = int64_t{geometry_.col_rows()} * P * int64_t{sizeof(T)};
  const int64_t wide_enough = (kGroupColumns + P - 1) / P, in_cache = std::max<int64_t>(1, kGroupBytes / image_bytes);
  return static_cast<int>(std::min(wide_enough, in_cache));
}

template <typename T>
void Conv2d<T>::reserve_workspaces(int threads) {
  if (static_cast<int>(workspaces_.size()) < threads) workspaces_.resize(threads);
  const int64_t group_columns = int64_t{group_size()} * geometry_.col_cols();
  for (Workspace& w : workspaces_) {
    if (algorithm_ == ConvAlgorithm::Direct) {  // no GEMMs, no im2col matrices
      if (w.planes.numel() != direct_.planes_size()) {  // its padding is zeroed once (setup clears workspaces_)
        w.planes.resize(Shape{direct_.planes_size()});
        w.planes.zero();
      }
      w.dplanes.resize(Shape{direct_.planes_size()});
      w.dy_rows.resize(Shape{direct_.dy_rows_size()});
      if (direct_channels_in_lanes_) w.dy_t.resize(Shape{geometry_.col_cols(), direct_.channels_in_lanes()});
      continue;
    }
    if (algorithm_ == ConvAlgorithm::Winograd) continue;  // no im2col matrices either
    w.cols.resize(Shape{geometry_.col_rows(), group_columns});
    w.dcols.resize(Shape{geometry_.col_rows(), group_columns});
    w.outputs.resize(Shape{options_.out_channels, group_columns});
  }
}

template <typename T>
int64_t Conv2d<T>::weight_share_size() const {
  if (algorithm_ == ConvAlgorithm::Winograd) return int64_t{kWinogradPositions} * options_.out_channels * geometry_.channels;
  if (direct_channels_in_lanes_) return int64_t{geometry_.col_rows()} * direct_.channels_in_lanes();
  return int64_t{options_.out_channels} * geometry_.col_rows() * weight_share_lanes();
}

template <typename T>
int64_t Conv2d<T>::backward_grain(int64_t batch) const {
  const int64_t share_bytes = weight_share_size() * int64_t{sizeof(T)};
  const int64_t most_blocks = std::max<int64_t>(1, kGradientShareBytes / share_bytes);
  const int64_t grain = (batch + most_blocks - 1) / most_blocks;
  // An im2col block is at least a group, so that its GEMMs are as wide as the group makes them.
  return algorithm_ == ConvAlgorithm::Im2col ? std::max<int64_t>(grain, group_size()) : grain;
}

template <typename T>
const T* Conv2d<T>::group_columns(const Tensor<T>& x, int64_t first, int count, Workspace& w) {
  const int64_t P = geometry_.col_cols(), image_size = x.numel() / x.dim(0);
  // Image g's columns are at g·P of every row, rows count·P apart.
  for (int g = 0; g < count; ++g) im2col(geometry_, x.data() + (first + g) * image_size, w.cols.data() + g * P, count * P);
  return w.cols.data();
}

template <typename T>
void Conv2d<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context&) {
  const int64_t batch = x.dim(0);
  const int OC = options_.out_channels;  // output channels
  const int P = geometry_.col_cols();    // output pixels of one image, OH·OW
  const int K = geometry_.col_rows();    // kernel taps, C·KH·KW
  y.resize(Shape{batch, OC, geometry_.out_h(), geometry_.out_w()});
  reserve_workspaces(num_threads());
  const int64_t image_size = x.numel() / std::max<int64_t>(batch, 1);
  if (algorithm_ == ConvAlgorithm::Direct) {
    // y[o] = b[o] + Σ_t W[o,t] · x_t, image by image, read from the image's planes (core/direct_conv.hpp).
    direct_weights_.resize(Shape{direct_.packed_weight_size(DirectConv<T>::Pass::Forward)});
    direct_.pack_weights(weight_.value.data(), DirectConv<T>::Pass::Forward, direct_weights_.data());
    parallel_for(batch, [&](const Block& b) {
      T* planes = workspaces_[b.thread].planes.data();
      for (int64_t n = b.begin; n < b.end; ++n) {
        direct_.fill_planes(x.data() + n * image_size, planes);
        direct_.forward(planes, direct_weights_.data(), options_.bias ? bias_.value.data() : nullptr,
                        y.data() + n * OC * P);
      }
    });
    return;
  }
  if (algorithm_ == ConvAlgorithm::Winograd) {
    // Y = Aᵀ [U ⊙ V] A, image by image, with U = G W Gᵀ made once for the batch (core/winograd.hpp).
    winograd_filters_.resize(Shape{winograd_filters_size<T>(OC, geometry_.channels, WinogradFilters::Forward)});
    winograd_filters(weight_.value.data(), OC, geometry_.channels, WinogradFilters::Forward, winograd_filters_.data());
    parallel_for(batch, [&](const Block& b) {
      for (int64_t n = b.begin; n < b.end; ++n)
        winograd_conv3x3(winograd_forward_, x.data() + n * image_size, winograd_filters_.data(),
                         options_.bias ? bias_.value.data() : nullptr, y.data() + n * OC * P,
                         workspaces_[b.thread].winograd);
    });
    return;
  }
  parallel_for(batch, [&](const Block& b) {
    Workspace& w = workspaces_[b.thread];
    for_each_group(b.begin, b.end, group_size(), [&](int64_t first, int count) {
      const T* cols = group_columns(x, first, count, w);
      // A lone image's outputs [OC, P] are its block of y. It starts as the bias, b[o] in every entry of row o,
      // so that the GEMM adds the products to it (beta = 1) in the pass that writes them. A group's outputs go
      // to the workspace, and then out to y image by image, with the bias added on the way.
      const int N = count * P;
      const bool lone = count == 1, bias_first = lone && options_.bias;
      T* Y = lone ? y.data() + first * OC * P : w.outputs.data();
      if (bias_first)
        for (int o = 0; o < OC; ++o) std::fill_n(Y + int64_t{o} * P, P, bias_.value[o]);
      // Y = W · cols:  Y[M,N] = W[M,K] · cols[K,N]   (M = OC, N = count·P, K = C·KH·KW)
      gemm(Trans::No, Trans::No, OC, N, K, T(1), weight_.value.data(), cols, bias_first ? T(1) : T(0), Y);
      if (lone) return;
      // y[n,o,:] = Y[o, n's columns] + b[o]
      for (int g = 0; g < count; ++g)
        for (int o = 0; o < OC; ++o) {
          const T bias = options_.bias ? bias_.value[o] : T(0);
          const T* from = Y + int64_t{o} * N + int64_t{g} * P;
          T* to = y.data() + ((first + g) * OC + o) * P;
#pragma omp simd
          for (int p = 0; p < P; ++p) to[p] = from[p] + bias;
        }
    });
  }, group_size());
}

template <typename T>
void Conv2d<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  const int64_t batch = x.dim(0);
  const int OC = options_.out_channels;  // rows of W and of dY
  const int P = geometry_.col_cols();    // output pixels of one image, OH·OW
  const int R = geometry_.col_rows();    // kernel taps, C·KH·KW
  const int64_t image_size = x.numel() / std::max<int64_t>(batch, 1);
  reserve_workspaces(num_threads());
  const int64_t grain = backward_grain(batch), share_size = weight_share_size();
  const int blocks = parallel_blocks(batch, grain);
  weight_shares_.resize(Shape{std::max(blocks, 1), share_size});
  bias_shares_.resize(Shape{std::max(blocks, 1), OC});
  if (!dx.empty() && algorithm_ == ConvAlgorithm::Winograd) {
    winograd_filters_.resize(Shape{winograd_filters_size<T>(OC, geometry_.channels, WinogradFilters::InputGradient)});
    winograd_filters(weight_.value.data(), OC, geometry_.channels, WinogradFilters::InputGradient,
                     winograd_filters_.data());
  }
  if (!dx.empty() && algorithm_ == ConvAlgorithm::Direct) {
    direct_weights_.resize(Shape{direct_.packed_weight_size(DirectConv<T>::Pass::InputGradient)});
    direct_.pack_weights(weight_.value.data(), DirectConv<T>::Pass::InputGradient, direct_weights_.data());
  }
  parallel_for(batch, [&](const Block& b) {
    Workspace& w = workspaces_[b.thread];
    T* dW = weight_shares_.data() + b.index * share_size;  // this block's share: dW, dWᵀ or Winograd's S
    T* db = bias_shares_.data() + int64_t{b.index} * OC;
    std::fill_n(dW, share_size, T(0));
    std::fill_n(db, OC, T(0));
    if (algorithm_ == ConvAlgorithm::Winograd) {
      // Image by image (core/winograd.hpp): S = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B) over the block's images (dW = Gᵀ S G
      // once the shares are summed), and dx = the correlation of dy, padded by 2 - p, with W turned and its
      // channels swapped.
      for (int64_t n = b.begin; n < b.end; ++n) {
        const T* image_dy = dy.data() + n * OC * P;
        add_row_sums(image_dy, OC, P, db);  // db[o] += Σ_p dy[o,p]
        winograd_weight_gradient(winograd_forward_, x.data() + n * image_size, image_dy, dW, w.winograd);
        if (!dx.empty())
          winograd_conv3x3(winograd_input_gradient_, image_dy, winograd_filters_.data(), static_cast<const T*>(nullptr),
                           dx.data() + n * image_size, w.winograd);
      }
      return;
    }
    if (algorithm_ == ConvAlgorithm::Direct) {
      // Image by image, from the image's planes and its dy in whole vectors (core/direct_conv.hpp):
      // dW[o,t] += Σ_p dy[o,p] · x_t[p] (lane by lane, or with the channels in the lanes for images of few
      // pixels), and dx from the taps' shares Σ_o W[o,t] · dy[o].
      for (int64_t n = b.begin; n < b.end; ++n) {
        const T* image_dy = dy.data() + n * OC * P;
        add_row_sums(image_dy, OC, P, db);  // db[o] += Σ_p dy[o,p]
        const T* dy_rows = direct_.output_gradient_rows(image_dy, w.dy_rows.data());
        direct_.fill_planes(x.data() + n * image_size, w.planes.data());
        if (direct_channels_in_lanes_) {
          direct_.transpose_output_gradient(image_dy, w.dy_t.data());
          direct_.weight_gradient_by_channels(w.planes.data(), w.dy_t.data(), dW);
        } else {
          direct_.weight_gradient(w.planes.data(), dy_rows, dW);
        }
        if (!dx.empty())
          direct_.input_gradient(dy_rows, direct_weights_.data(), w.dplanes.data(), dx.data() + n * image_size);
      }
      return;
    }
    for_each_group(b.begin, b.end, group_size(), [&](int64_t first, int count) {
      const int N = count * P;
      const T* group_dy = dy.data() + first * OC * P;
      // dY[OC, count·P]: a lone image's output gradient is its block of dy; a group's is gathered side by
      // side, as its outputs were.
      if (count > 1) {
        for (int g = 0; g < count; ++g)
          for (int o = 0; o < OC; ++o)
            std::copy_n(dy.data() + ((first + g) * OC + o) * P, P, w.outputs.data() + int64_t{o} * N + int64_t{g} * P);
        group_dy = w.outputs.data();
      }
      const T* cols = group_columns(x, first, count, w);
      // dW = dY · colsᵀ:  dW[OC,R] += dY[OC,N] · colsᵀ[N,R]   (M = OC, N = R, K = count·P)
      gemm(Trans::No, Trans::Yes, OC, R, N, T(1), group_dy, cols, T(1), dW);
      // db = dY · 1:  db[o] += Σ_p dY[o,p]
      add_row_sums(group_dy, OC, N, db);
      if (dx.empty()) return;  // dL/dx is not wanted
      // dcols = Wᵀ · dY:  dcols[R,N] = Wᵀ[R,OC] · dY[OC,N]   (M = R, N = count·P, K = OC)
      gemm(Trans::Yes, Trans::No, R, N, OC, T(1), weight_.value.data(), group_dy, T(0), w.dcols.data());
      // dx = col2im(dcols): each entry is added back into the pixel it was copied from, into an image of
      // zeros.
      for (int g = 0; g < count; ++g) {
        T* image_dx = dx.data() + (first + g) * image_size;
        std::fill_n(image_dx, image_size, T(0));
        col2im(geometry_, w.dcols.data() + int64_t{g} * P, image_dx, N);
      }
    });
  }, grain);
  if (blocks == 0) return;
  // The blocks' shares, summed in block order, and added into the parameter gradients.
  T* dW = weight_.grad.data();
  if (algorithm_ == ConvAlgorithm::Winograd) {
    sum_shares(weight_shares_, blocks, share_size / kWinogradPositions, [](int64_t, const T*) {});  // S: a row a position
    winograd_filter_gradient(weight_shares_.data(), OC, geometry_.channels, dW);  // dW += Gᵀ S G
  } else if (direct_channels_in_lanes_) {  // the share is dWᵀ, a row of channels_in_lanes() per tap
    sum_shares(weight_shares_, blocks, direct_.channels_in_lanes(), [&](int64_t t, const T* dW_t) {
      for (int o = 0; o < OC; ++o) dW[int64_t{o} * R + t] += dW_t[o];
    });
  } else {  // the share is dW [OC, R], lane by lane [OC, R, lanes] for the direct convolution
    const int L = weight_share_lanes();
    sum_shares(weight_shares_, blocks, int64_t{R} * L, [&](int64_t o, const T* dW_o) {
      for (int t = 0; t < R; ++t) {
        T sum = 0;
        for (int l = 0; l < L; ++l) sum += dW_o[t * L + l];
        dW[o * R + t] += sum;
      }
    });
  }
  if (options_.bias)
    sum_shares(bias_shares_, blocks, OC, [&](int64_t, const T* db) {
      for (int o = 0; o < OC; ++o) bias_.grad[o] += db[o];
    });
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace minicnn
